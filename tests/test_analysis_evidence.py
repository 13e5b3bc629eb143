"""Rules v2 on small hand-built chains: facts, co-products, inferred evidence, scale, broken
toward the pipeline, the city's own assessments and conflicts, every confidence level."""

from __future__ import annotations

from typing import Any

import pytest

from graph.analysis.gaps import SegmentStatus, diagnose_chain
from graph.analysis.rules import rules_from_dict
from graph.analysis.whatif import Hypothetical, what_if
from graph.model import Assessment, Atlas, CoProduces, Fact, Operates
from tests.fixtures.analysis.build import SRC, STRONG, WEAK, F, P, build, seg, statuses

ABC = (["a", "b", "c"], [["a", "b", "c"]])


def fact(a: Atlas, key: str, short: str, **kw: Any) -> None:
    base = {"metric": "产能", "value": 10.0, "unit": "万吨/年", "src": STRONG}
    a.facts[f"fact.{key}"] = Fact(id=f"fact.{key}", segment=seg(short), **{**base, **kw})


def assess(a: Atlas, key: str, short: str, verdict: str, **kw: Any) -> None:
    a.assessments[f"assess.{key}"] = Assessment(id=f"assess.{key}", segment=seg(short),
                                                verdict=verdict, src=STRONG, **kw)


def fresh(a: Atlas) -> Atlas:
    """A copy of ``a`` (analysis caches its index per atlas object, so an atlas changed
    after a diagnosis is diagnosed as a new object)."""
    return Atlas.from_tables({n: getattr(a, n) for n in Atlas.model_fields})


def st(a: Atlas, short: str, **kw: Any) -> SegmentStatus:
    return diagnose_chain(fresh(a), "ch.t", **kw).by_id()[seg(short)]


def codes(s: SegmentStatus) -> list[str]:
    return [r.code for r in s.reasons]


def basis(s: SegmentStatus) -> list[str]:
    return [r.code for r in s.confidence_basis]


# --- facts ---------------------------------------------------------------------------


def test_a_fact_makes_a_segment_present_without_a_named_firm() -> None:
    a = build(*ABC)
    fact(a, "cold", "b", metric="冷库", value=60, unit="座", county="county.a", year=2024)
    s = st(a, "b")
    assert s.status == "weak" and s.facts == ["fact.cold"] and not s.local_firms
    assert {"facts_only", "documented_output"} <= set(codes(s))
    assert s.operators == 0 and s.strength > 0
    assert st(a, "b", county="county.a").status == "weak"
    assert st(a, "b", county="county.b").status == "missing"
    off = rules_from_dict({"presence": {"facts": False}})
    assert diagnose_chain(a, "ch.t", rules=off).by_id()[seg("b")].status == "missing"


def test_capacity_cut_never_counts_and_under_construction_is_pipeline() -> None:
    a = build(*ABC, firms=[F("x", "a", role="anchor")])
    fact(a, "cut", "b", change="淘汰")
    fact(a, "new", "c", change="在建")
    b, c = st(a, "b"), st(a, "c")
    assert c.status == "missing" and c.pipeline_facts == ["fact.new"]
    assert "in_pipeline" in codes(c)
    # b is missing (its capacity was cut) and cuts the chain toward c, being built.
    assert b.status == "broken" and b.cut_facts == ["fact.cut"] and not b.facts
    assert {"capacity_cut", "cuts_chain"} <= set(codes(b))


def test_city_wide_fact_is_unplaced_in_a_county_view() -> None:
    a = build(*ABC, firms=[F("x", "a", county="county.b")])
    fact(a, "city", "b")  # no county: the whole city
    assert st(a, "b").status == "weak"
    s = st(a, "b", county="county.a")
    assert s.status == "missing" and s.unplaced == ["fact.city"]
    assert s.confidence == "low" and "unplaced_evidence" in basis(s)
    d = diagnose_chain(a, "ch.t", county="county.a")
    assert d.coverage.thin and d.confidence == "low"


def test_park_fact_counts_in_its_county() -> None:
    a = build(*ABC)
    fact(a, "park", "a", park="park.a")
    assert st(a, "a", county="county.a").facts == ["fact.park"]
    assert st(a, "a", park="park.a").facts == ["fact.park"]
    assert st(a, "a", county="county.b").status == "missing"


