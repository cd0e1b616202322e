"""The API against its own OpenAPI contract: schemathesis, stateful links on, on PostgreSQL behind uvicorn.

    cd backend
    TEST_DATABASE_URL=postgresql://todo:todo@127.0.0.1:5432/todo_test .venv/bin/python -m bench.contract

Serves the app as in production (uvicorn, real EdDSA tokens from a local JWKS server, its own PostgreSQL
schema), then runs `schemathesis run` with every check, all four phases (examples, coverage, fuzzing and the
stateful phase, which follows the links schemathesis infers between operations, e.g. POST /tasks -> GET, PUT,
DELETE /tasks/{task_id}) and a bounded number of examples. Exits with schemathesis' status (0: no failure).
"""

import argparse
import subprocess
import sys
from pathlib import Path

from bench.harness import NoDatabase, Served, served_app

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
    try:
        with served_app(CONTRACT_SCHEMA, USER) as app:
            return run_schemathesis(app, options)
    except NoDatabase as error:
        print(f"bench.contract: {error}", file=sys.stderr)
        return 2


def run_schemathesis(app: Served, options: argparse.Namespace) -> int:
    config = app.scratch / "schemathesis.toml"
    config.write_text(CONFIG)
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(config),
        "run",
        f"{app.server.url}/openapi.json",
        "--header",
        f"Authorization: Bearer {app.token}",
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
    # Run in the scratch directory: schemathesis keeps a cache (.schemathesis/) in its working directory.
    return subprocess.run(command, cwd=app.scratch, check=False, timeout=1800).returncode


if __name__ == "__main__":
    sys.exit(main())
