"""Chains: list and detail (segments, feeds edges, sub-chains)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import Limit, Offset, ServiceDep, names_of
from api.errors import READ_ERRORS
from api.examples import ex
from api.schemas import ChainDetail, Page, page
from graph.model import Chain

router = APIRouter(prefix="/chains", tags=["chains"], responses=READ_ERRORS)

ChainId = Annotated[str, Path(description="Chain id.", openapi_examples=ex("ch.coking.nylon"))]


@router.get("", response_model=Page[Chain], summary="List chains (stable order by id)")
def list_chains(service: ServiceDep, offset: Offset = 0, limit: Limit = 100,
                cluster: Annotated[str | None, Query(description="Only this cluster (集群).",
                                                     openapi_examples=ex("绿色焦化"))] = None,
                ) -> Page[Chain]:
    """Every chain (产业链/集群) as `{data, count}` in id order; `cluster` and `parent` filter."""
    chains = sorted(service.atlas().chains.values(), key=lambda c: c.id)
    if cluster is not None:
        chains = [c for c in chains if c.cluster == cluster]
    return page(chains, offset, limit)


@router.get("/{chain_id}", response_model=ChainDetail,
            summary="A chain with its segments, feeds edges and sub-chains")
def get_chain(chain_id: ChainId, service: ServiceDep) -> ChainDetail:
    """A chain with its segments, its feeds edges (supply flows source → target), its
    sub-chains and the display name of every id it references."""
    chain = service.chain(chain_id)
    atlas = service.atlas()
    segments = atlas.chain_segments(chain.id)
    children = sorted(c.id for c in atlas.chains.values() if c.parent == chain.id)
    return ChainDetail(chain=chain, segments=segments, feeds=atlas.chain_feeds(chain.id),
                       children=children,
                       names=names_of(atlas, [*(s.id for s in segments), *children]))