@pytest.mark.parametrize(("value", "unit", "status"), [
    (120.0, "亿元", "strong"), (80.0, "亿元", "weak"), (1576, "间", "strong"),
    (17, "条", "strong"), (5, "条", "weak"), (500, "吨", "weak")])
def test_documented_scale_fact(value: float, unit: str, status: str) -> None:
    a = build(*ABC)
    fact(a, "output", "a", metric="产值", value=value, unit=unit)
    s = st(a, "a")
    assert s.status == status
    assert ("documented_scale" in codes(s)) == (status == "strong")


def test_over_100yi_assessment_is_documented_scale_and_presence() -> None:
    a = build(*ABC)
    assess(a, "alu", "a", "超过百亿")
    s = st(a, "a")
    assert s.status == "strong" and codes(s)[0] == "documented_scale"
    assert [v.verdict for v in s.assessments] == ["超过百亿"] and s.assessments[0].agrees
    assert not s.conflicts


# --- co-products ---------------------------------------------------------------------


def test_co_products_make_the_by_product_present() -> None:
    a = build(*ABC, firms=[F("x", "a", role="anchor"), F("y", "a")])
    a.co_produces.append(CoProduces(source=seg("a"), target=seg("b"), src=SRC))
    s = st(a, "b")
    assert s.status == "weak" and s.co_producers == ["co.x", "co.y"]
    assert s.co_sources == [seg("a")] and not s.local_firms
    assert {"co_product", "co_product_only"} <= set(codes(s))
    assert s.operators == 2
    off = rules_from_dict({"presence": {"co_products": False}})
    assert diagnose_chain(a, "ch.t", rules=off).by_id()[seg("b")].status == "missing"
    # a co-product of a segment that is itself only a co-product does not chain on
    a.co_produces.append(CoProduces(source=seg("b"), target=seg("c"), src=SRC))
    assert st(a, "c").status == "missing"


def test_co_producers_are_not_counted_twice() -> None:
    a = build(*ABC, firms=[F("x", ["a", "b"]), F("y", "a"), F("z", "a")])
    a.co_produces.append(CoProduces(source=seg("a"), target=seg("b"), src=SRC))
    s = st(a, "b")
    assert s.local_firms == ["co.x"] and s.co_producers == ["co.y", "co.z"]
    # co-producers are present but, by default, a by-product is not a developed segment
    assert s.operators == 3 and s.status == "weak"
    deep = rules_from_dict({"status": {"co_producers_depth": True}})
    s = diagnose_chain(fresh(a), "ch.t", rules=deep).by_id()[seg("b")]
    assert s.status == "strong" and "dense" in codes(s)


# --- inferred evidence ---------------------------------------------------------------


def test_a_name_guessed_anchor_is_not_an_anchor() -> None:
    a = build(*ABC, firms=[F("x", "a", role="anchor")])
    a.companies["co.x"] = a.companies["co.x"].model_copy(update={"inferred": ["segments"]})
    s = st(a, "a")
    assert s.status == "weak" and s.anchors == [] and s.inferred_anchors == ["co.x"]
    assert s.inferred_firms == ["co.x"] and s.operators == 0.5
    assert {"inferred_anchor", "inferred_evidence"} <= set(codes(s))
    assert s.confidence == "low"


def test_an_inferred_role_or_tag_makes_no_anchor() -> None:
    a = build(*ABC, firms=[F("x", "a", role="anchor"), F("y", "b", tags=["龙头"])])
    a.companies["co.x"] = a.companies["co.x"].model_copy(update={"inferred": ["role"]})
    a.companies["co.y"] = a.companies["co.y"].model_copy(update={"inferred": ["tags"]})
    assert st(a, "a").inferred_anchors == ["co.x"] and st(a, "a").operators == 1
    assert st(a, "b").inferred_anchors == ["co.y"] and st(a, "b").status == "weak"


