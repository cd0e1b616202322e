"""Mint an HS256 test token for local use: `python -m app.devtoken USER_ID [--minutes N]`.

It works only when the backend itself would accept the token (JWT_ALLOW_HS256=true and a BETTER_AUTH_SECRET of
32+ characters), so it is useless against a default deployment, which takes only Better Auth's EdDSA tokens.
"""

import argparse
import sys
from datetime import UTC, datetime, timedelta

import jwt

from app.core.config import get_settings
from app.core.security import HS256


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.devtoken", description=__doc__.splitlines()[0])
    parser.add_argument("user_id", help="the token's subject (the {user_id} in API paths)")
    parser.add_argument("--minutes", type=int, default=15, help="lifetime in minutes (default 15)")
    args = parser.parse_args(argv)
    settings = get_settings()
    secret = settings.hs256_secret
    if secret is None:
        print(
            "devtoken: set JWT_ALLOW_HS256=true and BETTER_AUTH_SECRET (32+ characters) first",
            file=sys.stderr,
        )
        return 2
    now = datetime.now(UTC)
    claims = {
        "sub": args.user_id,
        "iss": settings.BETTER_AUTH_URL,
        "aud": settings.BETTER_AUTH_URL,
        "iat": now,
        "exp": now + timedelta(minutes=args.minutes),
    }
    print(jwt.encode(claims, secret, algorithm=HS256))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
