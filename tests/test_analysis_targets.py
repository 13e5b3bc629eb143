"""Target ranking on hand-built chains: candidates, every component, pipeline, re-weighting."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from graph.analysis.rules import Weights, default_rules
from graph.analysis.targets import Recommendation, rank_targets
from graph.errors import NotFound
from graph.model import (
    Association,
    Atlas,
    Cooperates,
    Institute,
    MemberOf,
    Supplies,
    Supports,
    Tie,
)
from tests.fixtures.analysis.build import SRC, STRONG, F, P, build, seg

ABC = (["a", "b", "c"], [["a", "b", "c"]])
ONLY = Weights(evidence=1, scale=0, linkage=0, region=0, connectors=0, pipeline=0, chain_fit=0)


def chain(*firms: F, projects: tuple[P, ...] = ()) -> Atlas:
    return build(*ABC, firms=[F("up", "a", role="anchor"), F("down", "c"), *firms],
                 projects=projects)


def by_id(atlas: Atlas, segment: str = "b", **kw: Any) -> dict[str, Recommendation]:
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


@pytest.mark.parametrize(("province", "city", "score"), [
    ("浙江省", "杭州市", 1.0), ("北京市", "北京市", 1.0), ("广东省", "江门市", 1.0),
    ("广东省", "汕头市", 0.0), ("山西省", "临汾市", 0.5), (None, None, 0.0)])
def test_region_component(province: str | None, city: str | None, score: float) -> None:
    got = by_id(chain(F("t", "b", role="target", province=province, city=city)))
    assert got["co.t"].components["region"] == score


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
    assert "企业t —乡情→ 运城（甲县，创始人为运城籍）" in r.reasons


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
                  F("y", "b", role="target", province="浙江省", src=STRONG))
    default = rank_targets(atlas, "ch.t", seg("b"))
    w = default_rules().weights.model_dump()
    for r in default:
        expect = sum(w[k] * v for k, v in r.components.items()) / sum(w.values())
        assert r.score == pytest.approx(expect, abs=1e-4)
        assert set(r.components) == set(w)
    region_only = Weights.model_validate({k: 0 for k in w} | {"region": 1})
    assert [r.company_id for r in rank_targets(atlas, "ch.t", seg("b"), weights=region_only)
            ] == ["co.y", "co.x"]
    scale_only = Weights.model_validate({k: 0 for k in w} | {"scale": 1})
    assert [r.company_id for r in rank_targets(atlas, "ch.t", seg("b"), weights=scale_only)
            ] == ["co.x", "co.y"]


def test_ties_by_company_id_and_top() -> None:
    atlas = chain(*(F(k, "b", role="target") for k in ("c3", "a1", "b2")))
    recs = rank_targets(atlas, "ch.t", seg("b"), top=2)
    assert [r.company_id for r in recs] == ["co.a1", "co.b2"]
    assert len({r.score for r in recs}) == 1


def test_weights_model_is_strict() -> None:
    assert Weights.model_validate({"region": 0}).evidence == default_rules().weights.evidence
    with pytest.raises(ValidationError):
        Weights.model_validate({"bogus": 1})
    with pytest.raises(ValidationError):
        Weights.model_validate({"region": -1})
    with pytest.raises(ValidationError):
        Weights.model_validate(dict.fromkeys(default_rules().weights.model_dump(), 0))


def test_unknown_segment_or_not_in_chain() -> None:
    atlas = chain()
    with pytest.raises(NotFound):
        rank_targets(atlas, "ch.t", "seg.t.zz")
    with pytest.raises(NotFound):
        rank_targets(atlas, "ch.zz", seg("b"))
