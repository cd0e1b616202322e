"""What every benchmark and the contract check start from: the app served as in production.

uvicorn (one worker, as in the image) on 127.0.0.1 against PostgreSQL in a schema of its own, verifying real
EdDSA tokens from a local JWKS server, plus a token for one user.
"""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.exc import OperationalError

from tests.conftest import BACKEND_DIR, ISSUER, KID, migrate, postgres_test_url, serve
from tests.support import JWKSServer, public_jwk, running_jwks_server, sign_token

TOKEN_LIFETIME_S = 3600


class NoDatabase(Exception):
    """TEST_DATABASE_URL is not set, or its server cannot be reached."""


@dataclass(frozen=True)
class Served:
    server: Any  # tests.conftest's served app: .url and .process
    token: str  # a bearer token for the user
    scratch: Path  # a temporary directory that lives as long as the server
    key: Ed25519PrivateKey  # signs the tokens the server accepts

    def token_for(self, user: str) -> str:
        return sign_token(self.key, user, issuer=ISSUER, kid=KID, exp=time.time() + TOKEN_LIFETIME_S)


@contextmanager
def served_app(schema: str, user: str, backend_dir: Path = BACKEND_DIR) -> Iterator[Served]:
    """The migrated app in PostgreSQL schema `schema`, and a token for `user`; raises NoDatabase.

    `backend_dir` serves another checkout of the backend (the benchmark's baseline) with this one's tools."""
    if not os.environ.get("TEST_DATABASE_URL"):
        raise NoDatabase("set TEST_DATABASE_URL to a PostgreSQL database it may use (see docs/backend.md)")
    try:
        database_url = postgres_test_url(schema)
    except OperationalError as error:
        raise NoDatabase(f"cannot reach TEST_DATABASE_URL's server: {error.orig}") from None
    migrate(database_url)
    key = Ed25519PrivateKey.generate()
    token = sign_token(key, user, issuer=ISSUER, kid=KID, exp=time.time() + TOKEN_LIFETIME_S)
    with (
        running_jwks_server(JWKSServer(keys=[public_jwk(key, KID)])) as jwks,
        TemporaryDirectory() as scratch,
        serve(database_url, jwks.url, Path(scratch) / "uvicorn.log", backend_dir=backend_dir) as server,
    ):
        yield Served(server, token, Path(scratch), key)
