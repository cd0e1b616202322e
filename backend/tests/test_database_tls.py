"""DATABASE_URL's TLS options reach libpq unchanged (psycopg reads them with libpq's meaning), and a real
TLS-only server (ci/external-db/setup.sh) is reached, verified and refused as libpq promises."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from app.core.config import normalise_database_url
from app.core.db import build_engine
from tests.conftest import BACKEND_DIR

NEON_URL = (
    "postgresql://app:pw@ep-x.eu-central-1.aws.neon.tech/neondb?sslmode=require&channel_binding=require"
)


def test_the_tls_options_of_a_neon_url_are_kept() -> None:
    url = normalise_database_url(NEON_URL)
    assert url.drivername == "postgresql+psycopg"
    assert dict(url.query) == {"sslmode": "require", "channel_binding": "require"}


def test_a_root_certificate_in_the_url_is_kept() -> None:
    url = normalise_database_url("postgres://a:b@db:5432/x?sslmode=verify-full&sslrootcert=/etc/ca/ca.crt")
    assert url.query["sslrootcert"] == "/etc/ca/ca.crt"


# A real TLS-only server: the Neon-shaped URL the host reaches it with, and the CA of its certificate.
TLS_URL = os.environ.get("TEST_TLS_DATABASE_URL", "")
TLS_CA = os.environ.get("TEST_TLS_DATABASE_CA", "")
needs_tls_server = pytest.mark.skipif(
    not (TLS_URL and TLS_CA),
    reason="set TEST_TLS_DATABASE_URL and TEST_TLS_DATABASE_CA (ci/external-db/setup.sh) to run",
)


def with_query(**query: str) -> URL:
    return normalise_database_url(TLS_URL).set(query=query)


def connection_uses_tls(url: URL) -> bool:
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            query = text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            return connection.execute(query).scalar()
    finally:
        engine.dispose()


@needs_tls_server
def test_the_neon_shaped_url_connects_over_tls_with_channel_binding() -> None:
    assert connection_uses_tls(normalise_database_url(TLS_URL))


@needs_tls_server
def test_verify_full_with_the_servers_ca_connects() -> None:
    assert connection_uses_tls(with_query(sslmode="verify-full", sslrootcert=TLS_CA))


@needs_tls_server
def test_require_with_pgsslrootcert_verifies_the_chain(monkeypatch) -> None:
    # The charts mount database.caSecret and point PGSSLROOTCERT at it: libpq then checks the chain.
    monkeypatch.setenv("PGSSLROOTCERT", "/etc/ssl/certs/ca-certificates.crt")  # public CAs, not the server's
    with pytest.raises(Exception, match="certificate verify failed"):
        connection_uses_tls(normalise_database_url(TLS_URL))
    monkeypatch.setenv("PGSSLROOTCERT", TLS_CA)
    assert connection_uses_tls(normalise_database_url(TLS_URL))


@needs_tls_server
def test_the_server_refuses_a_connection_without_tls() -> None:
    with pytest.raises(Exception, match="no encryption"):
        connection_uses_tls(with_query(sslmode="disable"))


@needs_tls_server
def test_migrations_stop_at_once_with_one_line_when_the_certificate_does_not_verify() -> None:
    url = with_query(sslmode="verify-full", sslrootcert="/etc/ssl/certs/ca-certificates.crt")
    env = {**os.environ, "DATABASE_URL": url.render_as_string(hide_password=False)}
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=BACKEND_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "TLS certificate cannot be verified" in result.stderr
    assert "Traceback" not in result.stderr
