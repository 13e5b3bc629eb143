"""Gap-diagnosis rules on small hand-built chains: every status, reason and tie-break."""

from __future__ import annotations

import pytest

from graph.analysis.gaps import city_gaps, diagnose_chain
from graph.analysis.rules import default_rules, rules_from_dict
from graph.errors import NotFound
from graph.model import Chain, Feeds, Segment
from tests.fixtures.analysis.build import WEAK, F, P, build, seg, statuses

ABC = (["a", "b", "c"], [["a", "b", "c"]])


def codes(diag: object, short: str) -> list[str]:
    st = {s.segment_id: s for s in diag.segments}[seg(short)]  # type: ignore[attr-defined]
    return [r.code for r in st.reasons]


def test_missing_when_no_local_firm_and_targets_do_not_count() -> None:
    a = build(*ABC, firms=[F("t", "b", role="target", province="浙江省")])
    d = diagnose_chain(a, "ch.t")
    assert statuses(d) == {"a": "missing", "b": "missing", "c": "missing"}
    assert codes(d, "b") == ["no_local_firm"]
    assert d.completeness == 0.0
    assert all(s.strength == 0 for s in d.segments)


def test_broken_lies_between_present_segments() -> None:
    a = build(["a", "b", "c", "d"], [["a", "b", "c", "d"]],
              firms=[F("x", "a", role="anchor"), F("y", "d", role="anchor")])
    d = diagnose_chain(a, "ch.t")
    assert statuses(d) == {"a": "strong", "b": "broken", "c": "broken", "d": "weak"}
    assert "cuts_chain" in codes(d, "b")
    msg = next(r.message for r in d.segments[1].reasons if r.code == "cuts_chain")
    assert "环节a" in msg and "环节d" in msg


def test_missing_not_broken_without_both_sides() -> None:
    up_only = diagnose_chain(build(*ABC, firms=[F("x", "a")]), "ch.t")
    down_only = diagnose_chain(build(*ABC, firms=[F("x", "c")]), "ch.t")
    assert statuses(up_only)["b"] == "missing"
    assert statuses(down_only)["b"] == "missing"


def test_broken_follows_paths_not_just_neighbours() -> None:
    # a → b → c and a → d: d is not between a and c, so it is only missing.
    a = build(["a", "b", "c", "d"], [["a", "b", "c"], ["a", "d"]],
              firms=[F("x", "a"), F("y", "c")])
    assert statuses(diagnose_chain(a, "ch.t")) == {
        "a": "weak", "b": "broken", "c": "weak", "d": "missing"}


def test_pipeline_projects_listed_not_counted() -> None:
    a = build(*ABC, projects=[P("p1", "b", stage="对接"), P("p2", "b", stage="开工"),
                              P("p3", "b", stage="终止")])
    d = diagnose_chain(a, "ch.t")
    st = d.by_id()[seg("b")]
    assert st.status == "missing"
    assert st.pipeline_projects == ["proj.p1", "proj.p2"]
    assert "in_pipeline" in codes(d, "b")


def test_producing_project_counts_once() -> None:
    a = build(*ABC, projects=[P("p1", "b", stage="投产")])
    st = diagnose_chain(a, "ch.t").by_id()[seg("b")]
    assert st.status == "weak" and st.producing_projects == ["proj.p1"] and not st.local_firms
    # The investor already counts as a local firm there: no double counting.
    b = build(*ABC, firms=[F("x", "b")], projects=[P("p1", "b", stage="达效", investor="co.x")])
    st = diagnose_chain(b, "ch.t").by_id()[seg("b")]
    assert st.producing_projects == [] and "single_firm" in [r.code for r in st.reasons]


def test_weak_single_small_firm() -> None:
    d = diagnose_chain(build(*ABC, firms=[F("x", "a")]), "ch.t")
    assert statuses(d)["a"] == "weak"
    assert codes(d, "a") == ["single_firm", "no_anchor_no_scale"]


def test_weak_not_dense_with_scale_firm() -> None:
    d = diagnose_chain(build(*ABC, firms=[F("x", "a", tags=["规上"]), F("y", "a")]), "ch.t")
    assert statuses(d)["a"] == "weak"
    assert codes(d, "a") == ["not_dense"]