def test_inferred_links_weigh_less_in_depth() -> None:
    a = build(*ABC, firms=[F(k, "a") for k in "xyz"])
    assert st(a, "a").status == "strong"
    a.operates[0] = a.operates[0].model_copy(update={"inferred": True})
    s = st(a, "a")
    assert s.operators == 2.5 and s.status == "weak" and s.inferred_firms == ["co.x"]
    lenient = rules_from_dict({"presence": {"inferred_factor": 1.0}})
    assert diagnose_chain(fresh(a), "ch.t", rules=lenient).by_id()[seg("a")].status == "strong"


def test_an_inferred_county_weighs_less_only_in_county_views() -> None:
    a = build(*ABC, firms=[F("x", "a"), F("y", "a")])
    a.companies["co.x"] = a.companies["co.x"].model_copy(update={"inferred": ["county"]})
    assert st(a, "a").inferred_firms == []
    assert st(a, "a", county="county.a").inferred_firms == ["co.x"]


def test_inferred_only_evidence_can_be_left_out() -> None:
    a = build(*ABC, firms=[F("x", "b")])
    a.operates[0] = a.operates[0].model_copy(update={"inferred": True})
    assert st(a, "b").status == "weak"
    strict = rules_from_dict({"presence": {"inferred_only": False}})
    s = diagnose_chain(fresh(a), "ch.t", rules=strict).by_id()[seg("b")]
    assert s.status == "missing" and s.inferred_firms == ["co.x"]
    assert "inferred_only_evidence" in codes(s)


def test_anchor_alone_thresholds() -> None:
    a = build(*ABC, firms=[F("x", "a", role="anchor"), F("y", "b", role="anchor")])
    assert st(a, "a").status == "strong" and st(a, "b").status == "strong"
    r = rules_from_dict({"status": {"chain_start_anchor": False}})
    d = diagnose_chain(fresh(a), "ch.t", rules=r).by_id()
    assert d[seg("a")].status == "weak" and "anchor_alone" in codes(d[seg("a")])
    assert d[seg("b")].status == "strong"  # fed by a, present
    r = rules_from_dict({"status": {"anchor_min_operators": 2}})
    assert diagnose_chain(fresh(a), "ch.t", rules=r).by_id()[seg("b")].status == "weak"


def test_a_firm_counts_by_its_best_link() -> None:
    a = build(*ABC, firms=[F("x", "a")])
    a.operates.append(Operates(company="co.x", segment=seg("a"), weight=0.5, inferred=True,
                               products=["另一产品"], src=SRC))
    assert st(a, "a").inferred_firms == []


# --- broken --------------------------------------------------------------------------


def test_broken_toward_the_pipeline_and_its_mirror() -> None:
    a = build(*ABC, firms=[F("x", "a", role="anchor")], projects=[P("p", "c", stage="签约")])
    assert statuses(diagnose_chain(a, "ch.t")) == {"a": "strong", "b": "broken", "c": "missing"}
    mirror = build(*ABC, firms=[F("x", "c")], projects=[P("p", "a", stage="对接")])
    assert statuses(diagnose_chain(mirror, "ch.t"))["b"] == "broken"
    off = rules_from_dict({"broken": {"downstream_pipeline": False, "upstream_pipeline": False}})
    assert statuses(diagnose_chain(a, "ch.t", rules=off))["b"] == "missing"
    assert statuses(diagnose_chain(mirror, "ch.t", rules=off))["b"] == "missing"


def test_missing_to_broken_is_the_same_level_in_what_if() -> None:
    a = build(*ABC)
    r = what_if(a, "ch.t", [Hypothetical(name="甲", segment_id=seg("a"), role="anchor"),
                            Hypothetical(name="丙", segment_id=seg("c"))])
    changes = {c.segment_id: (c.before, c.after, c.direction) for c in r.changed}
    assert changes[seg("b")] == ("missing", "broken", "same_level")
    assert changes[seg("a")] == ("missing", "strong", "better")


# --- assessments and conflicts -------------------------------------------------------


