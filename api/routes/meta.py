"""Health and statistics."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ServiceDep
from api.schemas import Health

router = APIRouter(tags=["meta"])


@router.get("/health", response_model=Health, summary="Liveness and atlas counts")
def health(service: ServiceDep) -> Health:
    """Liveness: `ok`, the store version (grows with every write; the ETag of JSON reads is
    built from it) and entity counts."""
    return Health(status="ok", version=service.store.version(), counts=service.store.counts())


@router.get("/stats", response_model=dict[str, int], summary="Entities and relations per kind")
def stats(service: ServiceDep) -> dict[str, int]:
    """Number of entities and relations of each kind (a plain object, not a list)."""
    return service.store.counts()
