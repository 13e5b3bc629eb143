"""The Yuncheng seed atlas shows the local evidence the documents give (issue 12, data side):
the documented local operators, place facts without a named firm, the city's own assessments
and the coking co-product, each pinned to the document passage it was read from."""

from __future__ import annotations

import re

import pytest

from graph.model import Atlas, Role
from tests.conftest import SOURCES

needs_sources = pytest.mark.skipif(not SOURCES.is_dir(), reason="source documents not present")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def local_operators(atlas: Atlas, segment: str) -> set[str]:
    return {o.company for o in atlas.operates if o.segment == segment
            and atlas.companies[o.company].role is not Role.target}


def test_coking_has_the_documented_operators(seed_atlas: Atlas) -> None:
    # 001 专栏4: 安昆新能源 369万吨/年, 龙门科技 172万吨/年, 东方资源 106万吨/年 升级改造.
    ops = local_operators(seed_atlas, "seg.nylon.coal")
    firms = [seed_atlas.companies[c] for c in ops]
    names = {n for c in firms for n in (c.name, *c.aliases)}
    for needle in ("安昆新能源", "龙门科技", "东方资源", "阳光华泰"):
        assert any(needle in n for n in names), needle
    # Their projects are linked to them and stay pipeline (no project is the operator).
    for pid in ("proj.ankun-coking", "proj.longmen-coking", "proj.dongfang-coking-upgrade"):
        assert seed_atlas.projects[pid].investor_id in ops, pid


def test_a_guessed_county_is_flagged(seed_atlas: Atlas) -> None:
    # The documents give no county for the 专栏4 coking firms: the county is a guess.
    for cid in ("co.ankun-xinnengyuan", "co.longmen-keji", "co.dongfang-ziyuan"):
        assert "county" in seed_atlas.companies[cid].inferred, cid


def test_a_name_guessed_segment_is_flagged_and_carries_no_anchor(seed_atlas: Atlas) -> None:
    deer = seed_atlas.companies["co.deer-xinnengyuan"]
    assert deer.role is Role.local and "segments" in deer.inferred
    links = [o for o in seed_atlas.operates if o.company == deer.id]
    assert links and all(o.inferred for o in links)


def test_signed_new_builds_are_not_operations(seed_atlas: Atlas) -> None:
    # 北方铜业新建高性能压延铜带箔和覆铜板项目 is a project, not a plant producing 覆铜板.
    assert "000737.SZ" not in local_operators(seed_atlas, "seg.copper.ccl")
    assert seed_atlas.projects["proj.beifang-copper-strip-ccl"].investor_id == "000737.SZ"


def test_cold_chain_around_linyi_is_documented(seed_atlas: Atlas) -> None:
    facts = {f.id: f for f in seed_atlas.facts.values() if f.county == "county.linyi"}
    rooms = facts["fact.linyi-cold-storage"]
    assert (rooms.segment, rooms.value, rooms.unit) == ("seg.agrifood.coldchain", 1576, "间")
    lines = facts["fact.linyi-sorting-lines"]
    assert (lines.segment, lines.value, lines.change) == ("seg.agrifood.postharvest", 17, "新增")


def test_coking_capacity_cut_is_a_fact(seed_atlas: Atlas) -> None:
    cut = seed_atlas.facts["fact.yc-coking-capacity-cut-13th"]
    assert (cut.segment, cut.value, cut.change) == ("seg.nylon.coal", 325, "淘汰")


def test_coking_co_produces_crude_benzene(seed_atlas: Atlas) -> None:
    assert ("seg.nylon.coal", "seg.nylon.benzene") in {
        (r.source, r.target) for r in seed_atlas.co_produces}


def test_the_plans_own_assessments(seed_atlas: Atlas) -> None:
    by_seg: dict[str, set[str]] = {}
    for a in seed_atlas.assessments.values():
        by_seg.setdefault(a.segment, set()).add(a.verdict_class)
    for sid in ("seg.nylon.caprolactam", "seg.nylon.adipic-acid",
                "seg.biologics.antibody", "seg.robot.cnc"):
        assert by_seg.get(sid) == {"gap"}, sid
    for sid in ("seg.aluminium.rolling", "seg.aluminium.lightweight", "seg.rail.brake",
                "seg.fruitveg.orchard", "seg.nylon.coal"):
        assert "strength" in by_seg.get(sid, set()), sid


@needs_sources
def test_every_verdict_is_worded_in_its_passage(seed_atlas: Atlas) -> None:
    # The verdict word (or its literal variant) occurs in the quoted passage, except the nylon
    # links, which the plan names as to be built or brought in ("打造…产业链",
    # "重点引入…精深加工企业") — see the notes in seeds/evidence/industry.yaml.
    words = {"配套率低": ("配套率",), "依赖外地": ("自给自足",), "优势": ("优势", "拳头产品")}
    for a in seed_atlas.assessments.values():
        if a.segment.startswith("seg.nylon.") and a.verdict == "缺失":
            quote = squash(a.src.quote or "")
            assert "打造" in quote or "引入" in quote, a.id
            continue
        quote = squash(a.src.quote or "")
        assert any(w in quote for w in words.get(a.verdict, (a.verdict,))), a.id