@pytest.mark.parametrize("firm", [F("x", "a", role="anchor"), F("x", "a", tags=["龙头"]),
                                  F("x", "a", tags=["链主"])])
def test_strong_when_anchored(firm: F) -> None:
    d = diagnose_chain(build(*ABC, firms=[firm]), "ch.t")
    assert statuses(d)["a"] == "strong" and codes(d, "a") == ["anchored"]
    assert d.by_id()[seg("a")].anchors == ["co.x"]


def test_strong_when_dense() -> None:
    small = [F(k, "a") for k in "xyz"]
    scaled = [F("x", "a", tags=["上市"]), F("y", "a", tags=["规上"])]
    for firms in (small, scaled):
        d = diagnose_chain(build(*ABC, firms=firms), "ch.t")
        assert statuses(d)["a"] == "strong" and codes(d, "a") == ["dense"]


def test_anchor_depending_on_outside_supply_is_weak() -> None:
    d = diagnose_chain(build(*ABC, firms=[F("x", "c", role="anchor")]), "ch.t")
    assert statuses(d)["c"] == "weak" and codes(d, "c") == ["anchor_outside_supply"]
    # Supply present upstream: strong.
    d = diagnose_chain(build(*ABC, firms=[F("x", "c", role="anchor"), F("y", "b")]), "ch.t")
    assert statuses(d)["c"] == "strong"


def test_dense_takes_precedence_over_outside_supply() -> None:
    firms = [F("x", "c", role="anchor"), F("y", "c"), F("z", "c")]
    d = diagnose_chain(build(*ABC, firms=firms), "ch.t")
    assert statuses(d)["c"] == "strong" and "dense" in codes(d, "c")


def test_anchor_supply_modes() -> None:
    # c is fed by a and b; only a is present locally.
    atlas = build(["a", "b", "c"], [["a", "c"], ["b", "c"]],
                  firms=[F("x", "c", role="anchor"), F("y", "a")])
    got = {mode: statuses(diagnose_chain(atlas, "ch.t", rules=rules_from_dict(
        {"status": {"anchor_supply": mode}})))["c"] for mode in ("all", "any", "off")}
    assert got == {"all": "strong", "any": "weak", "off": "strong"}


def test_presence_thresholds_from_rules() -> None:
    atlas = build(*ABC, firms=[F("x", "a", weight=0.05), F("y", "b", src=WEAK)])
    assert statuses(diagnose_chain(atlas, "ch.t"))["a"] == "missing"
    assert statuses(diagnose_chain(atlas, "ch.t"))["b"] == "weak"
    strict = rules_from_dict({"presence": {"grades": ["strong", "medium"], "min_weight": 0.01}})
    got = statuses(diagnose_chain(atlas, "ch.t", rules=strict))
    assert got["a"] == "weak" and got["b"] == "missing"


def test_completeness_is_weighted() -> None:
    atlas = build(*ABC, firms=[F("x", "a")], weights={"a": 2.0, "b": 1.0, "c": 1.0})
    assert diagnose_chain(atlas, "ch.t").completeness == 0.5


def test_strength_grows_with_presence() -> None:
    one = diagnose_chain(build(*ABC, firms=[F("x", "a")]), "ch.t").by_id()[seg("a")].strength
    anchor = diagnose_chain(build(*ABC, firms=[F("x", "a", role="anchor")]), "ch.t")
    two = diagnose_chain(build(*ABC, firms=[F("x", "a"), F("y", "a")]), "ch.t")
    assert 0 < one < anchor.by_id()[seg("a")].strength <= 1
    assert one < two.by_id()[seg("a")].strength


def test_county_and_park_regions() -> None:
    atlas = build(*ABC, firms=[F("x", "a", county="county.b"), F("y", "b", park="park.a")],
                  projects=[P("p", "c", stage="投产", county="county.b")])
    city = statuses(diagnose_chain(atlas, "ch.t"))
    assert city == {"a": "weak", "b": "weak", "c": "weak"}
    a = diagnose_chain(atlas, "ch.t", county="county.a")
    assert statuses(a) == {"a": "missing", "b": "weak", "c": "missing"} and a.region == "county.a"
    park = diagnose_chain(atlas, "ch.t", park="park.a")
    assert statuses(park)["b"] == "weak" and park.region == "park.a"
    assert statuses(diagnose_chain(atlas, "ch.t", county="county.b"))["c"] == "weak"


