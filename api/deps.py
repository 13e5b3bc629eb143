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
from graph.errors import AtlasError, InvalidInput
from graph.model import Atlas
from graph.service import AtlasService
from graph.settings import Settings


class Unauthorized(AtlasError):
    code = "unauthorized"
    status = 401


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_service(request: Request) -> AtlasService:
    return request.app.state.service  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ServiceDep = Annotated[AtlasService, Depends(get_service)]


def hash_key(key: str) -> str:
    """The stored form of an API key: ``sha256:<hex>``."""
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def key_hashes(settings: Settings) -> list[str]:
    """Configured keys, all in hashed form (plain keys are hashed on read)."""
    return [k if k.startswith("sha256:") else hash_key(k) for k in settings.api_keys]


def _check_key(settings: Settings, key: str | None) -> None:
    if not key:
        raise Unauthorized("missing X-API-Key header", details=[{"field": "X-API-Key"}])
    given = hash_key(key)
    if not any(hmac.compare_digest(given, h) for h in key_hashes(settings)):
        raise Unauthorized("invalid API key", details=[{"field": "X-API-Key"}])


API_KEY_SCHEME = APIKeyHeader(
    name="X-API-Key", auto_error=False, scheme_name="ApiKey",
    description="API key: needed for every write, and for reads when "
                "ATLAS_READ_OPEN=false. Use the Authorize button to send it on each call.")
ApiKey = Annotated[str | None, Security(API_KEY_SCHEME)]
"""The ``X-API-Key`` header as an OpenAPI security scheme (Swagger UI's Authorize button)."""


async def require_write(settings: SettingsDep, x_api_key: ApiKey = None) -> None:
    """Writes need a valid key in ``X-API-Key``."""
    _check_key(settings, x_api_key)


async def require_read(settings: SettingsDep, x_api_key: ApiKey = None) -> None:
    """Reads are open unless ``ATLAS_READ_OPEN=false``."""
    if not settings.read_open:
        _check_key(settings, x_api_key)


WriteAuth = Depends(require_write)
ReadAuth = Depends(require_read)


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