def test_agreeing_and_conflicting_assessments_are_shown_never_resolved() -> None:
    a = build(*ABC, firms=[F("x", "a", role="anchor"), F("y", "a")])
    assess(a, "gap-c", "c", "空白")
    assess(a, "gap-a", "a", "短板")
    c, s = st(a, "c"), st(a, "a")
    assert c.status == "missing" and c.confidence == "high" and "assessed_gap" in basis(c)
    assert c.assessments[0].agrees and not c.conflicts
    assert c.assessments[0].src.grade == "strong"
    assert s.status == "strong" and [x.verdict for x in s.conflicts] == ["短板"]
    assert s.conflicts[0].computed == "strong" and "不一致" in s.conflicts[0].message
    d = diagnose_chain(a, "ch.t")
    assert [x.assessment_id for x in d.conflicts] == ["assess.gap-a"]
    assert "assessment_conflicts" in basis(s)


def test_which_assessments_apply_to_which_view() -> None:
    a = build(*ABC, firms=[F("x", "b", county="county.b")])
    assess(a, "county-strength", "b", "优势", county="county.b")
    assess(a, "city-gap", "c", "空白")
    assess(a, "county-gap", "a", "薄弱", county="county.b")
    assert [v.id for v in st(a, "b").assessments] == ["assess.county-strength"]
    assert st(a, "b").conflicts  # weak city-wide against a county 优势
    assert [v.id for v in st(a, "c", county="county.a").assessments] == ["assess.city-gap"]
    assert st(a, "a").assessments == []  # a county's gap is not the city's
    assert [v.id for v in st(a, "a", county="county.b").assessments] == ["assess.county-gap"]
    assert st(a, "b", county="county.a").assessments == []
    assert st(a, "c", park="park.a").assessments[0].id == "assess.city-gap"


# --- confidence ----------------------------------------------------------------------


def test_confidence_levels_of_present_segments() -> None:
    one = build(*ABC, firms=[F("x", "a", src=STRONG)])
    assert st(one, "a").confidence == "medium"
    two = build(*ABC, firms=[F("x", "a", src=STRONG), F("y", "a", src=STRONG)])
    assert st(two, "a").confidence == "high" and st(two, "a").status == "weak"
    thin = build(*ABC, firms=[F("x", "a", src=WEAK)])
    assert st(thin, "a").confidence == "low"
    assess(thin, "ok", "a", "薄弱")
    assert st(thin, "a").confidence == "medium" and "assessment_agrees" in basis(st(thin, "a"))


def test_all_inferred_evidence_is_at_most_medium() -> None:
    firms = [F(k, "a", src=STRONG) for k in "wxyz"]
    a = build(*ABC, firms=firms)
    for c in list(a.companies):
        a.companies[c] = a.companies[c].model_copy(update={"inferred": ["segments"]})
    assess(a, "strength", "a", "优势")
    s = st(a, "a")
    assert s.operators == 2.0 and s.status == "weak"
    strict = rules_from_dict({"status": {"dense_min_firms": 2}})
    s = diagnose_chain(a, "ch.t", rules=strict).by_id()[seg("a")]
    assert s.status == "strong" and s.confidence == "medium" and "inferred_only" in basis(s)


def test_confidence_levels_of_absent_segments() -> None:
    a = build(["a", "b", "c", "d"], [["a", "b"], ["c", "d"]], firms=[F("x", "a")],
              projects=[P("p", "c", stage="线索")])
    assert st(a, "b").confidence == "medium" and "neighbour_present" in basis(st(a, "b"))
    assert st(a, "c").confidence == "medium" and "pipeline_known" in basis(st(a, "c"))
    d = st(a, "d")
    assert d.confidence == "low" and "no_coverage" in basis(d)
    assess(a, "gap", "d", "缺失")
    assert st(a, "d").confidence == "high"
    assess(a, "says-strong", "b", "龙头")
    b = st(a, "b")
    assert b.confidence == "low" and b.conflicts[0].verdict == "龙头"


def test_unplaced_projects_lower_county_confidence() -> None:
    a = build(*ABC, firms=[F("x", "a")], projects=[P("p", "b", stage="投产", county=None)])
    assert st(a, "b").status == "weak"
    s = st(a, "b", county="county.a")
    assert s.status == "missing" and s.unplaced == ["proj.p"]
    assert s.confidence == "low" and "unplaced_evidence" in basis(s)
    cov = diagnose_chain(a, "ch.t", county="county.a").coverage
    assert (cov.placed_projects, cov.unplaced_projects) == (0, 1)
