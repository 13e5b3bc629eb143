"""The Neo4j store at the driver boundary: a recording fake driver captures every
Cypher statement and its parameters, so these tests pin what the store sends to
Neo4j (no server needed). The fake answers only what the store reads back: the
version counter, row counts of upserts, and rows a test scripts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from graph.errors import AtlasError, Conflict, InvalidInput, NotFound
from graph.model import ENTITY_TYPES, RELATION_TYPES, Atlas, Company
from graph.settings import Settings
from graph.store import cypher
from graph.store.cypher import FALKORDB, NEO4J
from graph.store.neo4j import Neo4jStore, entity_row, relation_row

SRC = {"public": "测试", "as_of": "2026-11-01"}
BUMP = cypher.bump_version(NEO4J)


@dataclass
class Call:
    where: str  # "auto" (session.run) or "tx"
    query: str
    params: dict[str, Any]


@dataclass
class FakeDriver:
    """Records sessions, statements, commits and rollbacks; keeps a committed version."""

    scripted: dict[str, list[list[dict[str, Any]]]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    databases: list[str | None] = field(default_factory=list)
    version: int = 0
    closed: bool = False

    def answer(self, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.scripted.get(query):
            return self.scripted[query].pop(0)
        if query == cypher.VERSION:
            return [{"value": self.version}]
        if "rows" in params:
            return [{"n": len(params["rows"])}]
        if query == cypher.CLEAR_BATCH:
            return [{"n": 0}]
        return []

    def session(self, *, database: str | None = None) -> FakeSession:
        self.databases.append(database)
        return FakeSession(self)

    def close(self) -> None:
        self.closed = True

    def sent(self, where: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        return [(c.query, c.params) for c in self.calls if where in (None, c.where)]


class FakeTx:
    def __init__(self, driver: FakeDriver) -> None:
        self.d = driver
        self.bumped = False
        self.done = False
        driver.events.append("begin")

    def run(self, query: str, parameters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        self.d.calls.append(Call("tx", query, dict(parameters or {})))
        if query == BUMP:
            self.bumped = True
            return [{"value": self.d.version + 1}]
        return self.d.answer(query, parameters or {})

    def commit(self) -> None:
        self.d.events.append("commit")
        self.d.version += self.bumped
        self.done = True

    def close(self) -> None:
        if not self.done:
            self.d.events.append("rollback")
        self.done = True


class FakeSession:
    def __init__(self, driver: FakeDriver) -> None:
        self.d = driver

    def run(self, query: str, parameters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        self.d.calls.append(Call("auto", query, dict(parameters or {})))
        return self.d.answer(query, parameters or {})

    def begin_transaction(self) -> FakeTx:
        return FakeTx(self.d)

    def __enter__(self) -> FakeSession:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _store(batch_size: int = 2000, **kw: Any) -> tuple[Neo4jStore, FakeDriver]:
    d = FakeDriver(**kw)
    return Neo4jStore(d, "atlasdb", batch_size=batch_size), d


def _loaded(mini: Atlas) -> tuple[Neo4jStore, FakeDriver]:
    s, d = _store()
    s.replace_all(mini)
    d.calls.clear()
    d.events.clear()
    return s, d


def _rows_of(atlas: Atlas) -> dict[str, list[list[dict[str, Any]]]]:
    """Scripted answers of the two full reads for ``atlas``."""
    ents = [{"kind": e.KIND, "data": e.model_dump_json()}
            for k in ENTITY_TYPES for e in atlas.entities(k).values()]
    rels = [{"kind": r.KIND, "data": r.model_dump_json()}
            for k in RELATION_TYPES for r in atlas.relations(k)]
    return {cypher.READ_ENTITIES: [ents], cypher.READ_RELATIONS: [rels]}


def test_start_creates_constraints_indexes_and_version_node() -> None:
    s, d = _store()
    assert d.sent("auto") == [(q, {}) for q in (*NEO4J.schema, cypher.INIT_META)]
    assert set(d.databases) == {"atlasdb"}
    assert ("CREATE CONSTRAINT atlas_entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id "
            "IS UNIQUE") in NEO4J.schema
    assert "CREATE INDEX atlas_company_role IF NOT EXISTS FOR (n:Company) ON (n.role)" \
        in NEO4J.schema
    assert "CREATE INDEX atlas_company_county IF NOT EXISTS FOR (n:Company) ON (n.county)" \
        in NEO4J.schema
    s.close()
    assert d.closed


def test_cypher_text_is_pinned() -> None:
    assert cypher.upsert_entities("company") == (
        "UNWIND $rows AS row MERGE (n:Entity:Company {id: row.id}) SET n.kind = row.kind, "
        "n.data = row.data, n.name = row.name, n.role = row.role, n.county = row.county "
        "RETURN count(n) AS n")
    assert cypher.upsert_relations("feeds") == (
        "UNWIND $rows AS row MATCH (a:Entity:Segment {id: row.a}) "
        "MATCH (b:Entity:Segment {id: row.b}) MERGE (a)-[r:FEEDS {q: row.q}]->(b) "
        "SET r.kind = row.kind, r.data = row.data RETURN count(r) AS n")
    assert BUMP == ("MERGE (m:AtlasMeta {key: 'version'}) ON CREATE SET m.value = 0 "
                    "SET m.value = m.value + 1, m.updated_ms = datetime().epochMillis "
                    "RETURN m.value AS value")
    assert "timestamp()" in cypher.bump_version(FALKORDB)
    assert cypher.delete_relation("member_of") == (
        "MATCH (:Entity {id: $a})-[r:MEMBER_OF {q: $q}]->(:Entity {id: $b}) DELETE r")
    assert not [q for q in FALKORDB.schema if "IF NOT EXISTS" in q or "CONSTRAINT" in q]


@pytest.mark.parametrize("bad", ["Company", "x`) DETACH DELETE (n", "", "a b"])
def test_labels_and_types_reject_anything_but_kind_names(bad: str) -> None:
    with pytest.raises(ValueError):
        cypher.label(bad)
    with pytest.raises(ValueError):
        cypher.rel_type(bad)


def test_replace_all_is_one_transaction_of_unwind_batches(mini_atlas: Atlas) -> None:
    s, d = _store(batch_size=2)
    d.calls.clear()
    s.replace_all(mini_atlas)
    assert d.events == ["begin", "commit"]
    sent = d.sent("tx")
    assert sent[:2] == [(BUMP, {}), (cypher.CLEAR_BATCH, {"limit": 2})]
    seg = [p["rows"] for q, p in sent if q == cypher.upsert_entities("segment")]
    assert [len(b) for b in seg] == [2, 2, 2]
    assert [r for b in seg for r in b] == [entity_row(e) for e in mini_atlas.segments.values()]
    co = next(r for q, p in sent if q == cypher.upsert_entities("company") for r in p["rows"]
              if r["id"] == "co.t.local-coke")
    assert co == {"id": "co.t.local-coke", "kind": "company", "name": "测试焦化有限公司",
                  "role": "anchor", "county": "county.hejin",
                  "data": mini_atlas.companies["co.t.local-coke"].model_dump_json()}
    feeds = [p["rows"] for q, p in sent if q == cypher.upsert_relations("feeds")]
    assert [len(b) for b in feeds] == [2, 2, 1]
    assert feeds[0][0] == {"a": "seg.t.coke", "b": "seg.t.benzene", "q": "ch.t.nylon",
                           "kind": "feeds", "data": mini_atlas.feeds[0].model_dump_json()}
    assert json.loads(feeds[0][0]["data"])["chain"] == "ch.t.nylon"
    entity_writes = [q for q, _ in sent if q.startswith("UNWIND $rows AS row MERGE")]
    assert len(entity_writes) == sum((len(t) + 1) // 2 for t in (
        mini_atlas.chains, mini_atlas.segments, mini_atlas.companies, mini_atlas.counties,
        mini_atlas.parks, mini_atlas.facts, mini_atlas.assessments))
    d.calls.clear()
    assert s.snapshot() is s.snapshot()
    assert d.sent() == [(cypher.VERSION, {})] * 2, "a fresh cache reads only the version"


def test_clear_repeats_until_no_node_is_left() -> None:
    s, d = _store(batch_size=10,
                  scripted={cypher.CLEAR_BATCH: [[{"n": 10}], [{"n": 3}], [{"n": 0}]]})
    s.replace_all(Atlas())
    assert [p for q, p in d.sent("tx") if q == cypher.CLEAR_BATCH] == [{"limit": 10}] * 3


def test_a_relation_with_a_missing_end_rolls_the_load_back(mini_atlas: Atlas) -> None:
    q = cypher.upsert_relations("operates")
    s, d = _store(scripted={q: [[{"n": len(mini_atlas.operates) - 1}]]})
    with pytest.raises(InvalidInput, match="1 operates relation"):
        s.merge(mini_atlas)
    assert d.events[-2:] == ["begin", "rollback"]
    assert d.version == 0


def test_merge_refuses_an_id_stored_as_another_kind(mini_atlas: Atlas) -> None:
    s, d = _store(scripted={cypher.KIND_CLASHES: [[{"id": "seg.t.cpl", "kind": "company"}]]})
    with pytest.raises(Conflict) as exc:
        s.merge(mini_atlas)
    assert exc.value.details == [{"field": "id", "id": "seg.t.cpl", "kind": "company"}]
    assert (cypher.KIND_CLASHES, {"ids": list(mini_atlas.chains), "kind": "chain"}) \
        in d.sent("tx")
    assert "commit" not in d.events
    assert not [q for q, _ in d.sent("tx") if "MERGE (n:" in q]


def test_single_writes_validate_then_send_one_statement(mini_atlas: Atlas) -> None:
    s, d = _loaded(mini_atlas)
    bad = Company(id="co.t.x", name="某企业", role="local", county="county.nope", src=SRC)
    with pytest.raises(InvalidInput):
        s.create(bad)
    assert d.sent("tx") == [(BUMP, {})]
    assert d.events == ["begin", "rollback"]
    good = bad.model_copy(update={"county": "county.jishan"})
    d.calls.clear()
    s.create(good)
    assert d.sent("tx") == [(BUMP, {}),
                            (cypher.upsert_entities("company"), {"rows": [entity_row(good)]})]
    d.calls.clear()
    s.remove_relation("feeds", "seg.t.coke", "seg.t.benzene", "ch.t.nylon")
    assert d.sent("tx")[1] == (cypher.delete_relation("feeds"),
                               {"a": "seg.t.coke", "b": "seg.t.benzene", "q": "ch.t.nylon"})
    d.calls.clear()
    with pytest.raises(NotFound):
        s.remove_relation("feeds", "seg.t.coke", "seg.t.benzene", "ch.t.nylon")
    assert d.version == 3
    rel = mini_atlas.feeds[0]
    s.add_relation(rel)
    assert d.sent("tx")[-1] == (cypher.upsert_relations("feeds"), {"rows": [relation_row(rel)]})
    assert cypher.READ_ENTITIES not in [q for q, _ in d.sent()], "the cache was current"


def test_a_stale_cache_is_reread_inside_the_write_transaction(mini_atlas: Atlas) -> None:
    s, d = _loaded(mini_atlas)
    d.version += 4  # another process wrote meanwhile
    d.scripted.update(_rows_of(mini_atlas))
    s.delete("600426.SH")
    assert [q for q, _ in d.sent("tx")] == [BUMP, cypher.READ_ENTITIES, cypher.READ_RELATIONS,
                                            cypher.DELETE_ENTITY]
    assert d.sent("tx")[-1][1] == {"id": "600426.SH"}
    d.calls.clear()
    assert "600426.SH" not in s.snapshot().companies
    assert d.sent() == [(cypher.VERSION, {})]


def test_snapshot_rejects_unknown_kinds_in_the_database() -> None:
    s, d = _store(scripted={cypher.READ_ENTITIES: [[{"kind": "widget", "data": "{}"}]]})
    d.version = 1
    with pytest.raises(AtlasError, match="widget"):
        s.snapshot()


def test_counts_and_coverage_queries() -> None:
    s, d = _store(scripted={
        cypher.COUNT_ENTITIES: [[{"kind": "company", "n": 7}]],
        cypher.COUNT_RELATIONS: [[{"kind": "feeds", "n": 3}]],
        cypher.CHAIN_COVERAGE: [[{"segment": "seg.a", "stage": "upstream", "local": 0,
                                  "targets": 2}]]})
    counts = s.counts()
    assert counts["company"] == 7 and counts["feeds"] == 3 and counts["segment"] == 0
    assert s.chain_coverage("ch.x")[0]["local"] == 0
    assert d.sent()[-1] == (cypher.CHAIN_COVERAGE,
                            {"chain": "ch.x", "local_roles": ["anchor", "local"]})


def test_settings_need_a_uri_and_an_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match="ATLAS_NEO4J_URI"):
        Neo4jStore.from_settings(Settings(store="neo4j", neo4j_uri=""))
    assert Settings.model_fields["neo4j_password"].default == "", "no shipped default secret"
    with pytest.raises(AtlasError, match=r"cannot use Neo4j at bolt://127\.0\.0\.1:9"):
        Neo4jStore.from_settings(Settings(store="neo4j", neo4j_uri="bolt://127.0.0.1:9",
                                          neo4j_password="x"))


def test_batches_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Neo4jStore(FakeDriver(), batch_size=0)
