"""The task runner's entry point: it assembles the task namespace and holds no logic of its own.

`invoke --list` shows every task; the code behind them lives in `ops/`. Each module of ops/tasks/ has its `ns`
collection with its settings' defaults; invoke.yaml (then INVOKE_* variables, then task flags) overrides them.
"""

from invoke import Collection

from ops.tasks import ai, bench, chart, cluster, dev, images, test

MODULES = (cluster, bench, dev, ai, test, chart, images)

# deploy, reset, destroy, status, logs, doctor, bench, dev at the top level; ai.*, test.*, chart.*, images.*.
ns = Collection(
    *cluster.ns.tasks.values(),
    *bench.ns.tasks.values(),
    *dev.ns.tasks.values(),
    ai.ns,
    test.ns,
    chart.ns,
    images.ns,
)
# Every task reads the whole settings (ops/settings.py: cluster, deploy, charts, ai, images, dev), but invoke
# hands a task only the config of the collections on its path: so the root carries every module's defaults.
for module in MODULES:
    ns.configure(module.ns.configuration())
