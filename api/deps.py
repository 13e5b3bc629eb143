"""FastAPI dependencies as ``Annotated`` aliases.

The dependencies are ``async`` because they never block: FastAPI then runs them on the
event loop instead of sending each to the thread pool.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, Query, Request, Security
from fastapi.security import APIKeyHeader

from api.examples import ex
from graph.accounts import ANONYMOUS, Forbidden, Principal, Unauthorized
from graph.errors import InvalidInput
from graph.model import Atlas
from graph.service import AtlasService
from graph.settings import Settings


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_service(request: Request) -> AtlasService:
    return request.app.state.service  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ServiceDep = Annotated[AtlasService, Depends(get_service)]

SESSION_COOKIE = "atlas_session"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LEGACY = Principal(name="shared-key", display_name="共享密钥", role="admin", via="legacy_key")


def hash_key(key: str) -> str:
    """The stored form of an API key: ``sha256:<hex>``."""
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def key_hashes(settings: Settings) -> list[str]:
    """Configured keys, all in hashed form (plain keys are hashed on read)."""
    return [k if k.startswith("sha256:") else hash_key(k) for k in settings.api_keys]


api_key_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, scheme_name="ApiKey",
    description="API key: a user's key (`chain-atlas user key NAME`) or a shared key from "
                "ATLAS_API_KEYS. Writes need one; reads too when ATLAS_READ_OPEN=false.")


def _from_key(request: Request, settings: Settings, key: str) -> Principal:
    given = hash_key(key)
    if any(hmac.compare_digest(given, h) for h in key_hashes(settings)):
        return LEGACY
    service: AtlasService = request.app.state.service
    found = service.accounts.key_principal(key) if service.accounts is not None else None
    if found is None:
        raise Unauthorized("API 密钥无效 (invalid API key)", details=[{"field": "X-API-Key"}])
    return found


def _from_session(request: Request) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    service: AtlasService = request.app.state.service
    if not token or service.accounts is None:
        return None
    who = service.accounts.session_principal(token)
    if who is not None and request.method in UNSAFE:
        sent = request.headers.get(CSRF_HEADER, "")
        if not who.csrf or not hmac.compare_digest(sent, who.csrf):
            raise Forbidden("缺少或错误的 CSRF 令牌 (CSRF token missing or wrong)",
                            details=[{"field": CSRF_HEADER}])
    return who


async def current_principal(request: Request, settings: SettingsDep,
                            x_api_key: Annotated[str | None, Security(api_key_scheme)] = None
                            ) -> Principal:
    """Who is asking: an API key (a user's, or the shared one), else the page session
    cookie (writes through it need the CSRF header), else nobody."""
    if x_api_key:
        return _from_key(request, settings, x_api_key)
    return _from_session(request) or ANONYMOUS


PrincipalDep = Annotated[Principal, Depends(current_principal)]


async def require_write(who: PrincipalDep) -> Principal:
    """Writes need a user that may write (member or admin) or the shared key."""
    if who.via == "anonymous":
        raise Unauthorized("写操作需要登录或 X-API-Key (missing X-API-Key header)",
                           details=[{"field": "X-API-Key"}])
    if who.role == "viewer":
        raise Forbidden(f"{who.display_name} 为只读用户 (viewer cannot write)",
                        details=[{"field": "role"}])
    return who


async def require_read(settings: SettingsDep, who: PrincipalDep) -> Principal:
    """Reads are open unless ``ATLAS_READ_OPEN=false``; then any logged-in user reads."""
    if not settings.read_open and who.via == "anonymous":
        raise Unauthorized("请先登录或提供 X-API-Key (login or X-API-Key required)",
                           details=[{"field": "X-API-Key"}])
    return who


async def require_admin(who: PrincipalDep) -> Principal:
    if who.role != "admin":
        raise Forbidden("仅管理员可用 (admins only)", details=[{"field": "role"}])
    return who


WriteAuth = Depends(require_write)
ReadAuth = Depends(require_read)
Writer = Annotated[Principal, Depends(require_write)]
Admin = Annotated[Principal, Depends(require_admin)]


Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.",
                              openapi_examples=ex(0))]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size.",
                             openapi_examples=ex(100))]


def known(atlas: Atlas, kind: str, value: str | None, field: str) -> str | None:
    """``value`` if it is the id of a ``kind`` entity in ``atlas`` (or None);
    InvalidInput naming ``field`` (e.g. ``query.county``) otherwise."""
    if value is not None and value not in atlas.entities(kind):
        raise InvalidInput(f"unknown {kind} {value!r}",
                           details=[{"field": field, "message": f"unknown {kind}",
                                     "value": value}])
    return value


def names_of(atlas: Atlas, ids: Iterable[str]) -> dict[str, str]:
    """Display names of the given ids (unknown ids are left out)."""
    out: dict[str, str] = {}
    for i in ids:
        e = atlas.find(i)
        if e is not None:
            out[i] = e.name
    return out
