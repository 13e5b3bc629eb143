"""JSON responses for cached reads: the bytes are made once per store version.

Routes that serve derived results (analysis, search) return these ``Response`` objects
directly, so FastAPI does not re-validate and re-encode a cached result on every request;
the route still declares its ``response_model`` for the OpenAPI document. Such routes are
``async``: a cache hit is a dictionary look-up (plus the store's version check), with no
hop to the thread pool.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

from fastapi.responses import Response
from pydantic import BaseModel

from graph.model import Atlas
from graph.service import AtlasService

JSON = "application/json"
Result = BaseModel | Sequence[BaseModel]


def json_bytes(value: Result) -> bytes:
    """A model, or a list of models, as JSON (pydantic's own encoder)."""
    if isinstance(value, BaseModel):
        return value.model_dump_json().encode()
    return b"[" + b",".join(m.model_dump_json().encode() for m in value) + b"]"


def json_response(value: Result) -> Response:
    return Response(json_bytes(value), media_type=JSON)


def cached_json(service: AtlasService, key: tuple[Hashable, ...],
                compute: Callable[[Atlas], Result]) -> Response:
    """``compute(atlas)`` as a JSON response; the result and its bytes are both cached
    through :meth:`AtlasService.cached` (``key`` and ``("json", *key)``) until the next
    write. An exception from ``compute`` is raised and nothing is cached."""
    body = service.cached(("json", *key),
                          lambda _: json_bytes(service.cached(key, compute)))
    return Response(body, media_type=JSON)
