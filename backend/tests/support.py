"""Better Auth stand-ins shared by the tests and bench/: a real JWKS server on 127.0.0.1, EdDSA tokens."""

import json
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def public_jwk(key: Ed25519PrivateKey, kid: str) -> dict[str, Any]:
    """The public key as a JWK with only kty, crv, x and kid (no "alg": the backend must not need it)."""
    return {**json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key())), "kid": kid}


@dataclass
class JWKSServer:
    """Serves {"keys": [...]} at /api/auth/jwks on 127.0.0.1, as Better Auth does; counts the fetches."""

    keys: list[dict[str, Any]] = field(default_factory=list)
    available: bool = True
    fetches: int = 0
    url: str = ""

    def handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.fetches += 1
                status, body = (200, json.dumps({"keys": server.keys})) if server.available else (500, "down")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def free_port() -> int:
    """A free port: any, or one of TEST_PORT_RANGE ("42000-42999") on machines that share their ports."""
    first, _, last = os.environ.get("TEST_PORT_RANGE", "0-0").partition("-")
    for port in range(int(first), int(last) + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError(f"no free port in TEST_PORT_RANGE {first}-{last}")


@contextmanager
def running_jwks_server(state: JWKSServer) -> Iterator[JWKSServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), state.handler())
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/api/auth/jwks"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def sign_token(
    key: Any, sub: str | None, *, issuer: str, kid: str, algorithm: str = "EdDSA", **claims: Any
) -> str:
    """A token like Better Auth's (15 minutes); a claim given as None is left out."""
    now = datetime.now(UTC)
    payload = {"sub": sub, "iss": issuer, "aud": issuer, "iat": now, "exp": now + timedelta(minutes=15)}
    payload = {name: value for name, value in {**payload, **claims}.items() if value is not None}
    return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": kid})


def parse_sse(text: str) -> list[tuple[str, dict[str, Any]]]:
    """Server-sent events as (event name, decoded JSON data) pairs."""
    events = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            events.append((fields["event"], json.loads(fields["data"])))
    return events
