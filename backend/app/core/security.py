"""Verification of Better Auth JWTs: EdDSA against the frontend's JWKS, optionally HS256 with the secret."""

import asyncio
import logging
import time
from dataclasses import dataclass, field

import httpx
import jwt

logger = logging.getLogger(__name__)

JWKS_ALGORITHMS = ["EdDSA"]  # Better Auth's default signing algorithm (Ed25519)
HS256 = "HS256"
REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub"]
JWKS_MAX_AGE_SECONDS = 300  # refresh now and then so revoked keys leave the cache
JWKS_REFETCH_INTERVAL_SECONDS = (
    10  # at most one fetch per interval for unknown kids: bad tokens cannot hammer it
)
JWKS_TIMEOUT_SECONDS = 5
CLOCK_SKEW_SECONDS = 30  # the frontend and the backend may run on nodes whose clocks differ a little
VERIFIED_TOKENS_KEPT = 1024  # tokens remembered as verified (a page's requests repeat one token)


class InvalidToken(Exception):
    """The token is missing, malformed, expired or not signed by a trusted key (HTTP 401)."""


class KeysUnavailable(Exception):
    """The JWKS could not be fetched, so no EdDSA token can be checked right now (HTTP 503)."""


@dataclass
class JWKSCache:
    """Signing keys by kid from the JWKS URL; refetched when stale or on an unknown kid, at most once per
    `refetch_interval` so that bad tokens cannot hammer the sign-in service."""

    url: str
    refetch_interval: float = JWKS_REFETCH_INTERVAL_SECONDS
    keys: dict[str, jwt.PyJWK] = field(default_factory=dict)
    fetched_at: float = float("-inf")
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def key_for(self, kid: str) -> jwt.PyJWK:
        if kid not in self.keys or not self.fresh():
            async with self.lock:  # concurrent misses share one fetch
                if self._age() > self.refetch_interval:
                    await self._refresh()
        if not self.keys:
            raise KeysUnavailable("the sign-in service's signing keys are not available yet")
        try:
            return self.keys[kid]
        except KeyError:
            raise InvalidToken("token signed by an unknown key") from None

    def fresh(self) -> bool:
        """Whether the keys are recent enough to use without asking the JWKS again."""
        return self._age() <= JWKS_MAX_AGE_SECONDS

    def _age(self) -> float:
        return time.monotonic() - self.fetched_at

    async def _refresh(self) -> None:
        try:
            # A client per fetch: fetches are rare, and nothing stays bound to one event loop.
            async with httpx.AsyncClient(timeout=JWKS_TIMEOUT_SECONDS) as client:
                response = await client.get(self.url)
            response.raise_for_status()
            key_set = jwt.PyJWKSet.from_dict(response.json())
        except (httpx.HTTPError, ValueError, jwt.PyJWTError) as error:
            # Keep the keys we have (if any) and wait an interval before the next try.
            self.fetched_at = time.monotonic()
            logger.warning("JWKS fetch from %s failed: %s", self.url, type(error).__name__)
            return
        self.keys = {key.key_id: key for key in key_set.keys if key.key_id and key.algorithm_name == "EdDSA"}
        self.fetched_at = time.monotonic()
        if not self.keys:
            logger.warning("JWKS from %s has no EdDSA key with a kid: no token can be verified", self.url)


@dataclass
class TokenVerifier:
    """Checks signature, expiry, issuer, audience and subject; returns the user id (`sub`).

    A token that passed is remembered, with its subject and expiry, until it expires or the signing keys
    are fetched again (a key taken out of the JWKS then stops its tokens as before): the signature check
    and the claims' decoding were a tenth of a task list's CPU, for the same answer on every request."""

    issuer: str
    jwks: JWKSCache
    hs256_secret: str | None = None
    # token -> (subject, expiry, the key set it was checked against); oldest first, bounded
    verified: dict[str, tuple[str, float, float]] = field(default_factory=dict)

    async def user_id(self, token: str) -> str:
        remembered = self.verified.get(token)
        if remembered is not None:
            subject, expires, keys = remembered
            if (
                keys == self.jwks.fetched_at
                and self.jwks.fresh()
                and time.time() < expires + CLOCK_SKEW_SECONDS
            ):
                return subject
            del self.verified[token]
        subject, expires = await self._verify(token)
        if len(self.verified) >= VERIFIED_TOKENS_KEPT:
            del self.verified[next(iter(self.verified))]
        self.verified[token] = (subject, expires, self.jwks.fetched_at)
        return subject

    async def _verify(self, token: str) -> tuple[str, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("malformed token") from None
        key, algorithms = await self._key_and_algorithms(header)
        # Better Auth's base URL, written with or without its trailing slash.
        accepted = [self.issuer, f"{self.issuer}/"]
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=accepted,
                issuer=accepted,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("token expired") from None
        except jwt.PyJWTError as error:
            raise InvalidToken(f"invalid token: {error}") from None
        subject = claims["sub"]
        if not isinstance(subject, str) or not subject:
            raise InvalidToken("token has no subject")
        return subject, claims["exp"]

    async def _key_and_algorithms(self, header: dict) -> tuple[jwt.PyJWK | str, list[str]]:
        algorithm = header.get("alg")
        if algorithm == HS256 and self.hs256_secret:
            return self.hs256_secret, [HS256]
        if algorithm not in JWKS_ALGORITHMS:
            raise InvalidToken(f"signing algorithm {algorithm!r} is not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("token has no key id")
        return await self.jwks.key_for(kid), JWKS_ALGORITHMS
