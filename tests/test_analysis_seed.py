"""The diagnosis of the real nylon chain (煤-苯-己内酰胺/己二酸-尼龙6/尼龙66) matches the documents.

File 000 (招商引资“十四五”规划, 绿色焦化): "重点引入煤焦油、粗苯等副产物精深加工企业 … 发展尼龙 6、
尼龙 66 等特种尼龙材料，打造煤-苯-己内酰胺/己二酸-尼龙 6/尼龙 66 材料产业链" — the chain is to be
*built*: coking exists locally, the benzene-to-nylon segments are to be attracted. File 001
(专栏4) lists coking projects (安昆、龙门、东方资源 …) as planned works: the projects are
pipeline, while their owners are the local coking operators.
The test tolerates seed growth: more firms or segments may appear, but the documented facts hold.
"""

from __future__ import annotations

import pytest

from graph.analysis.gaps import city_gaps, diagnose_chain
from graph.analysis.targets import rank_targets
from graph.errors import SeedErrors
from graph.loader import load_files, load_seeds, seed_files
from graph.model import Atlas, Role
from tests.conftest import SEEDS, SOURCES

NYLON = "ch.coking.nylon"
TO_ATTRACT = ["seg.nylon.caprolactam", "seg.nylon.adipic-acid", "seg.nylon.pa6", "seg.nylon.pa66"]


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    """The whole seed atlas; while other chain files are being edited and fail to load, the
    reference files plus the file that defines the nylon chain."""
    sources = SOURCES if SOURCES.is_dir() else None
    try:
        return load_seeds(SEEDS, sources_dir=sources)
    except SeedErrors:
        files = [f for f in seed_files(SEEDS)
                 if "reference" in f.parts or f"id: {NYLON}\n" in f.read_text(encoding="utf-8")]
        try:
            return load_files(files, base=SEEDS, sources_dir=sources)
        except SeedErrors as exc:  # pragma: no cover - depends on other agents' seeds
            pytest.skip(f"nylon seed file does not load right now: {exc}")


def test_nylon_chain_is_to_be_built(atlas: Atlas) -> None:
    d = diagnose_chain(atlas, NYLON)
    st = d.by_id()
    assert st["seg.nylon.coal"].status in ("weak", "strong")
    assert st["seg.nylon.coal"].local_firms
    for sid in TO_ATTRACT:
        assert st[sid].status in ("missing", "broken"), sid
        assert not st[sid].local_firms
    # Crude benzene comes out of every coking plant (seeds/evidence co_produces 焦化→粗苯), so
    # the benzene segment is present only through co-production, with no firm of its own: a
    # by-product is not a developed segment, so it is weak (co_product_only), and the plan's
    # own gap verdict (its 精深加工 is to be brought in) is shown beside it and agrees by class.
    benzene = st["seg.nylon.benzene"]
    assert not benzene.local_firms
    if benzene.status not in ("missing", "broken"):
        assert benzene.co_sources == ["seg.nylon.coal"]
        assert benzene.status == "weak" and "co_product_only" in [r.code for r in benzene.reasons]
        assert any(v.verdict_class == "gap" and v.agrees for v in benzene.assessments)
    assert 0 < d.completeness < 0.5
    # No local firm downstream, so nothing is cut: the segments are missing, not broken.
    if not any(st[s].local_firms for s in ("seg.nylon.pa6", "seg.nylon.pa66")):
        assert {st[s].status for s in TO_ATTRACT} == {"missing"}


def test_planned_coking_projects_are_pipeline_not_presence(atlas: Atlas) -> None:
    coal = diagnose_chain(atlas, NYLON).by_id()["seg.nylon.coal"]
    planned = [p for p in ("proj.ankun-coking", "proj.longmen-coking") if p in atlas.projects]
    assert planned
    for p in planned:
        assert p in coal.pipeline_projects
        assert p not in coal.producing_projects
    assert "in_pipeline" in [r.code for r in coal.reasons]


def test_nylon_gaps_rank_city_wide_and_have_targets(atlas: Atlas) -> None:
    gaps = {g.segment_id: g for g in city_gaps(atlas)}
    for sid in TO_ATTRACT:
        assert NYLON in gaps[sid].chains
    recs = rank_targets(atlas, NYLON, "seg.nylon.caprolactam", top=20)
    assert len(recs) >= 3
    ops = {(o.company, o.segment) for o in atlas.operates}
    for r in recs:
        assert atlas.companies[r.company_id].role is Role.target
        assert any("己内酰胺" in line for line in r.reasons)
        assert (r.company_id, "seg.nylon.caprolactam") in ops or any(
            "关键产品" in line for line in r.reasons)
    assert [r.score for r in recs] == sorted((r.score for r in recs), reverse=True)
