"""The API against its own OpenAPI contract: schemathesis, stateful links on, on PostgreSQL behind uvicorn.

    cd backend
    TEST_DATABASE_URL=postgresql://todo:todo@127.0.0.1:5432/todo_test .venv/bin/python -m bench.contract

Serves the app as in production (uvicorn, real EdDSA tokens from a local JWKS server, its own PostgreSQL
schema), then runs `schemathesis run` with every check, all four phases (examples, coverage, fuzzing and the
stateful phase, which follows the links schemathesis infers between operations, e.g. POST /tasks -> GET, PUT,
DELETE /tasks/{task_id}) and a bounded number of examples. Exits with schemathesis' status (0: no failure).
"""

import argparse
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.conftest import ISSUER, KID, migrate, postgres_test_url, serve
from tests.support import JWKSServer, public_jwk, running_jwks_server, sign_token

USER = "contract-user"
CONTRACT_SCHEMA = "backend_contract"
# Every path has {user_id}: pin it to the token's user, or nearly every request would be a (correct) 403.
CONFIG = f"""
[parameters]
"path.user_id" = "{USER}"
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=30, help="per operation and phase")
    parser.add_argument("--seed", type=int, default=None)
    options = parser.parse_args()
    if not os.environ.get("TEST_DATABASE_URL"):
        print("bench.contract: set TEST_DATABASE_URL (a PostgreSQL database it may use)", file=sys.stderr)
        return 2
    url = postgres_test_url(CONTRACT_SCHEMA)
    migrate(url)
    key = Ed25519PrivateKey.generate()
    with (
        running_jwks_server(JWKSServer(keys=[public_jwk(key, KID)])) as jwks,
        TemporaryDirectory() as scratch,
        serve(url, jwks.url, Path(scratch) / "uvicorn.log") as served,
    ):
        config = Path(scratch) / "schemathesis.toml"
        config.write_text(CONFIG)
        token = sign_token(key, USER, issuer=ISSUER, kid=KID, exp=datetime.now(UTC) + timedelta(hours=1))
        command = [
            str(Path(sys.executable).with_name("schemathesis")),
            "--config-file",
            str(config),
            "run",
            f"{served.url}/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            str(options.max_examples),
            "--workers",
            "1",
            "--no-color",
            "--output-sanitize",
            "true",
        ]
        if options.seed is not None:
            command += ["--seed", str(options.seed)]
        return subprocess.run(command, check=False, timeout=1800).returncode


if __name__ == "__main__":
    sys.exit(main())
