"""The task runner's entry point: it assembles the task namespace and holds no logic of its own.

`invoke --list` shows every task; the code behind them lives in `ops/`.
"""

from invoke import Collection

ns = Collection()
