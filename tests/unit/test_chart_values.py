"""The lint phase with the real helm and the real charts: the deploy's values pass, a typo is named."""

import dataclasses
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from invoke import Context
from runner_fakes import settings_for

from ops.errors import OpsError
from ops.releases import lint, release_values, secret_data
from ops.secrets import Secrets
from ops.settings import RELEASES
from ops.shell import Shell

pytestmark = pytest.mark.skipif(shutil.which("helm") is None, reason="helm is not on PATH")
# Every optional setting given, so that the schema sees each value the runner can set.
SECRETS = Secrets(
    "s" * 40,
    "postgresql://todo:pw@todo-postgres:5432/todo",
    "pw",
    "",
    "gpt-4o",
    "http://vllm:8000/v1",
    "chat_completions",
)
IMAGES = {"todo-backend": "127.0.0.1:5000/todo-backend:0123abcd", "todo-frontend": "todo-frontend:4567"}


@pytest.mark.parametrize("release", RELEASES)
def test_the_values_a_deploy_sets_pass_the_charts_schema(tmp_path: Path, release: str) -> None:
    settings = settings_for("kind", tmp_path / "local.env", values_dir=str(tmp_path / "values"))
    values = release_values(release, settings, SECRETS, IMAGES, "http://127.0.0.1:30000")
    lint(Shell(Context()), settings, release, values)


def test_the_chatkit_mode_a_deploy_sets_passes_the_frontend_chart(tmp_path: Path) -> None:
    settings = settings_for("kind", tmp_path / "local.env", values_dir=str(tmp_path / "values"))
    chatkit = dataclasses.replace(SECRETS, chat_ui="chatkit", chatkit_domain_key="domain_pk_1")
    values = release_values("todo-frontend", settings, chatkit, IMAGES, "http://127.0.0.1:30000")
    assert values["chatUi"] == "chatkit"
    # without CHAT_UI the chart's value applies (its default, or one from a values file)
    assert "chatUi" not in release_values(
        "todo-frontend", settings, SECRETS, IMAGES, "http://127.0.0.1:30000"
    )
    lint(Shell(Context()), settings, "todo-frontend", values)


def test_a_typo_in_a_values_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "values").mkdir()
    (tmp_path / "values" / "todo-backend.yaml").write_text("replicas: 2\n")
    settings = settings_for("kind", tmp_path / "local.env", values_dir=str(tmp_path / "values"))
    values = release_values("todo-backend", settings, SECRETS, IMAGES, "http://127.0.0.1:30000")
    with pytest.raises(OpsError, match=r"chart todo-backend rejects its values:\n.*replicas"):
        lint(Shell(Context()), settings, "todo-backend", values)


@pytest.mark.parametrize("release", ["todo-backend", "todo-frontend"])
def test_an_external_databases_ca_goes_into_the_secret_and_the_charts_mount_it(
    tmp_path: Path, release: str
) -> None:
    external = replace(
        SECRETS,
        database_url="postgresql://u:p@db:5433/todo?sslmode=require",
        postgres_password="",
        database_ca="PEM",
    )
    settings = settings_for("kind", tmp_path / "local.env", values_dir=str(tmp_path / "values"))
    values = release_values(release, settings, external, IMAGES, "http://127.0.0.1:30000")
    assert secret_data(release, external)[values["database.caKey"]] == "PEM"
    assert values["database.caSecret"] == values["existingSecret"]
    lint(Shell(Context()), settings, release, values)
