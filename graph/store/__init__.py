"""Atlas stores behind one interface (:class:`graph.store.base.AtlasStore`)."""

from __future__ import annotations

from graph.settings import Settings
from graph.store.base import AtlasStore
from graph.store.embedded import EmbeddedStore


def open_store(settings: Settings) -> AtlasStore:
    """The store the settings ask for (embedded by default)."""
    if settings.store == "neo4j":
        from graph.store.neo4j import Neo4jStore

        return Neo4jStore.from_settings(settings)
    return EmbeddedStore(settings.db_path)


__all__ = ["AtlasStore", "EmbeddedStore", "open_store"]
