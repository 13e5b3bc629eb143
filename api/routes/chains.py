"""Chains: list and detail (segments and feeds edges)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ServiceDep
from api.schemas import ChainDetail, Page
from graph.model import Chain

router = APIRouter(prefix="/chains", tags=["chains"])

Offset = Annotated[int, Query(ge=0, description="Items to skip.")]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size.")]


@router.get("", response_model=Page[Chain], summary="List chains (stable order by id)")
def list_chains(service: ServiceDep, offset: Offset = 0, limit: Limit = 100) -> Page[Chain]:
    chains = sorted(service.atlas().chains.values(), key=lambda c: c.id)
    return Page(data=chains[offset:offset + limit], count=len(chains))


@router.get("/{chain_id}", response_model=ChainDetail,
            summary="A chain with its segments and feeds")
def get_chain(chain_id: str, service: ServiceDep) -> ChainDetail:
    chain = service.chain(chain_id)
    atlas = service.atlas()
    return ChainDetail(id=chain.id, name=chain.name, cluster=chain.cluster, parent=chain.parent,
                       description=chain.description, segments=atlas.chain_segments(chain.id),
                       feeds=atlas.chain_feeds(chain.id))
