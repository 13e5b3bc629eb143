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
from graph.analysis.rules import active_rules
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


class StoreETag:
    """ETag and Cache-Control on JSON reads under ``prefix``.

    Rule: a GET's tag is ``W/"<store version>-<rules id>"`` read *before* the request is
    served (a write during it can only make the tag older than the body, never newer). A
    request whose ``If-None-Match`` holds the current tag is answered ``304`` at once when
    reads are open (nothing is computed), otherwise after the route (so a closed API still
    checks the key first). Every JSON 200 gets the tag and ``Cache-Control: no-cache``
    (clients keep it and revalidate); other answers pass unchanged.
    """

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    @staticmethod
    def tag(service: AtlasService) -> str:
        return f'W/"{service.store.version()}-{id(active_rules()):x}"'

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] not in ("GET", "HEAD")
                or not scope["path"].startswith(self.prefix)):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        service = getattr(state, "service", None)
        if service is None:
            await self.app(scope, receive, send)
            return
        etag = self.tag(service)
        asked = dict(scope.get("headers") or []).get(b"if-none-match", b"").decode("latin-1")
        match = etag in [t.strip() for t in asked.split(",")] or asked.strip() == "*"
        if match and state.settings.read_open:
            await self._not_modified(send, etag)
            return

        skip = False

        async def wrapped(message: Message) -> None:
            nonlocal skip
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = list(message.get("headers", []))
                ctype = dict(headers).get(b"content-type", b"")
                if ctype.startswith(b"application/json"):
                    if match:
                        await self._not_modified(send, etag)
                        skip = True
                        return
                    headers += [(b"etag", etag.encode()), (b"cache-control", b"no-cache")]
                    message = {**message, "headers": headers}
            if skip:
                return
            await send(message)

        await self.app(scope, receive, wrapped)

    @staticmethod
    async def _not_modified(send: Send, etag: str) -> None:
        await send({"type": "http.response.start", "status": 304,
                    "headers": [(b"etag", etag.encode()), (b"cache-control", b"no-cache")]})
        await send({"type": "http.response.body", "body": b""})


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
    app.add_middleware(StoreETag, prefix=API_PREFIX)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes,
                       timeout=settings.body_timeout_seconds)
    app.add_middleware(SecurityHeaders)
    install_log_redaction()
    if settings.cors_origins:  # outermost, so that every answer (413 too) carries CORS
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["*"], allow_headers=["*"])
    return app
