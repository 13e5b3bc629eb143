"""The Yuncheng seed atlas: loads cleanly, is fully sourced, and its facts match the
source documents (read from ../shared/seeds when present)."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from graph.chaingraph import chain_dag
from graph.coverage import coverage, unsourced_total
from graph.model import Atlas, ProjectStage, Role
from tests.conftest import EXTERNAL, SOURCES

needs_sources = pytest.mark.skipif(not SOURCES.is_dir(), reason="source documents not present")
CKG = EXTERNAL / "ChainKnowledgeGraph"

# Listed firms renamed since the 2021 dataset was made (code → the dataset's old name).
RENAMED = {"000737.SZ": "南风化工 (renamed 北方铜业 after the 2021 reverse merger)",
           "300442.SZ": "普丽盛 (renamed 润泽科技 after the 2022 reverse merger)"}


@cache
def doc(name: str) -> str:
    return re.sub(r"\s+", "", (SOURCES / name).read_text(encoding="utf-8"))


def around(quote: str, name: str, width: int = 300) -> str:
    text, q = doc(name), re.sub(r"\s+", "", quote)
    i = text.find(q)
    assert i >= 0
    return text[max(0, i - width):i + len(q) + width]


def by_name(atlas: Atlas, kind: str, needle: str) -> list[str]:
    return sorted(e.id for e in atlas.entities(kind).values()
                  if needle in e.name or any(needle in a for a in e.aliases))


def test_counts_cover_the_documents(seed_atlas: Atlas) -> None:
    c = seed_atlas.counts()
    assert c["county"] == 13
    assert c["chain"] >= 25 and c["segment"] >= 150
    assert c["company"] >= 500 and c["project"] >= 100
    assert c["institute"] >= 30 and c["association"] >= 30


def test_nothing_is_unsourced(seed_atlas: Atlas) -> None:
    assert unsourced_total(seed_atlas) == 0
    assert all(row.unsourced == 0 for row in coverage(seed_atlas))


def test_every_segment_has_three_targets(seed_atlas: Atlas) -> None:
    thin = {r.chain_id: r.thin_segments for r in coverage(seed_atlas) if r.thin_segments}
    assert thin == {}


def test_the_ten_clusters_and_four_landmark_industries_exist(seed_atlas: Atlas) -> None:
    names = {c.name for c in seed_atlas.chains.values()} | {
        a for c in seed_atlas.chains.values() for a in c.aliases}
    for needle in ("先进装备制造", "精品钢", "新材料", "特色农副产品加工", "绿色焦化", "数字经济",
                   "节能环保", "新能源", "现代医药", "绿色建材", "文化旅游", "轨道交通", "通用航空",
                   "大数据", "半导体", "光电"):
        assert any(needle in n for n in names), needle


def test_nylon_chain_is_exactly_the_documented_sequence(seed_atlas: Atlas) -> None:
    g = chain_dag(seed_atlas, "ch.coking.nylon")
    names = {s: seed_atlas.segments[s].name for s in g.nodes}
    edges = {(names[a], names[b]) for a, b in g.edges}
    cpl = next(n for n in names.values() if "己内酰胺" in n)
    ada = next(n for n in names.values() if "己二酸" in n)
    pa6 = next(n for n in names.values() if "6" in n and "66" not in n)
    pa66 = next(n for n in names.values() if "66" in n)
    benzene = next(n for n in names.values() if "苯" in n)
    assert {(benzene, cpl), (benzene, ada), (cpl, pa6), (ada, pa66)} <= edges
    assert (cpl, pa66) not in edges and (ada, pa6) not in edges
    assert len(g) == 6 and len(edges) == 5


@needs_sources
def test_named_projects_match_their_documents(seed_atlas: Atlas) -> None:
    jianlong = [seed_atlas.projects[p] for p in by_name(seed_atlas, "project", "建龙")
                if (seed_atlas.projects[p].amount or 0) > 100]
    assert jianlong, "the 建龙 闻喜 steel cluster project"
    assert all(p.county == "county.wenxi" for p in jianlong)
    huanuo = [seed_atlas.projects[p] for p in by_name(seed_atlas, "project", "华诺勤耕")]
    assert len(huanuo) == 1
    p = huanuo[0]
    assert (p.amount, p.county) == (22, "county.yuanqu")
    assert "华诺勤耕" in p.investor and "垣曲" in around(p.src.quote or "", p.src.doc or "")


@needs_sources
def test_every_document_amount_appears_beside_its_quote(seed_atlas: Atlas) -> None:
    checked = 0
    for p in seed_atlas.projects.values():
        if p.src.doc and p.amount is not None:
            window = around(p.src.quote or "", p.src.doc)
            assert re.search(re.escape(f"{p.amount:g}") + "(亿|万)", window), p.id
            checked += 1
    assert checked >= 20


def test_project_stages_follow_the_document_wording(seed_atlas: Atlas) -> None:
    for p in seed_atlas.projects.values():
        q = p.src.quote or ""
        if q.startswith("重点洽谈"):
            assert p.stage in (ProjectStage.contact, ProjectStage.lead), p.id


def test_local_firms_have_counties_and_anchors_exist(seed_atlas: Atlas) -> None:
    local = [c for c in seed_atlas.companies.values() if c.role is not Role.target]
    assert len(local) >= 80
    assert all(c.county in seed_atlas.counties for c in local)
    anchors = [c.name for c in local if c.role is Role.anchor]
    for needle in ("中车永济", "建龙", "大运"):
        assert any(needle in n for n in anchors), needle


@pytest.mark.skipif(not CKG.is_dir(), reason="external ChainKnowledgeGraph data not present")
def test_stock_code_ids_name_the_right_listed_firm(seed_atlas: Atlas) -> None:
    pool: dict[str, list[str]] = {}
    for line in (CKG / "company.json").open(encoding="utf-8"):
        r = json.loads(line)
        pool.setdefault(r["code"][:6], []).extend([r["name"], r["fullname"]])
    for line in (CKG / "company_industry.json").open(encoding="utf-8"):
        r = json.loads(line)
        pool.setdefault(r["company_code"][:6], []).append(r["company_name"])
    checked, wrong = 0, []
    for c in seed_atlas.companies.values():
        m = re.fullmatch(r"(\d{6})\.(SH|SZ|BJ)", c.id)
        if not m or m.group(1) not in pool or c.id in RENAMED:
            continue
        checked += 1
        names = [c.name, *c.aliases]
        if not any(n in p or p in n for n in names for p in pool[m.group(1)] if p):
            wrong.append((c.id, c.name, pool[m.group(1)][:2]))
    assert checked >= 100
    assert wrong == []


def test_ids_are_never_names(seed_atlas: Atlas) -> None:
    for kind in ("company", "segment", "chain", "institute", "association"):
        for e in seed_atlas.entities(kind).values():
            assert not re.search(r"[\u4e00-\u9fff]", e.id), e.id


def test_reference_files_are_shared(seed_atlas: Atlas) -> None:
    root = Path(__file__).resolve().parent.parent / "seeds" / "reference"
    assert (root / "regions.yaml").is_file() and (root / "documents.yaml").is_file()
    assert {p.county for p in seed_atlas.parks.values()} <= set(seed_atlas.counties)
