"""Moving a whole atlas between two stores, checked kind by kind (domain logic; the
``chain-atlas migrate`` command in :mod:`graph.commands.migrate` only opens the stores
and prints)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from graph.errors import AtlasError, Conflict
from graph.model import ENTITY_TYPES
from graph.store.base import AtlasStore
from graph.store.neo4j import Neo4jStore
from graph.store.neo4j import Progress as OnBatch


class MigrationMismatch(AtlasError):
    """The target's stored counts differ from the source's after a migration."""

    code = "migration_mismatch"
    status = 500


@dataclass(frozen=True)
class CountRow:
    """Stored count of one kind on both sides of a migration."""

    kind: str
    source: int
    target: int

    @property
    def ok(self) -> bool:
        return self.source == self.target


def migrate(source: AtlasStore, open_target: Callable[[], AtlasStore], *, force: bool = False,
            on_batch: OnBatch | None = None) -> list[CountRow]:
    """Copy the atlas in ``source`` into the store ``open_target()`` opens.

    Reads the source's snapshot and stored counts, refuses a non-empty target unless
    ``force`` (:class:`Conflict`), replaces the target's atlas atomically, then opens
    the target again and compares its stored counts with the source's. Returns one
    row per kind; raises :class:`MigrationMismatch` (with the rows) if any differs.

    >>> # migrate(EmbeddedStore(a), lambda: EmbeddedStore(b))  ->  [CountRow(...), ...]
    """
    atlas = source.snapshot()
    expected = source.counts()
    if expected != atlas.counts():
        raise Conflict("the source changed while it was read; run the migration again")
    target = open_target()
    try:
        held = sum(n for k, n in target.counts().items() if k in ENTITY_TYPES)
        if held and not force:
            raise Conflict(f"the target store holds {held} entities; pass --force to replace "
                           "them", details=[{"field": "force"}])
        if isinstance(target, Neo4jStore):
            target.replace_all(atlas, progress=on_batch)
        else:
            target.replace_all(atlas)
    finally:
        target.close()
    fresh = open_target()
    try:
        stored = fresh.counts()
    finally:
        fresh.close()
    rows = [CountRow(k, n, stored.get(k, 0)) for k, n in expected.items()]
    rows += [CountRow(k, 0, n) for k, n in stored.items() if k not in expected]
    if not all(r.ok for r in rows):
        raise MigrationMismatch("stored counts differ after the migration",
                                details=[asdict(r) for r in rows if not r.ok])
    return rows
