"""Runtime settings, read once from the environment (names fixed by docs/architecture.md)."""

import sys
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

MIN_SECRET_LENGTH = 32
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


def normalise_database_url(raw: str) -> URL:
    """Accept postgres://, postgresql://, postgresql+psycopg:// and sqlite:// URLs (psycopg 3 driver)."""
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ValueError("not a database URL (expected postgresql://... or sqlite:///path)") from None
    if url.drivername in ("postgres", "postgresql", "postgresql+psycopg"):
        return url.set(drivername="postgresql+psycopg")
    if url.drivername == "sqlite":
        return url
    raise ValueError(f"unsupported database {url.drivername!r} (expected postgresql://... or sqlite:///path)")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, extra="ignore")

    DATABASE_URL: str = "sqlite:///./todo.db"
    BETTER_AUTH_URL: str = "http://localhost:3000"
    BETTER_AUTH_JWKS_URL: str | None = None
    BETTER_AUTH_SECRET: SecretStr | None = None
    JWT_ALLOW_HS256: bool = False
    OPENAI_API_KEY: SecretStr | None = None
    OPENAI_MODEL: str = "gpt-4o-mini"
    # Any OpenAI-compatible server (a proxy, vLLM, Ollama, LM Studio, ...) and which of its APIs to use.
    OPENAI_BASE_URL: str | None = None
    OPENAI_API_FLAVOUR: Literal["responses", "chat_completions"] = "responses"
    CORS_ORIGINS: Annotated[list[str], NoDecode] = Field(default_factory=list)
    LOG_LEVEL: LogLevel = "INFO"

    @field_validator("DATABASE_URL")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        normalise_database_url(value)
        return value

    @field_validator("BETTER_AUTH_URL", "BETTER_AUTH_JWKS_URL", "OPENAI_BASE_URL")
    @classmethod
    def _check_http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/") if value else value

    @field_validator("CORS_ORIGINS", mode="before")
    @classmethod
    def _split_origins(cls, value: str | list[str]) -> list[str]:
        return (
            [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value
        )

    @field_validator("OPENAI_API_FLAVOUR", mode="before")
    @classmethod
    def _lower_flavour(cls, value: str) -> str:
        return value.lower().replace("-", "_") if isinstance(value, str) else value

    @field_validator("LOG_LEVEL", mode="before")
    @classmethod
    def _upper_log_level(cls, value: str) -> str:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _hs256_needs_secret(self) -> "Settings":
        secret = self.BETTER_AUTH_SECRET.get_secret_value() if self.BETTER_AUTH_SECRET else ""
        if self.JWT_ALLOW_HS256 and len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"BETTER_AUTH_SECRET: JWT_ALLOW_HS256=true needs a secret of {MIN_SECRET_LENGTH}+ characters"
            )
        return self

    @property
    def database_url(self) -> URL:
        return normalise_database_url(self.DATABASE_URL)

    @property
    def jwks_url(self) -> str:
        return self.BETTER_AUTH_JWKS_URL or f"{self.BETTER_AUTH_URL}/api/auth/jwks"

    @property
    def online(self) -> bool:
        """A model service is configured: a key, or a base URL (local servers often need no key)."""
        return bool(self.OPENAI_API_KEY or self.OPENAI_BASE_URL)

    @property
    def openai_api_key(self) -> str:
        # The OpenAI client insists on a key; a keyless local server ignores this placeholder.
        return self.OPENAI_API_KEY.get_secret_value() if self.OPENAI_API_KEY else "not-needed"

    @property
    def hs256_secret(self) -> str | None:
        """The HS256 key, only when HS256 tokens are allowed."""
        if self.JWT_ALLOW_HS256 and self.BETTER_AUTH_SECRET:
            return self.BETTER_AUTH_SECRET.get_secret_value()
        return None


def describe_error(error: ValidationError) -> str:
    """One line naming the first offending variable, without echoing its value (it may be a secret)."""
    first = error.errors()[0]
    name = ".".join(str(part) for part in first["loc"]) or "settings"
    message = first["msg"].removeprefix("Value error, ")
    return message if not first["loc"] else f"{name}: {message}"


@lru_cache
def get_settings() -> Settings:
    """The process settings; on a bad environment print one clear line and exit (no traceback)."""
    try:
        return Settings()
    except ValidationError as error:
        print(f"todo-backend: invalid configuration: {describe_error(error)}", file=sys.stderr)
        raise SystemExit(2) from None
