"""Neo4j store: the atlas in a Neo4j 5 database through the official ``neo4j``
driver, behind the same :class:`graph.store.base.AtlasStore` contract as the
embedded store. Graph layout and every Cypher statement: :mod:`graph.store.cypher`.

* Start-up creates the constraints and indexes (idempotent) and the version node.
* Loads (``replace_all``, ``merge``) are UNWIND-batched MERGEs in one transaction,
  so they are atomic and idempotent.
* Every write transaction first bumps the version counter, which locks it: writers
  in all processes are serialised there, and the atlas a write validates against
  (the cached snapshot when its version is the one just before, otherwise read
  inside the transaction) is the current one. References are checked with
  :mod:`graph.integrity`, with the same exceptions as the embedded store.
* ``snapshot()`` reads the whole atlas back and caches it by version; the
  analysis functions run on it unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, Protocol

from graph.errors import AtlasError, Conflict, InvalidInput, NotFound, StoreUnavailable
from graph.integrity import (
    entity_refs_missing,
    referrers,
    relation_refs_missing,
    relations_touching,
)
from graph.model import (
    ENTITY_TABLE,
    ENTITY_TYPES,
    RELATION_TYPES,
    Atlas,
    Entity,
    Relation,
    Role,
    relation_key,
)
from graph.settings import Settings
from graph.store import cypher
from graph.store.cypher import NEO4J, Dialect
from graph.store.embedded import _copy

Progress = Callable[[str, int], None]
"""Called with (kind, rows written) after each batch of a load."""


class Runner(Protocol):
    """What the store uses of a driver session or transaction."""

    def run(self, query: str, parameters: dict[str, Any] | None = None
            ) -> Iterable[Mapping[str, Any]]: ...


class Tx(Runner, Protocol):
    """An explicit driver transaction."""

    def commit(self) -> None: ...
    def close(self) -> None:
        """Roll back unless committed (a no-op on a closed transaction)."""


class Session(Runner, Protocol):
    """A driver session (used as a context manager)."""

    def begin_transaction(self) -> Tx: ...
    def __enter__(self) -> Session: ...
    def __exit__(self, *exc: object) -> None: ...


class Driver(Protocol):
    """The part of :class:`neo4j.Driver` the store uses (the test double's boundary)."""

    def session(self, *, database: str | None = None) -> Session: ...
    def close(self) -> None: ...


def _one(result: Iterable[Mapping[str, Any]], key: str) -> Any:
    rows = list(result)
    return rows[0][key] if rows else None


def _batches(rows: Sequence[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield list(rows[i:i + size])


def _property(v: Any) -> Any:
    """``v`` if a graph property can hold it (scalar or list of scalars), else None."""
    scalar = (str, int, float, bool)
    if isinstance(v, scalar) or (isinstance(v, list) and all(isinstance(x, scalar) for x in v)):
        return v
    return None


def entity_row(e: Entity) -> dict[str, Any]:
    """Parameters of one entity for :func:`graph.store.cypher.upsert_entities`."""
    props = e.model_dump(mode="json", include=set(cypher.scalar_props(e.KIND)))
    return {"id": e.id, "kind": e.KIND, "data": e.model_dump_json(),
            **{p: _property(props.get(p)) for p in cypher.scalar_props(e.KIND)}}


def relation_row(r: Relation) -> dict[str, Any]:
    """Parameters of one relation for :func:`graph.store.cypher.upsert_relations`."""
    kind, a, b, q = relation_key(r)
    return {"a": a, "b": b, "q": q, "kind": kind, "data": r.model_dump_json()}


def _missing_refs(missing: list[str]) -> InvalidInput:
    return InvalidInput("unknown references", details=[
        {"field": m.split(":", 1)[0], "message": m} for m in missing])


@dataclass
class _Write:
    """One open write: its transaction, the new version and the atlas it leaves
    (``None``: unknown, reread on the next snapshot)."""

    tx: Tx
    version: int
    draft: Atlas | None


class Neo4jStore:
    """The atlas in Neo4j (``database`` None: the server's default database)."""

    def __init__(self, driver: Driver, database: str | None = None, *,
                 dialect: Dialect = NEO4J, batch_size: int = 2000) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        self._driver = driver
        self.database = database
        self.dialect = dialect
        self.batch_size = batch_size
        self._lock = threading.RLock()
        self._atlas = Atlas()
        self._version = -1
        with self._session() as s:
            for stmt in dialect.schema:
                list(s.run(stmt))
            list(s.run(cypher.INIT_META))

    @classmethod
    def from_settings(cls, settings: Settings, *, batch_size: int = 2000) -> Neo4jStore:
        """Connect with ``ATLAS_NEO4J_URI``/``_USER``/``_PASSWORD``/``_DATABASE``
        (no password: no authentication)."""
        if not settings.neo4j_uri:
            raise InvalidInput("ATLAS_STORE=neo4j needs ATLAS_NEO4J_URI",
                               details=[{"field": "neo4j_uri"}])
        from neo4j import GraphDatabase

        auth = (settings.neo4j_user, settings.neo4j_password) if settings.neo4j_password else None
        # neo4j.Driver satisfies :class:`Driver` at run time; its stubs demand
        # LiteralString queries, which generated Cypher cannot be.
        driver: Any = None
        try:
            driver = GraphDatabase.driver(settings.neo4j_uri, auth=auth)
            driver.verify_connectivity()
            return cls(driver, settings.neo4j_database or None, batch_size=batch_size)
        except Exception as exc:
            if driver is not None:
                driver.close()
            raise StoreUnavailable(
                f"无法连接 Neo4j（cannot use Neo4j at {settings.neo4j_uri}）：{exc}") from exc

    # --- plumbing ------------------------------------------------------------------

    def _session(self) -> Session:
        return self._driver.session(database=self.database)

    @contextmanager
    def _write(self, *, current: bool = True) -> Iterator[_Write]:
        """A write transaction that bumps the version first; with ``current`` the
        draft starts as a copy of the atlas as of the version before."""
        with self._lock, self._session() as session:
            tx = session.begin_transaction()
            try:
                version = int(_one(tx.run(cypher.bump_version(self.dialect), {}), "value"))
                draft = None
                if current:
                    base = self._atlas if self._version == version - 1 else self._read_all(tx)
                    draft = _copy(base)
                w = _Write(tx, version, draft)
                yield w
                tx.commit()
            except BaseException:
                with suppress(Exception):  # the original error matters more
                    tx.close()
                raise
            if w.draft is None:
                self._version = -1
            else:
                self._atlas, self._version = w.draft, w.version

    @staticmethod
    def _read_all(run: Runner) -> Atlas:
        ents: dict[str, dict[str, Entity]] = {t: {} for t in ENTITY_TABLE.values()}
        rels: dict[str, list[Relation]] = {k: [] for k in RELATION_TYPES}
        for rec in run.run(cypher.READ_ENTITIES, {}):
            if rec["kind"] not in ENTITY_TYPES:
                raise AtlasError(f"unknown entity kind {rec['kind']!r} in the database")
            e = ENTITY_TYPES[rec["kind"]].model_validate_json(rec["data"])
            ents[ENTITY_TABLE[e.KIND]][e.id] = e
        for rec in run.run(cypher.READ_RELATIONS, {}):
            if rec["kind"] not in RELATION_TYPES:
                raise AtlasError(f"unknown relation kind {rec['kind']!r} in the database")
            rels[rec["kind"]].append(RELATION_TYPES[rec["kind"]].model_validate_json(rec["data"]))
        tables: dict[str, Any] = {t: dict(sorted(v.items())) for t, v in ents.items()}
        tables.update({k: sorted(v, key=relation_key) for k, v in rels.items()})
        return Atlas.from_tables(tables)

    def _load(self, tx: Tx, atlas: Atlas, progress: Progress | None) -> None:
        """UNWIND-batched upserts of every entity, then every relation."""
        for kind in ENTITY_TYPES:
            rows = [entity_row(e) for e in atlas.entities(kind).values()]
            for batch in _batches(rows, self.batch_size):
                list(tx.run(cypher.upsert_entities(kind), {"rows": batch}))
                if progress:
                    progress(kind, len(batch))
        for kind in RELATION_TYPES:
            rows = [relation_row(r) for r in atlas.relations(kind)]
            for batch in _batches(rows, self.batch_size):
                done = int(_one(tx.run(cypher.upsert_relations(kind), {"rows": batch}), "n"))
                if done != len(batch):
                    raise InvalidInput(f"{len(batch) - done} {kind} relation(s) have an end "
                                       "that is not in the store", details=[{"field": kind}])
                if progress:
                    progress(kind, len(batch))

    # --- AtlasStore ------------------------------------------------------------------

    def replace_all(self, atlas: Atlas, progress: Progress | None = None) -> None:
        with self._write(current=False) as w:
            while _one(w.tx.run(cypher.CLEAR_BATCH, {"limit": self.batch_size}), "n"):
                pass
            self._load(w.tx, atlas, progress)
            w.draft = _copy(atlas)

    def merge(self, atlas: Atlas, progress: Progress | None = None) -> None:
        with self._write(current=False) as w:
            for kind in ENTITY_TYPES:
                ids = list(atlas.entities(kind))
                for i in range(0, len(ids), self.batch_size):
                    clash = list(w.tx.run(cypher.KIND_CLASHES,
                                          {"ids": ids[i:i + self.batch_size], "kind": kind}))
                    if clash:
                        raise Conflict(f"{len(clash)}+ id(s) exist as another kind",
                                       details=[{"field": "id", "id": r["id"], "kind": r["kind"]}
                                                for r in clash])
            self._load(w.tx, atlas, progress)

    def snapshot(self) -> Atlas:
        with self._lock, self._session() as s:
            v = int(_one(s.run(cypher.VERSION, {}), "value") or 0)
            if v != self._version:
                self._atlas, self._version = self._read_all(s), v
            return self._atlas

    def version(self) -> int:
        with self._session() as s:
            return int(_one(s.run(cypher.VERSION, {}), "value") or 0)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys([*ENTITY_TYPES, *RELATION_TYPES], 0)
        with self._session() as s:
            for q in (cypher.COUNT_ENTITIES, cypher.COUNT_RELATIONS):
                out.update({r["kind"]: int(r["n"]) for r in s.run(q, {}) if r["kind"] in out})
        return out

    def get(self, entity_id: str) -> Entity | None:
        with self._session() as s:
            rows = list(s.run(cypher.GET_ENTITY, {"id": entity_id}))
        if not rows or rows[0]["kind"] not in ENTITY_TYPES:
            return None
        return ENTITY_TYPES[rows[0]["kind"]].model_validate_json(rows[0]["data"])

    def _put(self, w: _Write, entity: Entity) -> Atlas:
        assert w.draft is not None
        missing = entity_refs_missing(w.draft, entity.KIND, entity.model_dump())
        if missing:
            raise _missing_refs(missing)
        list(w.tx.run(cypher.upsert_entities(entity.KIND), {"rows": [entity_row(entity)]}))
        w.draft.entities(entity.KIND)[entity.id] = entity
        return w.draft

    def create(self, entity: Entity) -> None:
        with self._write() as w:
            if w.draft is not None and w.draft.find(entity.id) is not None:
                raise Conflict(f"id {entity.id!r} exists", details=[{"field": "id"}])
            self._put(w, entity)

    def update(self, entity: Entity) -> None:
        with self._write() as w:
            if w.draft is None or entity.id not in w.draft.entities(entity.KIND):
                raise NotFound(f"no {entity.KIND} {entity.id!r}")
            self._put(w, entity)

    def transact(self, change: Callable[[Atlas], Sequence[Entity]]) -> list[Entity]:
        with self._write() as w:
            # the version counter is locked (bump_version) until commit: no other writer
            # can commit in between, and the draft is the atlas as of the version before.
            draft = w.draft
            assert draft is not None
            out = list(change(draft))
            stored = {r["id"]: ENTITY_TYPES[r["kind"]].model_validate_json(r["data"])
                      for r in w.tx.run(cypher.READ_FOR_UPDATE, {"ids": [e.id for e in out]})
                      if r["kind"] in ENTITY_TYPES}
            stale = sorted(i for i, now in stored.items() if now != draft.find(i))
            if stale:
                raise Conflict("数据已被其他写入修改，请重试 (stale_read)",
                               details=[{"field": "id", "id": i} for i in stale])
            for e in out:
                other = draft.find(e.id)
                if other is not None and other.KIND != e.KIND:
                    raise Conflict(f"id {e.id!r} exists as a {other.KIND}",
                                   details=[{"field": "id"}])
                draft.entities(e.KIND)[e.id] = e
            for e in out:
                missing = entity_refs_missing(draft, e.KIND, e.model_dump())
                if missing:
                    raise _missing_refs(missing)
            for kind in {e.KIND for e in out}:
                rows = [entity_row(e) for e in out if kind == e.KIND]
                for batch in _batches(rows, self.batch_size):
                    list(w.tx.run(cypher.upsert_entities(kind), {"rows": batch}))
        return out

    def delete(self, entity_id: str) -> None:
        with self._write() as w:
            draft = w.draft
            entity = draft.find(entity_id) if draft is not None else None
            if draft is None or entity is None:
                raise NotFound(f"no entity {entity_id!r}")
            refs = referrers(draft, entity)
            if refs:
                raise Conflict(f"{entity_id!r} is referenced by {len(refs)} entities",
                               details=[{"field": "id", "referrers": refs[:50]}])
            list(w.tx.run(cypher.DELETE_ENTITY, {"id": entity_id}))
            gone = {relation_key(r) for r in relations_touching(draft, entity_id)}
            del draft.entities(entity.KIND)[entity_id]
            for kind in {k[0] for k in gone}:
                setattr(draft, kind, [r for r in draft.relations(kind)
                                      if relation_key(r) not in gone])

    def add_relation(self, rel: Relation) -> None:
        with self._write() as w:
            assert w.draft is not None
            missing = relation_refs_missing(w.draft, rel)
            if missing:
                raise _missing_refs(missing)
            key = relation_key(rel)
            if any(relation_key(r) == key for r in w.draft.relations(rel.KIND)):
                raise Conflict(f"{rel.KIND} relation {key[1]} → {key[2]} exists")
            self._load(w.tx, Atlas.from_tables({rel.KIND: [rel]}), None)
            w.draft.relations(rel.KIND).append(rel)

    def remove_relation(self, kind: str, a: str, b: str, qualifier: str = "") -> None:
        with self._write() as w:
            key = (kind, a, b, qualifier)
            if w.draft is None or kind not in RELATION_TYPES or not any(
                    relation_key(r) == key for r in w.draft.relations(kind)):
                raise NotFound(f"no {kind} relation {a} → {b}")
            list(w.tx.run(cypher.delete_relation(kind), {"a": a, "b": b, "q": qualifier}))
            setattr(w.draft, kind, [r for r in w.draft.relations(kind) if relation_key(r) != key])

    def close(self) -> None:
        self._driver.close()

    # --- queries run in the database ---------------------------------------------------

    def chain_coverage(self, chain_id: str) -> list[dict[str, Any]]:
        """Per segment of a chain: local/anchor firms and outside targets operating
        there, fewest local firms first (``local == 0``: a missing link), computed
        by Cypher in the database (:data:`graph.store.cypher.CHAIN_COVERAGE`)."""
        with self._session() as s:
            return [dict(r) for r in s.run(cypher.CHAIN_COVERAGE, {
                "chain": chain_id, "local_roles": [Role.anchor.value, Role.local.value]})]
