"""Secrets and per-environment settings from the env file (python-dotenv), checked before any cluster change.

Real environment variables win over the file, so CI can inject values without writing one.
"""

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from dotenv import dotenv_values, set_key

from ops.errors import OpsError
from ops.settings import Settings

LOCAL_TARGETS = ("minikube", "kind")
KEYS = (
    "BETTER_AUTH_SECRET",
    "POSTGRES_PASSWORD",
    "DATABASE_URL",
    "DATABASE_CA_FILE",
    "OPENAI_API_KEY",
    "OPENAI_MODEL",
    "OPENAI_BASE_URL",
    "OPENAI_API_FLAVOUR",
    "CHAT_UI",
    "CHATKIT_DOMAIN_KEY",
)
OPENAI_API_FLAVOURS = ("responses", "chat_completions")
CHAT_UIS = ("default", "chatkit")
GENERATED = ("BETTER_AUTH_SECRET", "POSTGRES_PASSWORD")
MIN_AUTH_SECRET_LENGTH = 32
# The embedded database's account, as the todo-postgres chart creates it.
EMBEDDED_DB_USER = "todo"
EMBEDDED_DB_NAME = "todo"
EMBEDDED_DB_HOST = "todo-postgres"


@dataclass(frozen=True)
class Secrets:
    better_auth_secret: str
    database_url: str
    postgres_password: str  # empty when an external database is used
    openai_api_key: str
    openai_model: str
    openai_base_url: str  # any OpenAI-compatible server; empty: api.openai.com
    openai_api_flavour: str  # the API that server speaks; empty: the chart's default
    database_ca: str = ""  # PEM of an external database's private CA (DATABASE_CA_FILE), or empty
    chat_ui: str = ""  # the frontend's chat UI, default or chatkit (docs/frontend.md); empty: the chart's
    chatkit_domain_key: str = ""

    @property
    def embedded_database(self) -> bool:
        return bool(self.postgres_password)


def read_env(path: Path) -> dict[str, str]:
    """The known keys from the env file, overridden by the process environment."""
    from_file = {key: value for key, value in dotenv_values(path).items() if value} if path.is_file() else {}
    from_process = {key: os.environ[key] for key in KEYS if os.environ.get(key)}
    return {**from_file, **from_process}


def may_generate(settings: Settings) -> bool:
    if settings.generate_secrets == "auto":
        return settings.target in LOCAL_TARGETS
    return settings.generate_secrets == "yes"


def generate_missing(path: Path, values: dict[str, str], dry: bool) -> dict[str, str]:
    """Create the secrets a first local deploy lacks and store them (mode 600) so later deploys reuse them."""
    wanted = [key for key in GENERATED if not values.get(key)]
    if "DATABASE_URL" in values:
        wanted = [key for key in wanted if key != "POSTGRES_PASSWORD"]
    if not wanted:
        return values
    print(
        f"generating {', '.join(wanted)} into {path} (mode 600)" + (" [dry-run: not written]" if dry else "")
    )
    generated = {key: secrets.token_urlsafe(32) for key in wanted}
    if not dry:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)
        for key, value in generated.items():
            set_key(path, key, value, quote_mode="never")
    return {**values, **generated}


def load_secrets(settings: Settings, dry: bool = False) -> Secrets:
    path = settings.path(settings.env_file)
    values = read_env(path)
    if may_generate(settings):
        values = generate_missing(path, values, dry)
    check_required(values, path)
    password = "" if values.get("DATABASE_URL") else values["POSTGRES_PASSWORD"]
    return Secrets(
        better_auth_secret=values["BETTER_AUTH_SECRET"],
        database_url=values.get("DATABASE_URL") or embedded_database_url(password),
        postgres_password=password,
        openai_api_key=values.get("OPENAI_API_KEY", ""),
        openai_model=values.get("OPENAI_MODEL", ""),
        openai_base_url=values.get("OPENAI_BASE_URL", ""),
        openai_api_flavour=values.get("OPENAI_API_FLAVOUR", ""),
        database_ca=database_ca(settings, values),
        chat_ui=values.get("CHAT_UI", ""),
        chatkit_domain_key=values.get("CHATKIT_DOMAIN_KEY", ""),
    )


def database_ca(settings: Settings, values: dict[str, str]) -> str:
    """The CA bundle a private external database's certificate chains to (Neon's are public: none needed)."""
    name = values.get("DATABASE_CA_FILE", "")
    if not name:
        return ""
    if not values.get("DATABASE_URL"):
        raise OpsError("DATABASE_CA_FILE is set but DATABASE_URL is not: the CA is for an external database")
    path = settings.path(name)
    try:
        text = path.read_text()
    except OSError as error:
        raise OpsError(f"DATABASE_CA_FILE: cannot read {path}: {error.strerror}") from None
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise OpsError(f"DATABASE_CA_FILE: {path} holds no PEM certificate")
    return text


def check_model_settings(values: dict[str, str]) -> None:
    base_url = values.get("OPENAI_BASE_URL", "")
    if base_url and not base_url.startswith(("http://", "https://")):
        raise OpsError(f"OPENAI_BASE_URL must be an http:// or https:// URL, not {base_url!r}")
    flavour = values.get("OPENAI_API_FLAVOUR", "")
    if flavour and flavour not in OPENAI_API_FLAVOURS:
        raise OpsError(f"OPENAI_API_FLAVOUR is {flavour!r}: use {' or '.join(OPENAI_API_FLAVOURS)}")


def check_required(values: dict[str, str], path: Path) -> None:
    missing = ["BETTER_AUTH_SECRET"] if not values.get("BETTER_AUTH_SECRET") else []
    if not values.get("DATABASE_URL") and not values.get("POSTGRES_PASSWORD"):
        missing.append("POSTGRES_PASSWORD (or DATABASE_URL for an external database)")
    if missing:
        raise OpsError(
            f"missing secret(s): {'; '.join(missing)}. Put them in {path} (see env/example.env) or the "
            "environment, or let the runner generate them with --generate-secrets yes"
        )
    check_model_settings(values)
    if len(values["BETTER_AUTH_SECRET"]) < MIN_AUTH_SECRET_LENGTH:
        raise OpsError(f"BETTER_AUTH_SECRET must be at least {MIN_AUTH_SECRET_LENGTH} characters long")
    check_chat_ui(values, path)
    url = values.get("DATABASE_URL", "")
    if url and not url.startswith(("postgresql://", "postgres://")):
        raise OpsError("DATABASE_URL must be a PostgreSQL URL: postgresql://user:password@host:5432/database")


def check_chat_ui(values: dict[str, str], path: Path) -> None:
    chat_ui = values.get("CHAT_UI", "default")
    if chat_ui not in CHAT_UIS:
        raise OpsError(f"CHAT_UI must be default or chatkit, not {chat_ui!r} (in {path} or the environment)")
    if chat_ui == "chatkit" and not values.get("CHATKIT_DOMAIN_KEY"):
        raise OpsError(
            "CHAT_UI=chatkit needs CHATKIT_DOMAIN_KEY: register the app's domain in OpenAI's domain "
            f"allowlist and put its key in {path} (docs/frontend.md)"
        )


def embedded_database_url(password: str) -> str:
    credentials = f"{EMBEDDED_DB_USER}:{quote(password, safe='')}"
    return f"postgresql://{credentials}@{EMBEDDED_DB_HOST}:5432/{EMBEDDED_DB_NAME}"
