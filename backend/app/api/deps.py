"""Request dependencies: the database session and the authenticated user."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from app.core.db import open_session
from app.core.security import InvalidToken, KeysUnavailable, TokenVerifier

_bearer = HTTPBearer(auto_error=False, description="A Better Auth JWT (EdDSA), or HS256 when enabled")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


# The dependencies below are async on purpose: FastAPI runs sync dependencies in its thread pool, and these
# do no blocking work (a session opens its connection lazily), so each saves a thread hop per request.


async def get_session(request: Request) -> AsyncIterator[Session]:
    session = open_session(request.app.state.engine)
    try:
        yield session
    finally:
        await run_in_threadpool(session.close)  # gives the connection back: a round trip, kept off the loop


async def token_user_id(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> str:
    """The user id (`sub`) of a valid bearer token: 401 for a bad token, 503 if keys cannot be fetched."""
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "Not authenticated: send a bearer token", _CHALLENGE
        )
    verifier: TokenVerifier = request.app.state.verifier
    try:
        return await verifier.user_id(credentials.credentials)
    except InvalidToken as error:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"Not authenticated: {error}", _CHALLENGE) from None
    except KeysUnavailable as error:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(error)) from None


async def current_user(
    # No length limits here: the path's user must equal the token's, and anything else is a 403 anyway.
    user_id: Annotated[str, Path()],
    token_user: Annotated[str, Depends(token_user_id)],
) -> str:
    """The `{user_id}` of the path, which must be the token's user."""
    if user_id != token_user:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "This token belongs to another user")
    return user_id


SessionDep = Annotated[Session, Depends(get_session)]
CurrentUser = Annotated[str, Depends(current_user)]
