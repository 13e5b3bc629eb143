"""The FastAPI application factory."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import errors
from api.deps import require_read
from api.routes import page_routers, public_routers, routers
from api.security import SecurityHeaders, install_log_redaction, receive_with_timeout
from graph import __version__
from graph.accounts import Accounts
from graph.service import AtlasService
from graph.settings import Settings, get_settings
from graph.store import open_store
from graph.store.embedded import is_empty

API_PREFIX = "/api/v1"
log = logging.getLogger("chain_atlas")


class BodyLimit:
    """Reject request bodies larger than ``limit`` bytes with 413: at once when
    Content-Length says so, else while reading (the body is buffered up to the limit
    before the app sees it, so a streamed body over the limit is also a 413)."""

    def __init__(self, app: ASGIApp, limit: int, timeout: float = 15.0) -> None:
        self.app = app
        self.limit = limit
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await self._reject(scope, receive, send)
            return
        try:
            first = await self._whole_body(receive)
        except OverflowError:
            await self._reject(scope, receive, send)
            return
        except TimeoutError:
            await self._timed_out(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return first
            return await receive()

        await self.app(scope, replay, send)

    async def _whole_body(self, receive: Receive) -> Message:
        """The request's first message with the whole body in it (each part must arrive
        within the timeout: TimeoutError; over the limit: OverflowError)."""
        first = await receive_with_timeout(receive, self.timeout)
        if first["type"] != "http.request":
            return first
        body = bytearray(first.get("body", b""))
        message = first
        while message.get("more_body", False) and len(body) <= self.limit:
            message = await receive_with_timeout(receive, self.timeout)
            if message["type"] != "http.request":
                return message
            body += message.get("body", b"")
        if len(body) > self.limit:
            raise OverflowError(len(body))
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    async def _timed_out(self, scope: Scope, receive: Receive, send: Send) -> None:
        resp = errors.error_response(408, "request_timeout",
                                     f"请求体超过 {self.timeout:g} 秒未送达 "
                                     "(request body timed out)",
                                     headers={"Connection": "close"})
        await resp(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        resp = errors.error_response(413, "payload_too_large",
                                     f"request body over {self.limit} bytes")
        await resp(scope, receive, send)


def create_app(settings: Settings | None = None, service: AtlasService | None = None) -> FastAPI:
    """Build the app. Without ``service``, opens the configured store on start-up and
    loads the seed atlas into it when it is empty."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "service", None) is None:
            store = open_store(settings)
            accounts = Accounts(settings.accounts_path)
            svc = AtlasService(store, accounts)
            if is_empty(store):
                svc.load_seeds(settings.seeds_dir, settings.sources())
            app.state.service = svc
            if not accounts.has_users():
                log.warning("no users configured: writes take the shared keys of "
                            "ATLAS_API_KEYS as before (create users with chain-atlas user add)")
        gc.collect()
        gc.freeze()  # the loaded atlas is long-lived: keep it out of every later GC pass
        yield
        app.state.service.store.close()

    app = FastAPI(
        title="Chain Atlas 产业链招商图谱 API",
        version=__version__,
        description="运城市产业链招商图谱：链条、环节、企业、缺链诊断、招商目标与项目。",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served by api.routes.docs, behind the read setting
    )
    app.state.settings = settings
    app.state.service = service
    errors.install(app)
    base_errors = errors.documented(401, 422)  # every route: key (if reads closed), input
    for router in routers():
        app.include_router(router, prefix=API_PREFIX, dependencies=[Depends(require_read)],
                           responses=base_errors)
    for router in page_routers():
        app.include_router(router, dependencies=[Depends(require_read)], responses=base_errors)
    for router in public_routers():
        app.include_router(router, responses=base_errors)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes,
                       timeout=settings.body_timeout_seconds)
    app.add_middleware(SecurityHeaders)
    install_log_redaction()
    if settings.cors_origins:  # outermost, so that every answer (413 too) carries CORS
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["*"], allow_headers=["*"])
    return app
