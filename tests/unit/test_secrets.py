"""Secrets: generated once for local targets, required for others, never weak or malformed."""

from pathlib import Path

import pytest
from runner_fakes import settings_for

from ops.errors import OpsError
from ops.releases import release_values, secret_data
from ops.secrets import load_secrets

STRONG = "s" * 40
pytestmark = pytest.mark.usefixtures("no_secrets_in_environment")


def test_a_first_local_deploy_generates_and_stores_the_secrets(env_file: Path) -> None:
    first = load_secrets(settings_for("minikube", env_file))
    assert len(first.better_auth_secret) >= 32
    assert first.embedded_database
    assert env_file.stat().st_mode & 0o777 == 0o600
    assert load_secrets(settings_for("minikube", env_file)) == first


def test_the_embedded_database_url_points_at_todo_postgres(env_file: Path) -> None:
    secrets = load_secrets(settings_for("kind", env_file))
    assert secrets.database_url.startswith("postgresql://todo:")
    assert secrets.database_url.endswith("@todo-postgres:5432/todo")


def test_a_dry_run_writes_nothing(env_file: Path) -> None:
    load_secrets(settings_for("minikube", env_file), dry=True)
    assert not env_file.exists()


def test_target_context_reports_every_missing_secret_and_writes_nothing(env_file: Path) -> None:
    with pytest.raises(OpsError, match=r"missing secret\(s\): BETTER_AUTH_SECRET; POSTGRES_PASSWORD"):
        load_secrets(settings_for("context", env_file))
    assert not env_file.exists()


def test_generation_can_be_forced_for_any_target(env_file: Path) -> None:
    assert load_secrets(settings_for("context", env_file, generate_secrets="yes")).postgres_password


def test_the_environment_wins_over_the_file(env_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file.parent.mkdir(parents=True)
    env_file.write_text(f"BETTER_AUTH_SECRET={'f' * 40}\nPOSTGRES_PASSWORD=from-file\n")
    monkeypatch.setenv("BETTER_AUTH_SECRET", STRONG)
    secrets = load_secrets(settings_for("context", env_file))
    assert (secrets.better_auth_secret, secrets.postgres_password) == (STRONG, "from-file")


def test_an_external_database_needs_no_postgres_password(
    env_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BETTER_AUTH_SECRET", STRONG)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db.example.com:5432/todo")
    secrets = load_secrets(settings_for("context", env_file))
    assert not secrets.embedded_database
    assert secrets.database_url == "postgresql://u:p@db.example.com:5432/todo"


def test_a_short_auth_secret_is_refused(env_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETTER_AUTH_SECRET", "short")
    monkeypatch.setenv("POSTGRES_PASSWORD", "pw")
    with pytest.raises(OpsError, match=r"at least 32 characters"):
        load_secrets(settings_for("context", env_file))


def test_a_database_url_that_is_not_postgresql_is_refused(
    env_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BETTER_AUTH_SECRET", STRONG)
    monkeypatch.setenv("DATABASE_URL", "mysql://u:p@db:3306/todo")
    with pytest.raises(OpsError, match=r"must be a PostgreSQL URL"):
        load_secrets(settings_for("context", env_file))


CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def external_database(monkeypatch: pytest.MonkeyPatch, ca_file: str) -> None:
    monkeypatch.setenv("BETTER_AUTH_SECRET", STRONG)
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db.example.com:5433/todo?sslmode=require")
    monkeypatch.setenv("DATABASE_CA_FILE", ca_file)


def test_an_external_database_ca_file_is_read(
    env_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca = tmp_path / "ca.crt"
    ca.write_text(CA_PEM)
    external_database(monkeypatch, str(ca))
    assert load_secrets(settings_for("context", env_file)).database_ca == CA_PEM


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, r"cannot read .*ca\.crt: No such file"), ("hello", r".*ca\.crt holds no PEM certificate")],
)
def test_a_bad_database_ca_file_is_named(
    env_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str | None, message: str
) -> None:
    ca = tmp_path / "ca.crt"
    if content is not None:
        ca.write_text(content)
    external_database(monkeypatch, str(ca))
    with pytest.raises(OpsError, match=f"DATABASE_CA_FILE: {message}"):
        load_secrets(settings_for("context", env_file))


def test_a_database_ca_without_an_external_database_is_refused(
    env_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BETTER_AUTH_SECRET", STRONG)
    monkeypatch.setenv("POSTGRES_PASSWORD", "pw")
    monkeypatch.setenv("DATABASE_CA_FILE", "ca.crt")
    with pytest.raises(OpsError, match=r"DATABASE_CA_FILE is set but DATABASE_URL is not"):
        load_secrets(settings_for("context", env_file))


def test_the_model_settings_reach_the_backend_chart(env_file: Path) -> None:
    env_file.parent.mkdir(parents=True)
    env_file.write_text("OPENAI_BASE_URL=http://ollama:11434/v1\nOPENAI_API_FLAVOUR=chat_completions\n")
    settings = settings_for("kind", env_file)
    values = release_values("todo-backend", settings, load_secrets(settings), {}, "http://127.0.0.1:30000")
    assert (values["openaiBaseUrl"], values["openaiApiFlavour"]) == (
        "http://ollama:11434/v1",
        "chat_completions",
    )
    assert "openaiModel" not in values  # unset: the chart's default model


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("OPENAI_BASE_URL=ollama:11434", r"OPENAI_BASE_URL must be an http:// or https:// URL"),
        (
            "OPENAI_API_FLAVOUR=completions",
            r"OPENAI_API_FLAVOUR is 'completions': use responses or chat_completions",
        ),
    ],
)
def test_bad_model_settings_are_refused_before_the_cluster_changes(
    env_file: Path, line: str, message: str
) -> None:
    env_file.parent.mkdir(parents=True)
    env_file.write_text(line + "\n")
    with pytest.raises(OpsError, match=message):
        load_secrets(settings_for("kind", env_file))


def test_the_chat_ui_and_its_domain_key_come_from_the_env_file(env_file: Path) -> None:
    env_file.parent.mkdir(parents=True)
    env_file.write_text(f"BETTER_AUTH_SECRET={STRONG}\nPOSTGRES_PASSWORD=pw\n")
    assert load_secrets(settings_for("context", env_file)).chat_ui == ""  # the chart's value applies
    with env_file.open("a") as file:
        file.write("CHAT_UI=chatkit\nCHATKIT_DOMAIN_KEY=domain_pk_1\n")
    secrets = load_secrets(settings_for("context", env_file))
    assert (secrets.chat_ui, secrets.chatkit_domain_key) == ("chatkit", "domain_pk_1")
    assert secret_data("todo-frontend", secrets)["chatkit-domain-key"] == "domain_pk_1"
    assert "chatkit-domain-key" not in secret_data("todo-backend", secrets)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("CHAT_UI=chatkit\n", "CHAT_UI=chatkit needs CHATKIT_DOMAIN_KEY"),
        ("CHAT_UI=chatgpt\n", "CHAT_UI must be default or chatkit, not 'chatgpt'"),
    ],
)
def test_a_wrong_chat_ui_is_refused_before_any_change(env_file: Path, settings: str, message: str) -> None:
    env_file.parent.mkdir(parents=True)
    env_file.write_text(f"BETTER_AUTH_SECRET={STRONG}\nPOSTGRES_PASSWORD=pw\n{settings}")
    with pytest.raises(OpsError, match=message):
        load_secrets(settings_for("context", env_file))
