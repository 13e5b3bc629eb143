"""Target ranking on hand-built chains: candidates, every component, pipeline, re-weighting."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from graph.analysis.place import CityProfile, Zone, distance_km, gazetteer
from graph.analysis.rules import Weights, default_rules
from graph.analysis.targets import Recommendation, rank_targets
from graph.errors import NotFound
from graph.model import (
    Association,
    Atlas,
    Cooperates,
    Figure,
    Institute,
    MemberOf,
    Supplies,
    Supports,
    Tie,
)
from tests.fixtures.analysis.build import SRC, STRONG, F, P, build, seg

ABC = (["a", "b", "c"], [["a", "b", "c"]])
ONLY = Weights(evidence=1, market=0, scale=0, linkage=0, proximity=0, connectors=0, pipeline=0,
               chain_fit=0)
PLACE = CityProfile(
    name="运城市", province="山西省", neighbour_provinces=["河南省", "陕西省"],
    zones=[Zone(name="金三角", cities=["运城市", "渭南市"], src=SRC)],
    focus_regions=[Zone(name="长三角", provinces=["浙江省"], src=SRC)], src=SRC)


def chain(*firms: F, projects: tuple[P, ...] = ()) -> Atlas:
    return build(*ABC, firms=[F("up", "a", role="anchor"), F("down", "c"), *firms],
                 projects=projects)


def by_id(atlas: Atlas, segment: str = "b", **kw: Any) -> dict[str, Recommendation]:
    kw.setdefault("place", PLACE)
    return {r.company_id: r for r in rank_targets(atlas, "ch.t", seg(segment), **kw)}


def test_candidates_are_outside_firms_of_the_segment_or_its_products() -> None:
    atlas = chain(F("op", "b", role="target"),
                  F("maker", "a", role="target", products=["产品b（高端）"]),
                  F("other", "a", role="target", products=["别的"]),
                  F("local", "b", county="county.b"))
    got = by_id(atlas)
    assert set(got) == {"co.op", "co.maker"}
    maker = got["co.maker"]
    assert maker.components["evidence"] == pytest.approx(0.5 * 0.7)
    assert any("产品b" in r and "关键产品" in r for r in maker.reasons)


def test_evidence_uses_grade_and_weight() -> None:
    atlas = chain(F("s", "b", role="target", src=STRONG), F("m", "b", role="target"),
                  F("half", "b", role="target", weight=0.5))
    recs = rank_targets(atlas, "ch.t", seg("b"), weights=ONLY)
    assert [r.company_id for r in recs] == ["co.s", "co.m", "co.half"]
    assert [r.components["evidence"] for r in recs] == [1.0, 0.7, 0.525]


def test_scale_is_the_best_tag() -> None:
    atlas = chain(F("big", "b", role="target", tags=["上市", "世界500强"]),
                  F("small", "b", role="target", tags=["专精特新"]), F("none", "b", role="target"))
    got = by_id(atlas)
    assert [got[k].components["scale"] for k in ("co.big", "co.small", "co.none")] == [
        1.0, 0.4, 0.0]


def test_linkage_to_anchor_adjacent_and_other_local_firms() -> None:
    atlas = chain(F("t1", "b", role="target"), F("t2", "b", role="target"),
                  F("t3", "b", role="target"), F("far", [], county="county.b"))
    atlas.supplies += [Supplies(supplier="co.up", customer="co.t1", src=SRC),
                       Supplies(supplier="co.t2", customer="co.down", src=SRC),
                       Supplies(supplier="co.t3", customer="co.far", src=SRC)]
    got = by_id(atlas)
    assert got["co.t1"].components["linkage"] == 1.0
    assert got["co.t2"].components["linkage"] == 0.8
    assert "企业t2 —供货→ 企业down（本地相邻环节企业）" in got["co.t2"].reasons
    assert "企业up（本地链主/龙头） —供货→ 企业t1" in got["co.t1"].reasons
    # co.far is in county.b: "other" city-wide, not local at all in a county.a view.
    assert got["co.t3"].components["linkage"] == 0.4
    assert by_id(atlas, county="county.a")["co.t3"].components["linkage"] == 0.0


@pytest.mark.parametrize(("province", "city", "place_score", "why"), [
    ("山西省", "运城市", 1.0, "同属金三角"), ("陕西省", "渭南市", 1.0, "同属金三角"),
    ("山西省", "大同市", 0.8, "同在山西省"), ("河南省", "洛阳市", 0.6, "相邻"),
    ("浙江省", "杭州市", 0.0, "长三角"), ("四川省", "成都市", 0.0, "公里"),
    (None, None, 0.0, None)])
def test_proximity_component(province: str | None, city: str | None, place_score: float,
                             why: str | None) -> None:
    """max(distance score, place score) + focus bonus, capped at 1."""
    r = by_id(chain(F("t", "b", role="target", province=province, city=city)))["co.t"]
    km = distance_km(gazetteer().coords("山西省", "运城市"), gazetteer().coords(province, city))
    near = 1 / (1 + km / 500) if km is not None else 0.0
    bonus = 0.15 if province == "浙江省" else 0.0
    assert r.components["proximity"] == pytest.approx(
        min(1.0, max(near, place_score) + bonus), abs=1e-4)
    assert why is None or any(why in x for x in r.reasons)
    if province is None:
        assert r.components["proximity"] == 0.0


def test_a_national_leader_outside_focus_regions_is_not_pushed_down() -> None:
    """Market position outweighs the focus-region bonus."""
    atlas = chain(F("lead", "b", role="target", province="福建省", city="宁德市"),
                  F("near", "b", role="target", province="浙江省", city="杭州市"))
    atlas.companies["co.lead"].figures = [Figure(name="市场份额", product="产品b", value=37,
                                                 unit="%", src=SRC)]
    atlas.companies["co.near"].figures = [Figure(name="市场份额", product="产品b", value=5,
                                                 unit="%", src=SRC)]
    recs = rank_targets(atlas, "ch.t", seg("b"), place=PLACE)
    assert [r.company_id for r in recs] == ["co.lead", "co.near"]
    assert recs[0].components["market"] == 1.0
    assert recs[1].components["market"] == pytest.approx(5 / 37, abs=1e-4)


def test_connectors_paths() -> None:
    atlas = chain(F("t", "b", role="target"))
    atlas.associations["assoc.x"] = Association(id="assoc.x", name="某协会", kind="协会", src=SRC)
    atlas.institutes["inst.x"] = Institute(id="inst.x", name="某研究院", kind="科研院所", src=SRC)
    atlas.member_of += [MemberOf(company="co.t", association="assoc.x", src=SRC),
                        MemberOf(company="co.up", association="assoc.x", src=SRC)]
    atlas.supports.append(Supports(institute="inst.x", segment=seg("b"), src=SRC))
    atlas.cooperates.append(Cooperates(company="co.t", institute="inst.x", src=SRC))
    atlas.companies["co.t"].ties = [Tie(kind="乡情", note="创始人为运城籍", county="county.a")]
    r = by_id(atlas)["co.t"]
    assert r.components["connectors"] == 1.0  # 0.4 + 0.3 + 0.6, capped
    assert "企业t —会员→ 某协会 ←会员— 企业up（本地）" in r.reasons
    assert "企业t —合作→ 某研究院 —支撑→ 环节b" in r.reasons
    assert "企业t —乡情→ 运城市（甲县，创始人为运城籍）" in r.reasons
    assert r.connectors == [x for x in r.reasons if "—会员→" in x or "—合作→" in x
                            or "—乡情→" in x]


def test_a_single_hometown_tie_counts_once() -> None:
    """Regression (targets.py:157): one 乡情 tie scored 0.9 (乡情 + 'other tie') and its
    reason line appeared twice; the cap hid it when other connectors were present."""
    atlas = chain(F("t", "b", role="target"), F("n", "b", role="target"))
    atlas.companies["co.t"].ties = [Tie(kind="乡情", note="运商", county="county.a")]
    atlas.companies["co.n"].ties = [Tie(kind="乡情", note="运商"), Tie(kind="在晋布局", note="x"),
                                    Tie(kind="校友", note="y"), Tie(kind="合作", note="z")]
    got = by_id(atlas)
    r = got["co.t"]
    assert r.components["connectors"] == pytest.approx(0.6)
    assert sum("—乡情→" in x for x in r.reasons) == 1
    assert r.connectors == ["企业t —乡情→ 运城市（甲县，运商）"]
    # 乡情 0.6 + 在晋布局 0.5 + other 0.3 (once for 校友 and 合作) = 1.4, capped at 1
    assert got["co.n"].components["connectors"] == 1.0
    assert sum("—乡情→" in x for x in got["co.n"].reasons) == 1
    assert len(got["co.n"].connectors) == 3


def test_no_connector_is_said() -> None:
    assert by_id(chain(F("t", "b", role="target")))["co.t"].connectors == ["暂无已知联系渠道"]


def test_pipeline_signed_excluded_contact_flagged() -> None:
    atlas = chain(F("signed", "b", role="target"), F("contact", "b", role="target"),
                  F("elsewhere", "b", role="target"), F("dead", "b", role="target"),
                  projects=(P("p1", "b", stage="签约", investor="co.signed"),
                            P("p2", "b", stage="对接", investor="co.contact"),
                            P("p3", "c", stage="投产", investor="co.elsewhere"),
                            P("p4", "b", stage="终止", investor="co.dead")))
    got = by_id(atlas)
    assert "co.signed" not in got
    assert got["co.contact"].flags == ["in_contact"]
    assert got["co.contact"].components["pipeline"] == 1.0
    assert "企业contact —投资→ 项目p2（对接）" in got["co.contact"].reasons
    assert got["co.elsewhere"].flags == ["signed_other_segment"]
    assert got["co.dead"].flags == ["terminated_before"]
    assert got["co.dead"].components["pipeline"] == 0.0


def test_chain_fit_and_chain_path_reasons() -> None:
    atlas = build(["a", "b", "c", "d"], [["a", "b", "c", "d"]],
                  firms=[F("up", "a"), F("down", "d"), F("two", ["b", "c"], role="target"),
                         F("one", "b", role="target")])
    got = by_id(atlas)
    assert got["co.two"].components["chain_fit"] == 0.5
    assert got["co.one"].components["chain_fit"] == 0.0
    assert "企业two 还经营本链其他缺失环节：环节c" in got["co.two"].reasons
    down = by_id(build(*ABC, firms=[F("d", "c"), F("t", "b", role="target")]))["co.t"]
    assert "企业t —生产→ 环节b —供给→ 环节c（本地：企业d）" in down.reasons
    up = by_id(build(*ABC, firms=[F("u", "a"), F("t", "b", role="target")]))["co.t"]
    assert "环节a（本地：企业u） —供给→ 环节b ←生产— 企业t" in up.reasons


def test_score_is_normalised_weighted_sum_and_reweightable() -> None:
    atlas = chain(F("x", "b", role="target", tags=["世界500强"], province="四川省"),
                  F("y", "b", role="target", province="河南省", src=STRONG))
    default = rank_targets(atlas, "ch.t", seg("b"), place=PLACE)
    w = default_rules().weights.model_dump()
    for r in default:
        expect = sum(w[k] * v for k, v in r.components.items()) / sum(w.values())
        assert r.score == pytest.approx(expect, abs=1e-4)
        assert set(r.components) == set(w)
    near_only = Weights.model_validate({k: 0 for k in w} | {"proximity": 1})
    assert [r.company_id for r in rank_targets(atlas, "ch.t", seg("b"), weights=near_only,
                                               place=PLACE)] == ["co.y", "co.x"]
    scale_only = Weights.model_validate({k: 0 for k in w} | {"scale": 1})
    assert [r.company_id for r in rank_targets(atlas, "ch.t", seg("b"), weights=scale_only,
                                               place=PLACE)] == ["co.x", "co.y"]


def test_ties_by_company_id_only_as_last_resort_and_top() -> None:
    atlas = chain(*(F(k, "b", role="target") for k in ("c3", "a1", "b2")))
    recs = rank_targets(atlas, "ch.t", seg("b"), top=2, place=PLACE)
    assert [r.company_id for r in recs] == ["co.a1", "co.b2"]
    assert len({r.score for r in recs}) == 1
    assert recs[0].tie_break == "id" and all(r.within_noise for r in recs)


def test_equal_scores_break_on_market_then_evidence_then_proximity() -> None:
    """co.b and co.a have equal scores; the tie-break order decides, not the id."""
    w = Weights(evidence=1, market=1, scale=0, linkage=0, proximity=0, connectors=0,
                pipeline=0, chain_fit=0)
    atlas = chain(F("a", "b", role="target"), F("b", "b", role="target", weight=0.2))
    atlas.companies["co.a"].figures = [Figure(name="产量", product="产品b", value=72000,
                                              unit="吨", src=SRC)]
    atlas.companies["co.b"].figures = [Figure(name="产量", product="产品b", value=10,
                                              unit="万吨", src=SRC)]
    # co.a: evidence 0.7, market 0.72 (units normalised: 10 万吨 = 100000 吨);
    # co.b: evidence 0.7 x 0.6 = 0.42, market 1.0 — both score 0.71
    recs = rank_targets(atlas, "ch.t", seg("b"), weights=w, place=PLACE)
    assert recs[0].score == recs[1].score == 0.71
    assert [r.company_id for r in recs] == ["co.b", "co.a"]
    assert recs[0].tie_break == "market"
    assert recs[1].components["market"] == pytest.approx(0.72)
    assert "企业b 产品b 产量 10万吨，候选中最高" in recs[0].reasons


def test_scores_within_noise_share_a_group() -> None:
    atlas = chain(F("a", "b", role="target"), F("b", "b", role="target", weight=0.95),
                  F("c", "b", role="target", weight=0.2))
    recs = rank_targets(atlas, "ch.t", seg("b"), weights=ONLY, place=PLACE)
    assert [r.noise_group for r in recs] == [1, 1, 2]
    assert [r.within_noise for r in recs] == [True, True, False]


def test_weights_model_is_strict() -> None:
    assert Weights.model_validate({"proximity": 0}).evidence == default_rules().weights.evidence
    with pytest.raises(ValidationError):
        Weights.model_validate({"region": 1})
    with pytest.raises(ValidationError):
        Weights.model_validate({"proximity": -1})
    with pytest.raises(ValidationError):
        Weights.model_validate(dict.fromkeys(default_rules().weights.model_dump(), 0))


def test_unknown_segment_or_not_in_chain() -> None:
    atlas = chain()
    with pytest.raises(NotFound):
        rank_targets(atlas, "ch.t", "seg.t.zz")
    with pytest.raises(NotFound):
        rank_targets(atlas, "ch.zz", seg("b"))
