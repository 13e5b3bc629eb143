"""Embedded store: the atlas in memory (pydantic models, networkx views built on
demand) and durably in one SQLite file (WAL, ``synchronous=FULL``, one
transaction per write).

Several processes may share one file: each write runs in ``BEGIN IMMEDIATE``, so
writers are serialised by SQLite, and every operation first compares the stored
version with the one in memory and reloads when another process has written.
Readers get copy-on-write snapshots: a write never mutates an atlas a reader holds.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from graph.errors import Conflict, InvalidInput, NotFound
from graph.integrity import (
    entity_refs_missing,
    referrers,
    relation_refs_missing,
    relations_touching,
)
from graph.memory import paused_gc
from graph.model import (
    ENTITY_TABLE,
    ENTITY_TYPES,
    RELATION_TYPES,
    Atlas,
    Entity,
    Relation,
    relation_key,
)
from graph.store.base import AtlasStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (id TEXT PRIMARY KEY, kind TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS entities_kind ON entities(kind);
CREATE TABLE IF NOT EXISTS relations (
  kind TEXT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL, q TEXT NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY (kind, a, b, q));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('version', '0');
"""


def _copy(atlas: Atlas) -> Atlas:
    """A shallow copy whose tables can be changed without touching ``atlas``."""
    return Atlas.from_tables({
        name: (dict(v) if isinstance(v, dict) else list(v))
        for name, v in ((n, getattr(atlas, n)) for n in Atlas.model_fields)
    })


def _entity_row(e: Entity) -> tuple[str, str, str]:
    return e.id, e.KIND, e.model_dump_json()


def _relation_row(r: Relation) -> tuple[str, str, str, str, str]:
    return (*relation_key(r), r.model_dump_json())


