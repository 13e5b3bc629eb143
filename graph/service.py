"""The atlas service: a store plus version-keyed caches of derived results.

Used alike by the API and the CLI; knows nothing about HTTP.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from graph.accounts import Accounts, Entry, Principal
from graph.analysis.rules import active_rules
from graph.errors import NotFound
from graph.loader import load_seeds
from graph.model import Atlas, Campaign, Chain, Entity, Project, Relation, relation_key
from graph.permissions import check_write
from graph.pipeline.ops import replace_project, update_campaign
from graph.store.base import AtlasStore

T = TypeVar("T")
E = TypeVar("E", bound=Entity)


class AtlasService:
    """Reads go through :meth:`atlas` (a snapshot); derived results are cached per
    store version, so a write invalidates them all at once."""

    def __init__(self, store: AtlasStore, accounts: Accounts | None = None) -> None:
        self.store = store
        self.accounts = accounts
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

    # --- the write path: permission, domain rule, store write, audit ------------------

    def audit(self, who: Principal, entry: Entry, action: str, kind: str, target: str,
              before: Any = None, after: Any = None) -> None:
        """Append an audit record (when accounts are configured)."""
        if self.accounts is not None:
            self.accounts.record(who, entry, action, kind, target, before, after)

    def create(self, who: Principal, entry: Entry, entity: Entity) -> Entity:
        """Create ``entity`` if ``who`` may; recorded in the audit trail."""
        check_write(who, self.atlas(), entity.KIND, None, entity)
        self.store.create(entity)
        self.audit(who, entry, "create", entity.KIND, entity.id,
                   after=entity.model_dump(mode="json"))
        return entity

    def update(self, who: Principal, entry: Entry, entity: Entity) -> Entity:
        """Replace ``entity`` if ``who`` may. Projects and campaigns are checked and written
        in one transaction against the stored record (compare-and-set on ``rev``; a
        project's stage only changes through the lifecycle, see
        :func:`graph.pipeline.ops.replace_project`)."""
        before = self.entity(entity.id, entity.KIND)
        check_write(who, self.atlas(), entity.KIND, before, entity)
        if isinstance(entity, Project):  # checked and written against the current record
            entity = replace_project(self.store, entity)
        elif isinstance(entity, Campaign):
            entity = update_campaign(self.store, entity)
        else:
            self.store.update(entity)
        self.audit(who, entry, "update", entity.KIND, entity.id,
                   before=before.model_dump(mode="json"), after=entity.model_dump(mode="json"))
        return entity

    def delete(self, who: Principal, entry: Entry, entity_id: str, kind: str) -> None:
        """Delete an entity (and the relations at its ends) if ``who`` may."""
        before = self.entity(entity_id, kind)
        check_write(who, self.atlas(), kind, before, None)
        self.store.delete(entity_id)
        self.audit(who, entry, "delete", kind, entity_id, before=before.model_dump(mode="json"))

    def relate(self, who: Principal, entry: Entry, rel: Relation) -> Relation:
        """Add a relation (admins only)."""
        check_write(who, self.atlas(), rel.KIND, None, None)
        self.store.add_relation(rel)
        _, a, b, q = relation_key(rel)
        self.audit(who, entry, "relate", rel.KIND, f"{a}→{b}{':' + q if q else ''}",
                   after=rel.model_dump(mode="json"))
        return rel

    def unrelate(self, who: Principal, entry: Entry, kind: str, a: str, b: str,
                 qualifier: str = "") -> None:
        """Remove a relation (admins only)."""
        check_write(who, self.atlas(), kind, None, None)
        self.store.remove_relation(kind, a, b, qualifier)
        self.audit(who, entry, "unrelate", kind, f"{a}→{b}{':' + qualifier if qualifier else ''}")
