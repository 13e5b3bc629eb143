"""The atlas service: a store plus version-keyed caches of derived results.

Used alike by the API and the CLI; knows nothing about HTTP.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from graph.analysis.rules import active_rules
from graph.errors import NotFound
from graph.loader import load_seeds
from graph.model import Atlas, Chain, Entity
from graph.store.base import AtlasStore

T = TypeVar("T")
E = TypeVar("E", bound=Entity)


class AtlasService:
    """Reads go through :meth:`atlas` (a snapshot); derived results are cached per
    store version, so a write invalidates them all at once."""

    def __init__(self, store: AtlasStore) -> None:
        self.store = store
        self._cache: dict[tuple[Any, ...], Any] = {}
        self._cache_version: tuple[int, int] = (-1, 0)
        self._lock = threading.Lock()

    def atlas(self) -> Atlas:
        return self.store.snapshot()

    def cached(self, key: tuple[Any, ...], compute: Callable[[Atlas], T]) -> T:
        """``compute(atlas)``, memoised until the next write or the next edit of the
        rules file in force (``active_rules`` reloads an edited file as a new object)."""
        version = (self.store.version(), id(active_rules()))
        with self._lock:
            if version != self._cache_version:
                self._cache.clear()
                self._cache_version = version
            if key in self._cache:
                return self._cache[key]  # type: ignore[no-any-return]
        value = compute(self.atlas())
        with self._lock:
            if self._cache_version == version:
                self._cache[key] = value
        return value

    def entity(self, entity_id: str, kind: str | None = None) -> Entity:
        """An entity by id (of ``kind`` if given); NotFound otherwise."""
        e = self.store.get(entity_id)
        if e is None or (kind is not None and kind != e.KIND):
            raise NotFound(f"no {kind or 'entity'} {entity_id!r}",
                           details=[{"field": "id", "value": entity_id}])
        return e

    def typed(self, entity_id: str, cls: type[E]) -> E:
        """An entity of model class ``cls`` by id; NotFound otherwise."""
        e = self.entity(entity_id, cls.KIND)
        assert isinstance(e, cls)
        return e

    def chain(self, chain_id: str) -> Chain:
        return self.typed(chain_id, Chain)

    def load_seeds(self, seeds_dir: Path, sources_dir: Path | None) -> dict[str, int]:
        """Validate the seeds and replace the store's atlas with them (atomic)."""
        atlas = load_seeds(seeds_dir, sources_dir=sources_dir)
        self.store.replace_all(atlas)
        return self.store.counts()
