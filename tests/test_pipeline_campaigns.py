"""Campaign baselines and reports; conflicts between counties (错位招商)."""

from __future__ import annotations

import pytest

from graph.errors import InvalidInput
from graph.model import Atlas, Campaign, Company, Operates, Project
from graph.pipeline.campaigns import report, start
from graph.pipeline.conflicts import find_conflicts, local_strength

SRC = {"public": "测试", "as_of": "2026-06-30"}


def campaign(**kw: object) -> Campaign:
    base: dict[str, object] = dict(
        id="camp.t.nylon", name="尼龙补链行动", team="新材料专班", chain="ch.t.nylon",
        segments=["seg.t.cpl", "seg.t.pa6"], targets=[{"company": "600426.SH"}],
        started_on="2026-01-01", src=SRC)
    base.update(kw)
    return Campaign.model_validate(base)


def test_start_takes_baseline(mini_atlas: Atlas) -> None:
    c = start(mini_atlas, campaign())
    assert c.baseline is not None
    assert c.baseline.statuses["seg.t.cpl"] == "missing"
    assert c.baseline.completeness == pytest.approx(2 / 6, abs=1e-3)


def test_start_refuses_local_firm_as_target_and_unknown_connector(mini_atlas: Atlas) -> None:
    with pytest.raises(InvalidInput) as info:
        start(mini_atlas, campaign(targets=[{"company": "co.t.local-coke"}],
                                   connectors=["assoc.nowhere"]))
    fields = {d["field"] for d in info.value.details}
    assert fields == {"targets[0].company", "connectors[0]"}


def test_report_counts_closed_gaps_and_completeness_change(mini_atlas: Atlas) -> None:
    c = start(mini_atlas, campaign())
    firm = Company(id="co.t.newcpl", name="新落地己内酰胺企业", role="local",
                   county="county.hejin", src=SRC)
    later = mini_atlas.model_copy(update={
        "companies": {**mini_atlas.companies, firm.id: firm},
        "operates": [*mini_atlas.operates, Operates(company=firm.id, segment="seg.t.cpl",
                                                    src=SRC)]})
    r = report(later, c)
    assert r.gaps_closed == ["seg.t.cpl"]
    assert r.gaps_open == ["seg.t.pa6"]
    assert r.completeness_change is not None and r.completeness_change > 0
    assert r.targets_by_status == {"未接触": 1}
    unchanged = report(mini_atlas, c)
    assert unchanged.gaps_closed == [] and unchanged.completeness_change == 0


def proj(pid: str, county: str, stage: str, investor_id: str | None = None,
         segments: tuple[str, ...] = ("seg.t.cpl",)) -> Project:
    return Project(id=f"proj.t.{pid}", name=f"项目{pid}", investor="华鲁恒升",
                   investor_id=investor_id, county=county, stage=stage,
                   segments=list(segments), src=SRC)


def test_same_target_and_same_segment_conflicts(mini_atlas: Atlas) -> None:
    projects = [proj("a", "county.hejin", "对接", "600426.SH"),
                proj("b", "county.jishan", "对接", "600426.SH"),
                proj("c", "county.jishan", "终止", "600426.SH")]
    atlas = mini_atlas.model_copy(update={"projects": {p.id: p for p in projects}})
    clashes = find_conflicts(atlas)
    kinds = {(c.kind, c.subject_id) for c in clashes}
    assert ("same_target", "600426.SH") in kinds
    assert ("same_segment", "seg.t.cpl") in kinds
    same_target = next(c for c in clashes if c.kind == "same_target")
    assert same_target.places == ["county.hejin", "county.jishan"]
    assert "proj.t.c" not in same_target.evidence  # terminated projects do not count
    # 河津 has the local anchor in the adjacent 苯 segment: it should lead
    assert same_target.suggestion == "county.hejin"
    assert "河津市" in same_target.message


def test_no_conflict_within_one_county(mini_atlas: Atlas) -> None:
    projects = [proj("a", "county.hejin", "对接", "600426.SH"),
                proj("b", "county.hejin", "签约", "600426.SH")]
    atlas = mini_atlas.model_copy(update={"projects": {p.id: p for p in projects}})
    assert find_conflicts(atlas) == []


def test_campaigns_of_two_counties_on_one_firm_conflict(mini_atlas: Atlas) -> None:
    a = campaign(id="camp.t.a", county="county.hejin")
    b = campaign(id="camp.t.b", county="county.jishan", team="稷山小分队")
    atlas = mini_atlas.model_copy(update={"campaigns": {a.id: a, b.id: b}})
    clashes = find_conflicts(atlas)
    assert [(c.kind, c.subject_id) for c in clashes] == [("same_target", "600426.SH")]


def test_local_strength_rule(mini_atlas: Atlas) -> None:
    # the anchor counts 3 in each segment it operates in (焦化, 苯), half that when adjacent
    assert local_strength(mini_atlas, "county.hejin", {"seg.t.coke"}) == 3 + 1.5
    assert local_strength(mini_atlas, "county.hejin", {"seg.t.coke", "seg.t.benzene"}) == 6
    assert local_strength(mini_atlas, "county.hejin", {"seg.t.cpl"}) == 1.5
    assert local_strength(mini_atlas, "county.jishan", {"seg.t.coke"}) == 0
