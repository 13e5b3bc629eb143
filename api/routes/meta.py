"""Health and statistics."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import PrincipalDep, ServiceDep, SettingsDep
from api.schemas import Health

router = APIRouter(tags=["meta"])
public_router = APIRouter(tags=["meta"])
"""Mounted without the read requirement: liveness must answer when reads are closed."""


@public_router.get("/api/v1/health", response_model=Health,
                   summary="Liveness and atlas counts (counts only for readers)")
def health(service: ServiceDep, settings: SettingsDep, who: PrincipalDep) -> Health:
    """Always answers; the counts are left out when reads are closed and nobody is logged in."""
    readable = settings.read_open or who.via != "anonymous"
    return Health(status="ok", version=service.store.version(),
                  counts=service.store.counts() if readable else {})


@router.get("/stats", response_model=dict[str, int], summary="Entities and relations per kind")
def stats(service: ServiceDep) -> dict[str, int]:
    """Number of entities and relations of each kind (a plain object, not a list)."""
    return service.store.counts()
