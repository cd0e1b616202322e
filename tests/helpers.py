"""Helpers every suite under tests/ shares (the backend's own tests live apart, in backend/tests)."""

import socket
from typing import Any

import yaml
from invoke.config import merge_dicts

from ops.settings import ROOT
from tasks import ns


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (for a server a test starts, or a URL it must know first)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def runner_config() -> dict[str, Any]:
    """The settings `invoke` hands a task: the task modules' defaults (tasks.ns), invoke.yaml over them."""
    defaults = ns.configuration()
    merge_dicts(defaults, yaml.safe_load((ROOT / "invoke.yaml").read_text()) or {})
    return defaults