class EmbeddedStore:
    """The default store: SQLite file at ``path`` plus the atlas in memory."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, timeout=60, isolation_level=None,
                                   check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=60000")
        self._db.executescript("BEGIN IMMEDIATE;" + SCHEMA + "COMMIT;")
        self._atlas = Atlas()
        self._version = -1
        self._sync()

    # --- plumbing ------------------------------------------------------------------

    @contextmanager
    def _txn(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; in-memory state is reloaded if it fails."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute(
                    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='version'")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                self._version = -1
                raise

    def _stored_version(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
        return int(row[0])

    def _sync(self) -> None:
        """Reload from disk when another process (or a failed write) changed it."""
        with self._lock:
            v = self._stored_version()
            if v != self._version:
                self._atlas = self._read_all()
                self._version = v

    def _read_all(self) -> Atlas:
        """Every stored row as an atlas, built with the garbage collector paused
        (hundreds of thousands of new, long-lived objects, none of them garbage)."""
        with paused_gc():
            return self._read_rows()

    def _read_rows(self) -> Atlas:
        ents: dict[str, dict[str, Entity]] = {t: {} for t in ENTITY_TABLE.values()}
        rels: dict[str, list[Relation]] = {k: [] for k in RELATION_TYPES}
        for kind, data in self._db.execute("SELECT kind, data FROM entities ORDER BY id"):
            e = ENTITY_TYPES[kind].model_validate_json(data)
            ents[ENTITY_TABLE[kind]][e.id] = e
        for kind, data in self._db.execute(
                "SELECT kind, data FROM relations ORDER BY kind, a, b, q"):
            rels[kind].append(RELATION_TYPES[kind].model_validate_json(data))
        return Atlas.from_tables({**ents, **rels})

    @contextmanager
    def _change(self) -> Iterator[tuple[sqlite3.Connection, Atlas]]:
        """A write: yields the db (in a transaction) and a copy of the atlas to edit;
        the copy becomes the current atlas when the transaction commits."""
        with self._lock:
            with self._txn() as db:
                self._sync()
                draft = _copy(self._atlas)
                yield db, draft
            self._atlas = draft
            self._version = self._stored_version()

    # --- AtlasStore ------------------------------------------------------------------

    def replace_all(self, atlas: Atlas) -> None:
        with self._lock:
            with self._txn() as db:
                db.execute("DELETE FROM entities")
                db.execute("DELETE FROM relations")
                self._insert(db, atlas)
            self._atlas = _copy(atlas)
            self._version = self._stored_version()

    def merge(self, atlas: Atlas) -> None:
        with self._change() as (db, draft):
            self._insert(db, atlas)
            for kind, table in ENTITY_TABLE.items():
                getattr(draft, table).update(atlas.entities(kind))
            for kind in RELATION_TYPES:
                new = {relation_key(r): r for r in atlas.relations(kind)}
                kept = [r for r in draft.relations(kind) if relation_key(r) not in new]
                setattr(draft, kind, kept + list(new.values()))

    def transact(self, change: Callable[[Atlas], Sequence[Entity]]) -> list[Entity]:
        with self._change() as (db, draft):
            # BEGIN IMMEDIATE is held and _change re-read the file if another process
            # wrote: ``draft`` is the current atlas and stays so until COMMIT.
            out = list(change(draft))
            for e in out:
                other = draft.find(e.id)
                if other is not None and other.KIND != e.KIND:
                    raise Conflict(f"id {e.id!r} exists as a {other.KIND}",
                                   details=[{"field": "id"}])
                draft.entities(e.KIND)[e.id] = e
            for e in out:
                self._check_refs(draft, e)
            db.executemany("INSERT OR REPLACE INTO entities(id, kind, data) VALUES (?,?,?)",
                           (_entity_row(e) for e in out))
        return out

    @staticmethod
    def _insert(db: sqlite3.Connection, atlas: Atlas) -> None:
        db.executemany("INSERT OR REPLACE INTO entities(id, kind, data) VALUES (?,?,?)",
                       (_entity_row(e) for k in ENTITY_TYPES
                        for e in atlas.entities(k).values()))
        db.executemany("INSERT OR REPLACE INTO relations(kind, a, b, q, data) VALUES (?,?,?,?,?)",
                       (_relation_row(r) for k in RELATION_TYPES for r in atlas.relations(k)))

    def snapshot(self) -> Atlas:
        self._sync()
        return self._atlas

    def version(self) -> int:
        self._sync()
        return self._version

    def counts(self) -> dict[str, int]:
        return self.snapshot().counts()

    def get(self, entity_id: str) -> Entity | None:
        return self.snapshot().find(entity_id)

    def create(self, entity: Entity) -> None:
        with self._change() as (db, draft):
            if draft.find(entity.id) is not None:
                raise Conflict(f"id {entity.id!r} exists", details=[{"field": "id"}])
            self._check_refs(draft, entity)
            db.execute("INSERT INTO entities(id, kind, data) VALUES (?,?,?)",
                       _entity_row(entity))
            draft.entities(entity.KIND)[entity.id] = entity

    def update(self, entity: Entity) -> None:
        with self._change() as (db, draft):
            old = draft.entities(entity.KIND).get(entity.id)
            if old is None:
                raise NotFound(f"no {entity.KIND} {entity.id!r}")
            self._check_refs(draft, entity)
            db.execute("UPDATE entities SET data=? WHERE id=?",
                       (entity.model_dump_json(), entity.id))
            draft.entities(entity.KIND)[entity.id] = entity

    @staticmethod
    def _check_refs(atlas: Atlas, entity: Entity) -> None:
        missing = entity_refs_missing(atlas, entity.KIND, entity.model_dump())
        if missing:
            raise InvalidInput("unknown references", details=[
                {"field": m.split(":", 1)[0], "message": m} for m in missing])

    def delete(self, entity_id: str) -> None:
        with self._change() as (db, draft):
            entity = draft.find(entity_id)
            if entity is None:
                raise NotFound(f"no entity {entity_id!r}")
            refs = referrers(draft, entity)
            if refs:
                raise Conflict(f"{entity_id!r} is referenced by {len(refs)} entities",
                               details=[{"field": "id", "referrers": refs[:50]}])
            gone = {relation_key(r) for r in relations_touching(draft, entity_id)}
            db.execute("DELETE FROM entities WHERE id=?", (entity_id,))
            db.execute("DELETE FROM relations WHERE a=? OR b=?", (entity_id, entity_id))
            del draft.entities(entity.KIND)[entity_id]
            for kind in {k[0] for k in gone}:
                setattr(draft, kind, [r for r in draft.relations(kind)
                                      if relation_key(r) not in gone])

    def add_relation(self, rel: Relation) -> None:
        with self._change() as (db, draft):
            missing = relation_refs_missing(draft, rel)
            if missing:
                raise InvalidInput("unknown references", details=[
                    {"field": m.split(":", 1)[0], "message": m} for m in missing])
            key = relation_key(rel)
            if any(relation_key(r) == key for r in draft.relations(rel.KIND)):
                raise Conflict(f"{rel.KIND} relation {key[1]} → {key[2]} exists")
            db.execute("INSERT INTO relations(kind, a, b, q, data) VALUES (?,?,?,?,?)",
                       _relation_row(rel))
            draft.relations(rel.KIND).append(rel)

    def remove_relation(self, kind: str, a: str, b: str, qualifier: str = "") -> None:
        with self._change() as (db, draft):
            key = (kind, a, b, qualifier)
            if kind not in RELATION_TYPES or not any(
                    relation_key(r) == key for r in draft.relations(kind)):
                raise NotFound(f"no {kind} relation {a} → {b}")
            db.execute("DELETE FROM relations WHERE kind=? AND a=? AND b=? AND q=?", key)
            setattr(draft, kind, [r for r in draft.relations(kind) if relation_key(r) != key])

    def close(self) -> None:
        with self._lock:
            self._db.close()


def is_empty(store: AtlasStore) -> bool:
    """True when the store holds no entity."""
    return not any(store.counts()[k] for k in ENTITY_TYPES)

