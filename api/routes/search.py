"""Search every entity by Chinese substring, alias, full pinyin or pinyin initials.

The index is built once (``AtlasService.cached``), then updated per write (only the
entities a write touched are indexed again, ``SearchIndex.updated``) and remembers recent
queries; the route is ``async`` and encodes its page with pydantic (see api/responses.py).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import Limit, Offset, ServiceDep
from api.errors import READ_ERRORS
from api.examples import ex
from api.responses import json_response
from api.schemas import Page, page
from graph.model import ENTITY_TYPES
from graph.search import SearchHit, SearchIndex

router = APIRouter(tags=["search"], responses=READ_ERRORS)

EntityKind = StrEnum("EntityKind", {k: k for k in ENTITY_TYPES})  # type: ignore[misc]
"""Entity kinds (every kind of the model)."""


@router.get("/search", response_model=Page[SearchHit],
            summary="Search entities by name, alias, id, full pinyin or pinyin initials")
async def search(
    service: ServiceDep,
    q: Annotated[str, Query(min_length=1, max_length=100,
                            description="Chinese substring, alias, full pinyin (zhengwei) or "
                                        "pinyin initials (zw).", openapi_examples=ex("zw"))],
    kind: Annotated[list[EntityKind] | None, Query(description="Only these kinds (repeatable).",
                                            openapi_examples=ex(["company"]))] = None,
    offset: Offset = 0, limit: Limit = 20,
) -> Response:
    """Every entity whose id, name, alias or code contains the query, also by full pinyin
    (`zhengwei`) or initials (`zw`), as `{data, count}`, best match first (exact, prefix,
    substring; text before pinyin)."""
    index = service.cached(("search_index",), SearchIndex,
                           update=lambda old, atlas, changed: old.updated(atlas, changed))
    hits = index.search(q, {str(k) for k in kind} if kind else None)
    return json_response(page(hits, offset, limit))