@pytest.mark.parametrize("kwargs", [{"county": "county.zz"}, {"park": "park.zz"},
                                    {"county": "county.b", "park": "park.a"}])
def test_unknown_region_is_not_found(kwargs: dict[str, str]) -> None:
    with pytest.raises(NotFound):
        diagnose_chain(build(*ABC), "ch.t", **kwargs)


def test_unknown_chain_is_not_found() -> None:
    with pytest.raises(NotFound):
        diagnose_chain(build(*ABC), "ch.nope")


def test_parent_chain_includes_children() -> None:
    atlas = build(*ABC, firms=[F("x", "a", role="anchor")])
    atlas.chains["ch.t"].parent = "ch.p"
    atlas.chains["ch.p"] = Chain(id="ch.p", name="集群", cluster="测试",
                                 src=atlas.chains["ch.t"].src)
    d = diagnose_chain(atlas, "ch.p")
    assert [s.segment_id for s in d.segments] == [seg("a"), seg("b"), seg("c")]
    assert d.rules_version == default_rules().version


def test_segments_ordered_by_stage_then_id() -> None:
    d = diagnose_chain(build(["c", "b", "a"], [["c", "b", "a"]]), "ch.t")
    assert [s.stage.value for s in d.segments] == ["upstream", "midstream", "downstream"]


def test_city_gaps_priority_dedupe_and_ties() -> None:
    atlas = build(["a", "b", "c", "d"], [["a", "b", "c"]],
                  firms=[F("x", "a", role="anchor"), F("y", "c", role="anchor")])
    # A second chain sharing segment b, where b has no present neighbour.
    atlas.chains["ch.u"] = Chain(id="ch.u", name="另一链", cluster="测试",
                                 src=atlas.chains["ch.t"].src)
    b = atlas.segments[seg("b")]
    atlas.segments[seg("b")] = Segment(**{**b.model_dump(), "chains": ["ch.t", "ch.u"]})
    atlas.feeds.append(Feeds(source=seg("d"), target=seg("b"), chain="ch.t", src=b.src))
    gaps = city_gaps(atlas)
    got = [(g.segment_id, g.status, g.priority, g.chain_id, g.chains) for g in gaps]
    # b: broken 3x1 + 0.5 x 2 present neighbours (a, c) = 4.0 in ch.t; in ch.u it is missing.
    # d: missing 2x1, no present neighbour, so low confidence: x 0.5 = 1.0; c is weak
    # (anchor, feeder b absent): 1 + 0 = 1.0; the tie is broken by segment id.
    assert got == [
        (seg("b"), "broken", 4.0, "ch.t", ["ch.t", "ch.u"]),
        (seg("c"), "weak", 1.0, "ch.t", ["ch.t"]),
        (seg("d"), "missing", 1.0, "ch.t", ["ch.t"]),
    ]
    assert [g.confidence for g in gaps] == ["medium", "medium", "low"]


def test_city_gaps_ties_by_segment_id() -> None:
    atlas = build(["b", "a", "c"])
    assert [g.segment_id for g in city_gaps(atlas)] == [seg("a"), seg("b"), seg("c")]
    with pytest.raises(NotFound):
        city_gaps(atlas, county="county.zz")


def test_city_gaps_tie_prefers_the_most_specific_chain() -> None:
    atlas = build(*ABC, firms=[F("x", "a", role="anchor")])
    src = atlas.chains["ch.t"].src
    atlas.chains["ch.t"].parent = "ch.a"
    atlas.chains["ch.a"] = Chain(id="ch.a", name="集群", cluster="测试", src=src)
    atlas.segments["seg.a.z"] = Segment(id="seg.a.z", name="集群独有", stage="upstream",
                                        chains=["ch.a"], src=src)
    gaps = {g.segment_id: g for g in city_gaps(atlas)}
    # b has the same priority in ch.a (3 segments + z) and ch.t: listed under ch.t.
    assert gaps[seg("b")].chain_id == "ch.t" and gaps[seg("b")].chains == ["ch.a", "ch.t"]
    assert gaps["seg.a.z"].chain_id == "ch.a"
