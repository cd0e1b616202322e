"""The task runner's entry point: it assembles the task namespace and holds no logic of its own.

`invoke --list` shows every task; the code behind them lives in `ops/`.
"""

from invoke import Collection

from ops.tasks import ai, bench, chart, cluster, images, test

ns = Collection(
    cluster.deploy, cluster.reset, cluster.destroy, cluster.status, cluster.logs, cluster.doctor, bench.bench
)
ns.add_collection(Collection.from_module(ai))
ns.add_collection(Collection.from_module(test))
ns.add_collection(Collection.from_module(chart))
ns.add_collection(Collection.from_module(images))
