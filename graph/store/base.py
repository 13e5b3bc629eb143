"""The store interface. One Protocol, two implementations: the embedded store
(networkx in memory + SQLite on disk, :mod:`graph.store.embedded`) and Neo4j.

Contract (tested by ``tests/test_store_contract.py`` over every implementation):

* ``replace_all`` is atomic and idempotent: after it the store holds exactly the
  given atlas; on failure it holds what it held before.
* ``merge`` upserts every entity and relation of an atlas (for imports), atomically.
* Single writes validate references: ``create`` raises :class:`Conflict` if the id
  exists, ``update``/``delete`` raise :class:`NotFound` if it does not, a write that
  would leave a dangling reference raises :class:`Conflict` (delete) or
  :class:`InvalidInput` (create/update/relations).
* Every successful write increments ``version()``; ``snapshot()`` returns the
  atlas as of the latest version, so readers can cache by version.
* Writes are durable when the call returns.
* ``transact(change)`` is compare-and-set across processes: ``change`` is called with
  the atlas as it stands *inside* the write transaction (no other writer, in this
  process or another, can commit in between) and the entities it returns are upserted
  in that same transaction; if it raises, nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from graph.model import Atlas, Entity, Relation


@runtime_checkable
class AtlasStore(Protocol):
    """What every atlas store offers."""

    def replace_all(self, atlas: Atlas) -> None:
        """Make the store hold exactly ``atlas`` (atomic)."""

    def merge(self, atlas: Atlas) -> None:
        """Upsert every entity and relation of ``atlas`` (atomic)."""

    def transact(self, change: Callable[[Atlas], Sequence[Entity]]) -> list[Entity]:
        """Upsert what ``change(current atlas)`` returns, read and written in one write
        transaction (references checked); the entities written."""

    def snapshot(self) -> Atlas:
        """The whole atlas as of the latest write (treat as read-only)."""

    def version(self) -> int:
        """A number that grows with every successful write."""

    def counts(self) -> dict[str, int]:
        """Entities and relations per kind."""

    def get(self, entity_id: str) -> Entity | None:
        """An entity by id, or None."""

    def create(self, entity: Entity) -> None:
        """Add a new entity; Conflict if the id exists."""

    def update(self, entity: Entity) -> None:
        """Replace an existing entity (same id and kind); NotFound if missing."""

    def delete(self, entity_id: str) -> None:
        """Delete an entity and the relations at its ends; Conflict if other entities
        reference it in their fields."""

    def add_relation(self, rel: Relation) -> None:
        """Add a relation; Conflict if the same (kind, ends, qualifier) exists."""

    def remove_relation(self, kind: str, a: str, b: str, qualifier: str = "") -> None:
        """Remove a relation; NotFound if missing."""

    def close(self) -> None:
        """Release resources."""
