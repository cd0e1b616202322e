"""Helpers for the task runner's unit tests: a MockContext answering like a healthy cluster, settings."""

import re
import shlex
import tempfile
from dataclasses import replace
from pathlib import Path

from invoke import Config, MockContext, Result

from ops.settings import Settings, load_settings
from tests.helpers import runner_config

Rules = dict[str, Result | list[Result] | bool | str]

# Answers every read-only command a deploy makes, for a healthy cluster; tests override single rules.
HEALTHY_CLUSTER: Rules = {
    r"kubectl version": "Client Version: v1.31.4",
    r"helm version": "v3.22.0",
    r"minikube version": "v1.34.0",
    r"kind version": "kind v0.24.0 go1.22 linux/amd64",
    r"minikube status": True,
    r"minikube ip": "192.168.49.2",
    r"minikube -p \S+ image ls": "",
    r"kind get clusters": "todo",
    r"kubectl .*get --raw /readyz": "ok",
    r"kubectl .*get nodes": '{"items": [{"status": {"allocatable": {"cpu": "2", "memory": "4000Mi"},'
    ' "addresses": [{"type": "InternalIP", "address": "10.0.0.7"}]}}]}',
    r"kubectl .*get deployment,statefulset": "deployment.apps/workload",
    r"kubectl .*get pods": "NAME READY STATUS",
    r"helm lint": True,
    r"helm .*list": "[]",
    r".*": True,  # every command that changes something succeeds
}


def invoke_config(**sections: dict) -> Config:
    """The runner's config (its defaults, invoke.yaml over them), with some keys replaced."""
    data = runner_config()
    for name, values in sections.items():  # here: invoke will not merge a mapping with None
        data[name] = {**data[name], **values}
    return Config(overrides=data)


class DocumentReadingContext(MockContext):
    """A MockContext that also keeps the generated documents (temporary files) the commands were given."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._set("documents", {})

    def run(self, command: str, *args: object, **kwargs: object) -> Result:
        for token in shlex.split(command):
            if token.startswith(tempfile.gettempdir()) and token.endswith(".yaml"):
                self.documents[command] = Path(token).read_text()
        return super().run(command, *args, **kwargs)

    def document(self, pattern: str) -> str:
        """The document given to the first command matching `pattern`."""
        return next(text for command, text in self.documents.items() if re.search(pattern, command))


def cluster_context(config: Config, rules: Rules | None = None) -> DocumentReadingContext:
    """A MockContext answering like HEALTHY_CLUSTER, except where `rules` (regex: result) say otherwise."""
    rules = rules or {}
    merged = {
        **rules,
        **{pattern: result for pattern, result in HEALTHY_CLUSTER.items() if pattern not in rules},
    }
    return DocumentReadingContext(
        config=config, run={re.compile(pattern): result for pattern, result in merged.items()}
    )


def commands(c: MockContext) -> list[str]:
    return [call.args[0] for call in c.run.call_args_list]


def settings_for(target: str, env_file: Path, **overrides: object) -> Settings:
    cluster = {"target": target, "registry": "127.0.0.1:5000" if target == "context" else ""}
    config = invoke_config(cluster=cluster, deploy={"env_file": str(env_file)})
    return replace(load_settings(MockContext(config=config)), **overrides)


class FakeDocker:
    """docker.from_env() of a healthy engine."""

    def __init__(self, **_options: object) -> None:
        pass

    def ping(self) -> bool:
        return True

    def info(self) -> dict:
        return {"NCPU": 4, "MemTotal": 8 * 2**30}
