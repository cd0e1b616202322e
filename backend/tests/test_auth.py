"""Bearer-token verification on the REST API: every bad token is a 401, another user's path a 403."""

import base64
import json
import time
from datetime import UTC, datetime, timedelta, tzinfo

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from app.core import security
from app.core.config import Settings
from app.main import create_app
from tests.conftest import ISSUER, KID, TokenFactory, User
from tests.support import JWKSServer, public_jwk

HS256_SECRET = "s" * 40


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def unsigned_token(sub: str) -> str:
    header = {"alg": "none", "typ": "JWT", "kid": KID}
    exp = int((datetime.now(UTC) + timedelta(minutes=5)).timestamp())
    return f"{_b64(header)}.{_b64({'sub': sub, 'iss': ISSUER, 'aud': ISSUER, 'exp': exp})}."


def tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    return f"{header}.{_b64({**claims, 'sub': 'mallory'})}.{signature}"


def hs256_token(sub: str, secret: str = HS256_SECRET) -> str:
    exp = datetime.now(UTC) + timedelta(minutes=5)
    return jwt.encode({"sub": sub, "iss": ISSUER, "aud": ISSUER, "exp": exp}, secret, algorithm="HS256")


def get_tasks(client: TestClient, user_id: str, token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.get(f"/api/{user_id}/tasks", headers=headers).status_code


def test_valid_token_is_accepted(alice: User) -> None:
    assert alice.get("/tasks").status_code == 200


def test_issuer_with_a_trailing_slash_and_small_clock_skew_are_accepted(
    client: TestClient, make_token: TokenFactory
) -> None:
    slash = make_token("alice-id", iss=f"{ISSUER}/", aud=f"{ISSUER}/")
    assert get_tasks(client, "alice-id", slash) == 200
    issued_ahead = make_token("alice-id", iat=datetime.now(UTC) + timedelta(seconds=10))
    assert get_tasks(client, "alice-id", issued_ahead) == 200


@pytest.mark.parametrize(
    "make_bad_token",
    [
        pytest.param(lambda make: "", id="empty"),
        pytest.param(lambda make: "not-a-jwt", id="malformed"),
        pytest.param(lambda make: "a.b.c", id="garbage-segments"),
        pytest.param(
            lambda make: make("alice-id", exp=datetime.now(UTC) - timedelta(minutes=1)), id="expired"
        ),
        pytest.param(lambda make: make("alice-id", iss="http://evil.example"), id="wrong-issuer"),
        pytest.param(lambda make: make("alice-id", aud="http://other.example"), id="wrong-audience"),
        pytest.param(lambda make: make("alice-id", exp=None), id="no-expiry"),
        pytest.param(lambda make: make(None), id="no-subject"),
        pytest.param(lambda make: make(""), id="empty-subject"),
        pytest.param(lambda make: make("alice-id", key=Ed25519PrivateKey.generate()), id="wrong-key"),
        pytest.param(lambda make: make("alice-id", kid="unknown-kid"), id="unknown-kid"),
        pytest.param(lambda make: tampered(make("alice-id")), id="tampered"),
        pytest.param(lambda make: unsigned_token("alice-id"), id="alg-none"),
        pytest.param(lambda make: hs256_token("alice-id"), id="hs256-when-disabled"),
    ],
)
def test_bad_tokens_are_401(client: TestClient, make_token: TokenFactory, make_bad_token) -> None:
    response = client.get(
        "/api/alice-id/tasks", headers={"Authorization": f"Bearer {make_bad_token(make_token)}"}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"].startswith("Not authenticated")


def test_missing_or_non_bearer_authorization_is_401(client: TestClient, make_token: TokenFactory) -> None:
    assert get_tasks(client, "alice-id", None) == 401
    basic = {"Authorization": "Basic " + base64.b64encode(b"alice:pw").decode()}
    assert client.get("/api/alice-id/tasks", headers=basic).status_code == 401


def test_another_users_path_is_403(client: TestClient, alice: User) -> None:
    response = client.get("/api/bob-id/tasks", headers=alice.headers)
    assert response.status_code == 403
    assert client.post("/api/bob-id/chat", headers=alice.headers, json={"message": "hi"}).status_code == 403


def test_rotated_key_is_fetched_once(
    client: TestClient, jwks_server: JWKSServer, make_token: TokenFactory
) -> None:
    assert get_tasks(client, "alice-id", make_token("alice-id")) == 200
    fetches = jwks_server.fetches
    new_key = Ed25519PrivateKey.generate()
    jwks_server.keys.append(public_jwk(new_key, "rotated"))
    assert get_tasks(client, "alice-id", make_token("alice-id", key=new_key, kid="rotated")) == 200
    assert get_tasks(client, "alice-id", make_token("alice-id", key=new_key, kid="rotated")) == 200
    assert jwks_server.fetches == fetches + 1


def test_unknown_kids_cannot_hammer_the_jwks(settings: Settings, jwks_server: JWKSServer, make_token) -> None:
    """With the default refetch interval, a burst of tokens with made-up kids causes at most one refetch."""
    with TestClient(create_app(settings)) as client:
        assert get_tasks(client, "alice-id", make_token("alice-id")) == 200
        for attempt in range(20):
            assert get_tasks(client, "alice-id", make_token("alice-id", kid=f"bogus-{attempt}")) == 401
    assert jwks_server.fetches <= 2


def test_jwks_unreachable_is_503_then_recovers(
    client: TestClient, jwks_server: JWKSServer, make_token: TokenFactory
) -> None:
    jwks_server.available = False
    response = client.get(
        "/api/alice-id/tasks", headers={"Authorization": f"Bearer {make_token('alice-id')}"}
    )
    assert response.status_code == 503
    assert "signing keys" in response.json()["detail"]
    jwks_server.available = True
    assert get_tasks(client, "alice-id", make_token("alice-id")) == 200


def test_cached_keys_survive_a_jwks_outage(
    client: TestClient, jwks_server: JWKSServer, make_token: TokenFactory
) -> None:
    assert get_tasks(client, "alice-id", make_token("alice-id")) == 200
    jwks_server.available = False
    assert get_tasks(client, "alice-id", make_token("alice-id")) == 200


def test_hs256_accepted_only_when_enabled_with_the_secret(settings: Settings) -> None:
    enabled = Settings(
        **{**settings.model_dump(), "JWT_ALLOW_HS256": True, "BETTER_AUTH_SECRET": HS256_SECRET}
    )
    with TestClient(create_app(enabled)) as client:
        assert get_tasks(client, "alice-id", hs256_token("alice-id")) == 200
        assert get_tasks(client, "alice-id", hs256_token("alice-id", secret="x" * 40)) == 401
        assert get_tasks(client, "alice-id", unsigned_token("alice-id")) == 401


def test_a_token_is_checked_once_while_it_and_its_key_are_valid(
    client: TestClient, make_token: TokenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks = []
    decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda *args, **kwargs: checks.append(1) or decode(*args, **kwargs))
    token = make_token("alice-id")
    for _ in range(3):
        assert get_tasks(client, "alice-id", token) == 200
    assert get_tasks(client, "bob-id", token) == 403  # remembered for its user only
    assert len(checks) == 1


def test_a_remembered_token_expires(
    client: TestClient, make_token: TokenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = make_token("alice-id", exp=datetime.now(UTC) + timedelta(minutes=1))
    assert get_tasks(client, "alice-id", token) == 200
    later = time.time() + 120  # past its expiry and the clock skew allowed

    class Later(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
            return datetime.fromtimestamp(later, tz)

    monkeypatch.setattr(time, "time", lambda: later)  # the backend's clock, and PyJWT's below
    monkeypatch.setattr(jwt.api_jwt, "datetime", Later)
    assert get_tasks(client, "alice-id", token) == 401


def test_a_remembered_token_is_refused_once_its_key_leaves_the_jwks(
    client: TestClient, jwks_server: JWKSServer, make_token: TokenFactory
) -> None:
    token = make_token("alice-id")
    assert get_tasks(client, "alice-id", token) == 200
    new_key = Ed25519PrivateKey.generate()
    jwks_server.keys[:] = [public_jwk(new_key, "rotated")]
    # A token with the new key makes the backend fetch the keys again: the old key is gone.
    assert get_tasks(client, "alice-id", make_token("alice-id", key=new_key, kid="rotated")) == 200
    assert get_tasks(client, "alice-id", token) == 401


def test_a_remembered_token_waits_for_keys_grown_stale(
    client: TestClient, jwks_server: JWKSServer, make_token: TokenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keys are fetched again when old, as they are for a token never seen (a revoked key goes)."""
    token = make_token("alice-id")
    assert get_tasks(client, "alice-id", token) == 200
    fetches = jwks_server.fetches
    monkeypatch.setattr(security, "JWKS_MAX_AGE_SECONDS", -1)  # every key set is now too old
    assert get_tasks(client, "alice-id", token) == 200
    assert jwks_server.fetches == fetches + 1
