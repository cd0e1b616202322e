"""Settings: URL normalisation, and a bad environment stops start-up with one clear line (no traceback)."""

import os
import subprocess
import sys

import pytest

from app.core.config import Settings, get_settings, normalise_database_url
from tests.conftest import BACKEND_DIR


@pytest.mark.parametrize(
    ("raw", "driver"),
    [
        ("postgres://u:p@db:5432/todo", "postgresql+psycopg"),
        ("postgresql://u:p@db:5432/todo", "postgresql+psycopg"),
        ("postgresql+psycopg://u:p@db:5432/todo", "postgresql+psycopg"),
        ("sqlite:///./todo.db", "sqlite"),
    ],
)
def test_database_urls_are_normalised(raw: str, driver: str) -> None:
    assert normalise_database_url(raw).drivername == driver


def test_defaults() -> None:
    settings = Settings(_env_file=None, **{"BETTER_AUTH_URL": "http://localhost:3000/"})
    assert settings.jwks_url == "http://localhost:3000/api/auth/jwks"
    assert settings.hs256_secret is None
    assert settings.OPENAI_MODEL == "gpt-4o-mini"


def test_any_openai_compatible_server() -> None:
    assert not Settings(_env_file=None).online  # no key, no base URL: the offline model
    local = Settings(OPENAI_BASE_URL="http://localhost:11434/v1/", OPENAI_API_FLAVOUR="Chat-Completions")
    assert (local.online, local.OPENAI_BASE_URL, local.OPENAI_API_FLAVOUR) == (
        True,
        "http://localhost:11434/v1",
        "chat_completions",
    )
    assert local.openai_api_key == "not-needed"  # keyless local servers ignore it
    keyed = Settings(OPENAI_API_KEY="sk-test")
    assert (keyed.online, keyed.openai_api_key, keyed.OPENAI_API_FLAVOUR) == (True, "sk-test", "responses")


def test_cors_origins_are_comma_separated() -> None:
    settings = Settings(CORS_ORIGINS="http://a.example, http://b.example,")
    assert settings.CORS_ORIGINS == ["http://a.example", "http://b.example"]


def _run(command: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key not in Settings.model_fields}
    return subprocess.run(
        command,
        cwd=BACKEND_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


BAD_ENVIRONMENTS = [
    ({"JWT_ALLOW_HS256": "true", "BETTER_AUTH_SECRET": "too-short"}, "BETTER_AUTH_SECRET"),
    ({"JWT_ALLOW_HS256": "true"}, "BETTER_AUTH_SECRET"),
    ({"JWT_ALLOW_HS256": "maybe"}, "JWT_ALLOW_HS256"),
    ({"DATABASE_URL": "mysql://u:p@db/todo"}, "DATABASE_URL"),
    ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
    ({"BETTER_AUTH_URL": "localhost:3000"}, "BETTER_AUTH_URL"),
    ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ({"OPENAI_API_FLAVOUR": "completions"}, "OPENAI_API_FLAVOUR"),
    ({"OPENAI_BASE_URL": "localhost:11434/v1"}, "OPENAI_BASE_URL"),
]


@pytest.mark.parametrize(("env", "variable"), BAD_ENVIRONMENTS)
def test_a_bad_environment_is_one_line_naming_the_variable(
    env: dict[str, str], variable: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    with pytest.raises(SystemExit) as stopped:
        get_settings()
    get_settings.cache_clear()
    assert stopped.value.code == 2
    line = capsys.readouterr().err.strip()
    assert line.startswith("todo-backend: invalid configuration:") and "\n" not in line
    assert variable in line
    assert "too-short" not in line  # the offending value may be a secret


def test_uvicorn_refuses_a_bad_environment_without_a_traceback() -> None:
    env = {"JWT_ALLOW_HS256": "true", "BETTER_AUTH_SECRET": "too-short"}
    result = _run([sys.executable, "-m", "uvicorn", "app.main:app", "--port", "1"], **env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "todo-backend: invalid configuration: "
        "BETTER_AUTH_SECRET: JWT_ALLOW_HS256=true needs a secret of 32+ characters"
    ]


def test_alembic_refuses_a_bad_environment_in_one_line() -> None:
    result = _run([sys.executable, "-m", "alembic", "upgrade", "head"], DATABASE_URL="mysql://u:p@db/todo")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "DATABASE_URL" in result.stderr.strip().splitlines()[-1]


def test_devtoken_needs_hs256(tmp_path) -> None:
    refused = _run([sys.executable, "-m", "app.devtoken", "alice"])
    assert refused.returncode == 2
    assert "JWT_ALLOW_HS256" in refused.stderr
    minted = _run(
        [sys.executable, "-m", "app.devtoken", "alice"], JWT_ALLOW_HS256="true", BETTER_AUTH_SECRET="k" * 32
    )
    assert minted.returncode == 0
    assert minted.stdout.count(".") == 2
