"""Every Cypher statement of the Neo4j store, in one module.

Graph layout:

* each entity is a node labelled ``:Entity`` plus a label per kind (``company`` →
  ``:Company``, ``member_of`` → ``:MemberOf``) with ``id``, ``kind``, ``data`` (the
  entity's JSON) and a few scalar properties for Cypher queries and indexes
  (:data:`SCALAR_PROPS`, where the kind has that field);
* each relation is a relationship typed by its kind (``feeds`` → ``:FEEDS``) from
  its first end to its second end (:data:`graph.model.RELATION_ENDS`), with
  ``kind``, ``q`` (the qualifier of :func:`graph.model.relation_key`: the chain
  id for ``FEEDS``, ``""`` otherwise) and ``data`` (the relation's JSON);
* one ``(:AtlasMeta {key: 'version'})`` node holds the write counter; every write
  transaction bumps it first, which also serialises writers on that node.

The statements keep to a portable subset (MERGE, UNWIND, OPTIONAL MATCH,
collect, list comprehensions) that both Neo4j 5 and FalkorDB run. What differs
(schema DDL, the clock function) is in a :class:`Dialect`. Labels and types are
spliced in only after :func:`label`/:func:`rel_type` checked them; every value is
a parameter.

>>> label("member_of"), rel_type("member_of")
('MemberOf', 'MEMBER_OF')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph.model import ENTITY_TYPES, RELATION_ENDS

ENTITY = "Entity"
META = "AtlasMeta"
SCALAR_PROPS: tuple[str, ...] = ("name", "role", "county", "stage", "chains")
"""Entity fields copied onto the node (when the kind has them) besides ``data``."""

_KIND = re.compile(r"[a-z][a-z0-9_]*\Z")


def _checked(kind: str) -> str:
    if not _KIND.match(kind):
        raise ValueError(f"not a kind name: {kind!r}")
    return kind


def label(kind: str) -> str:
    """The node label of an entity kind: ``"company"`` → ``"Company"``."""
    return "".join(p.capitalize() for p in _checked(kind).split("_"))


def rel_type(kind: str) -> str:
    """The relationship type of a relation kind: ``"feeds"`` → ``"FEEDS"``."""
    return _checked(kind).upper()


def scalar_props(kind: str) -> tuple[str, ...]:
    """The :data:`SCALAR_PROPS` that entities of ``kind`` have, in that order."""
    fields = ENTITY_TYPES[kind].model_fields
    return tuple(p for p in SCALAR_PROPS if p in fields)


# --- dialects ----------------------------------------------------------------------


@dataclass(frozen=True)
class Dialect:
    """What differs between servers: schema statements and the clock."""

    name: str
    schema: tuple[str, ...]
    """Idempotent DDL run on start (Neo4j); FalkorDB's ``CREATE INDEX`` has no
    ``IF NOT EXISTS``, so its runner ignores "already indexed" errors."""
    unique: tuple[tuple[str, str], ...]
    """(label, property) pairs that must be unique."""
    now_ms: str
    """A Cypher expression for the current time in ms since the epoch."""


def _indexed() -> list[tuple[str, str]]:
    """(label, property) pairs to index: every scalar property per kind label."""
    out = [(ENTITY, "kind"), (ENTITY, "name")]
    for kind in ENTITY_TYPES:
        out += [(label(kind), p) for p in scalar_props(kind) if p not in ("name", "chains")]
    return out


def neo4j_dialect() -> Dialect:
    """Neo4j 5: named constraints and range indexes, ``IF NOT EXISTS``."""
    unique = ((ENTITY, "id"), (META, "key"))
    ddl = [f"CREATE CONSTRAINT atlas_{lbl.lower()}_{p} IF NOT EXISTS "
           f"FOR (n:{lbl}) REQUIRE n.{p} IS UNIQUE" for lbl, p in unique]
    ddl += [f"CREATE INDEX atlas_{lbl.lower()}_{p} IF NOT EXISTS FOR (n:{lbl}) ON (n.{p})"
            for lbl, p in _indexed()]
    return Dialect("neo4j", tuple(ddl), unique, "datetime().epochMillis")


def falkordb_dialect() -> Dialect:
    """FalkorDB: unnamed indexes; unique constraints are a separate command
    (``GRAPH.CONSTRAINT CREATE``) that needs an index on the property first."""
    unique = ((ENTITY, "id"), (META, "key"))
    ddl = [f"CREATE INDEX FOR (n:{lbl}) ON (n.{p})" for lbl, p in (*unique, *_indexed())]
    return Dialect("falkordb", tuple(ddl), unique, "timestamp()")


NEO4J = neo4j_dialect()
FALKORDB = falkordb_dialect()

# --- version counter ---------------------------------------------------------------

INIT_META = f"MERGE (m:{META} {{key: 'version'}}) ON CREATE SET m.value = 0 RETURN m.value AS value"
VERSION = f"MATCH (m:{META} {{key: 'version'}}) RETURN m.value AS value"


def bump_version(dialect: Dialect) -> str:
    """Increment the version (creating the counter if it is missing); the write
    lock on the counter node, held until commit, serialises writers."""
    return (f"MERGE (m:{META} {{key: 'version'}}) ON CREATE SET m.value = 0 "
            f"SET m.value = m.value + 1, m.updated_ms = {dialect.now_ms} "
            "RETURN m.value AS value")


# --- reads -------------------------------------------------------------------------

READ_ENTITIES = f"MATCH (n:{ENTITY}) RETURN n.kind AS kind, n.data AS data"
READ_RELATIONS = (f"MATCH (:{ENTITY})-[r]->(:{ENTITY}) WHERE r.kind IS NOT NULL "
                  "RETURN r.kind AS kind, r.data AS data")
GET_ENTITY = f"MATCH (n:{ENTITY} {{id: $id}}) RETURN n.kind AS kind, n.data AS data"
READ_FOR_UPDATE = (f"UNWIND $ids AS id MATCH (n:{ENTITY} {{id: id}}) "
                   "RETURN n.id AS id, n.kind AS kind, n.data AS data")
"""Compare-and-set guard of :meth:`Neo4jStore.transact`: the stored JSON of ``$ids``,
read inside the write transaction after the version counter is locked; the store refuses
the write if any differs from what the change was computed from."""
COUNT_ENTITIES = f"MATCH (n:{ENTITY}) RETURN n.kind AS kind, count(n) AS n"
COUNT_RELATIONS = (f"MATCH (:{ENTITY})-[r]->(:{ENTITY}) WHERE r.kind IS NOT NULL "
                   "RETURN r.kind AS kind, count(r) AS n")

CHAIN_COVERAGE = (
    f"MATCH (s:{ENTITY}:Segment) WHERE $chain IN s.chains "
    f"OPTIONAL MATCH (c:{ENTITY}:Company)-[:OPERATES]->(s) "
    "WITH s, collect(c.role) AS roles "
    "RETURN s.id AS segment, s.stage AS stage, "
    "size([r IN roles WHERE r IN $local_roles]) AS local, "
    "size([r IN roles WHERE r = 'target']) AS targets "
    "ORDER BY local, segment"
)
"""Per segment of ``$chain``: how many local/anchor firms and outside targets
operate there (the gap query: ``local = 0`` is a missing link)."""

# --- writes ------------------------------------------------------------------------

CLEAR_BATCH = (f"MATCH (n:{ENTITY}) WITH n LIMIT $limit DETACH DELETE n "
               "RETURN count(*) AS n")
"""Delete up to ``$limit`` entity nodes with their relationships; repeat until 0."""

DELETE_ENTITY = f"MATCH (n:{ENTITY} {{id: $id}}) DETACH DELETE n"

KIND_CLASHES = (f"UNWIND $ids AS id MATCH (n:{ENTITY} {{id: id}}) WHERE n.kind <> $kind "
                "RETURN n.id AS id, n.kind AS kind LIMIT 50")
"""Ids among ``$ids`` stored as an entity of another kind than ``$kind``."""


def upsert_entities(kind: str) -> str:
    """Upsert ``$rows`` (``{id, kind, data, <scalar props>}``) as ``kind`` nodes."""
    sets = ", ".join(f"n.{p} = row.{p}" for p in ("kind", "data", *scalar_props(kind)))
    return (f"UNWIND $rows AS row MERGE (n:{ENTITY}:{label(kind)} {{id: row.id}}) "
            f"SET {sets} RETURN count(n) AS n")


def upsert_relations(kind: str) -> str:
    """Upsert ``$rows`` (``{a, b, q, kind, data}``) as ``kind`` relationships; the
    returned count is lower than the row count when an end is missing."""
    (_, ka), (_, kb) = RELATION_ENDS[kind]
    return (f"UNWIND $rows AS row "
            f"MATCH (a:{ENTITY}:{label(ka)} {{id: row.a}}) "
            f"MATCH (b:{ENTITY}:{label(kb)} {{id: row.b}}) "
            f"MERGE (a)-[r:{rel_type(kind)} {{q: row.q}}]->(b) "
            "SET r.kind = row.kind, r.data = row.data RETURN count(r) AS n")


def delete_relation(kind: str) -> str:
    """Delete the ``kind`` relationship ``$a`` → ``$b`` with qualifier ``$q``."""
    return (f"MATCH (:{ENTITY} {{id: $a}})-[r:{rel_type(kind)} {{q: $q}}]->"
            f"(:{ENTITY} {{id: $b}}) DELETE r")
