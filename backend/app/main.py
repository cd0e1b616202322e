"""The FastAPI application: REST API, chat (ours and ChatKit's), health probes and the MCP server at /mcp."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from mcp.server.transport_security import TransportSecuritySettings
from sqlalchemy.exc import OperationalError
from starlette.routing import Match

from app.agent.pipeline import build_chat_agent
from app.api.routes import chat, chatkit, conversations, health, tasks
from app.core.config import Settings, get_settings
from app.core.db import build_engine
from app.core.errors import describe, first_sentence
from app.core.logging import AccessLogMiddleware, configure_logging
from app.core.security import JWKSCache, TokenVerifier
from app.mcp_server import build_mcp_server

logger = logging.getLogger(__name__)

# /mcp is guarded by bearer tokens, not by cookies or network position, so the MCP SDK's DNS-rebinding check
# (which would refuse in-cluster Host headers such as todo-backend:8000) protects nothing here.
MCP_TRANSPORT_SECURITY = TransportSecuritySettings(enable_dns_rebinding_protection=False)


async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    logger.error("database error on %s %s: %s", request.method, request.url.path, type(error).__name__)
    return JSONResponse(
        {"detail": "The database is unavailable; please retry."}, status.HTTP_503_SERVICE_UNAVAILABLE
    )


async def _invalid_request(request: Request, error: Exception) -> JSONResponse:
    """FastAPI's 422 list (`loc` names the field) with sentences for people, and the first one on top."""
    assert isinstance(error, RequestValidationError)
    issues = [
        {"loc": list(issue.get("loc", ())), "msg": describe(issue), "type": issue.get("type", "")}
        for issue in error.errors()
    ]
    body = {"detail": issues, "message": first_sentence(list(error.errors()))}
    return JSONResponse(jsonable_encoder(body), status.HTTP_422_UNPROCESSABLE_CONTENT)


METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")


async def _method_not_allowed(request: Request, error: Exception) -> JSONResponse:
    """405 with an Allow header naming every method of the path (Starlette names only one route's)."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
    ]
    return JSONResponse(
        {"detail": "Method Not Allowed"}, status.HTTP_405_METHOD_NOT_ALLOWED, {"Allow": ", ".join(allowed)}
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # Before MCPServer(): its logging.basicConfig() is then a no-op, and our JSON handler stays the only one.
    configure_logging(settings.LOG_LEVEL)
    engine = build_engine(settings.database_url)
    verifier = TokenVerifier(
        issuer=settings.BETTER_AUTH_URL, jwks=JWKSCache(settings.jwks_url), hs256_secret=settings.hs256_secret
    )
    mcp = build_mcp_server(engine, verifier, settings.BETTER_AUTH_URL)
    mcp_app = mcp.streamable_http_app(
        streamable_http_path="/mcp",
        stateless_http=True,
        json_response=True,
        transport_security=MCP_TRANSPORT_SECURITY,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.chat_agent = await build_chat_agent(mcp, settings)
        async with mcp.session_manager.run():
            yield
        engine.dispose()

    app = FastAPI(title="Todo AI Chatbot API", version="1.0.0", lifespan=lifespan)
    app.state.settings, app.state.engine, app.state.verifier, app.state.mcp = settings, engine, verifier, mcp
    for router in (tasks.router, chat.router, chatkit.router, conversations.router, health.router):
        app.include_router(router)
    app.add_route("/mcp", mcp_app)  # the MCP app routes /mcp itself, behind its bearer-auth middleware
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(status.HTTP_405_METHOD_NOT_ALLOWED, _method_not_allowed)
    if settings.CORS_ORIGINS:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.CORS_ORIGINS,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Mcp-Session-Id", "Mcp-Protocol-Version"],
        )
    app.add_middleware(AccessLogMiddleware)
    return app


app = create_app()
