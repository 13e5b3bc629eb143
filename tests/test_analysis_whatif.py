"""What-if and extension (延链) on hand-built chains."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from graph.analysis.extension import extension_candidates
from graph.analysis.gaps import diagnose_chain
from graph.analysis.rules import rules_from_dict
from graph.analysis.whatif import Hypothetical, what_if
from graph.errors import InvalidInput, NotFound
from graph.model import Atlas, Chain, Feeds, Institute, Segment, Supports
from tests.fixtures.analysis.build import SRC, F, build, seg

ABC = (["a", "b", "c"], [["a", "b", "c"]])


def hyp(**kw: object) -> Hypothetical:
    return Hypothetical.model_validate({"name": "假设", **kw})


def test_adding_a_firm_changes_statuses_without_touching_the_atlas() -> None:
    atlas = build(*ABC, firms=[F("x", "a", role="anchor")])
    before = diagnose_chain(atlas, "ch.t").model_dump()
    counts = atlas.counts()
    res = what_if(atlas, "ch.t", [hyp(segment_id=seg("c"), role="anchor", tags=["上市"])])
    assert (res.before, res.after, res.delta) == (pytest.approx(1 / 3, abs=1e-4),
                                                  pytest.approx(2 / 3, abs=1e-4),
                                                  pytest.approx(1 / 3, abs=1e-4))
    assert {(c.segment_id, c.before, c.after) for c in res.changed} == {
        (seg("b"), "missing", "broken"), (seg("c"), "missing", "weak")}
    assert res.diagnosis.by_id()[seg("c")].status == "weak"
    assert atlas.counts() == counts
    assert diagnose_chain(atlas, "ch.t").model_dump() == before


def test_projects_count_only_when_producing() -> None:
    atlas = build(*ABC)
    talk = what_if(atlas, "ch.t", [hyp(segment_id=seg("a"), stage="对接")])
    assert talk.delta == 0 and talk.changed == []
    assert talk.diagnosis.by_id()[seg("a")].pipeline_projects == ["proj.whatif-1"]
    prod = what_if(atlas, "ch.t", [hyp(segment_id=seg("a"), stage="投产")])
    assert prod.changed[0].after == "weak" and prod.delta > 0


def test_region_placement() -> None:
    atlas = build(*ABC)
    res = what_if(atlas, "ch.t", [hyp(segment_id=seg("a"), county="county.b")],
                  county="county.a")
    assert res.delta == 0
    res = what_if(atlas, "ch.t", [hyp(segment_id=seg("a"))], park="park.a")
    assert res.delta > 0 and res.region == "park.a"


@pytest.mark.parametrize("bad", [
    {"segment_id": "seg.t.a", "stage": "投产", "role": "anchor"},
    {"segment_id": "seg.t.a", "kind": "project"},
    {"segment_id": "seg.t.a", "kind": "firm", "stage": "投产"},
    {"segment_id": "seg.t.a", "unknown": 1},
    {"segment_id": "seg.t.a", "role": "target"},
    {"segment_id": "seg.t.a", "tags": ["不存在的标签"]},
])
def test_hypothetical_is_strict(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        hyp(**bad)


def test_bad_segments() -> None:
    atlas = build(*ABC)
    atlas.segments["seg.u.z"] = Segment(id="seg.u.z", name="别链环节", stage="upstream",
                                        chains=["ch.u"], src=SRC)
    atlas.chains["ch.u"] = Chain(id="ch.u", name="别链", cluster="测试", src=SRC)
    with pytest.raises(InvalidInput):
        what_if(atlas, "ch.t", [hyp(segment_id="seg.u.z")])
    with pytest.raises(NotFound):
        what_if(atlas, "ch.t", [hyp(segment_id="seg.t.zz")])


# --- extension ------------------------------------------------------------------------


def ext_atlas() -> tuple[Atlas]:
    """ch.t: a (strong) → b (local, weak); other chain ch.u: a → x, y shares products with a."""
    atlas = build(*ABC, firms=[F("x", "a", role="anchor"), F("y", "b")],
                  products={"a": ["针状焦", "煤沥青"]})
    atlas.chains["ch.u"] = Chain(id="ch.u", name="碳材料", cluster="测试", src=SRC)
    for sid, prods in (("seg.u.x", ["石墨电极"]), ("seg.u.y", ["针状焦"]),
                       ("seg.u.z", ["无关"]), ("seg.u.w", ["无关"])):
        atlas.segments[sid] = Segment(id=sid, name=f"延伸{sid[-1]}", stage="downstream",
                                      chains=["ch.u"], key_products=prods, src=SRC)
    atlas.feeds.append(Feeds(source=seg("a"), target="seg.u.x", chain="ch.u", src=SRC))
    atlas.institutes["inst.i"] = Institute(id="inst.i", name="某院", kind="科研院所", src=SRC)
    atlas.supports += [Supports(institute="inst.i", segment=s, src=SRC)
                       for s in (seg("a"), "seg.u.w")]
    return (atlas,)


def test_extension_ranks_by_relatedness() -> None:
    (atlas,) = ext_atlas()
    items = extension_candidates(atlas, "ch.t")
    got = [(e.segment_id, e.relatedness, e.in_chain) for e in items]
    # x: feeds 1.0; y: products 1 of 1 -> 1.0; c: shared chain 0.5 (b, the weak one, feeds it);
    # w: institute 0.3 < 0.5; z: nothing.
    assert got == [("seg.u.x", 1.0, False), ("seg.u.y", 1.0, False), (seg("c"), 0.5, True)]
    x = items[0]
    assert x.from_segments == [seg("a")] and x.components == {"feeds": 1.0}
    assert any("环节a（本地强）" in r for r in x.reasons)
    assert any("针状焦" in r for r in items[1].reasons)


def test_extension_threshold_from_rules_and_no_strong_segment() -> None:
    (atlas,) = ext_atlas()
    low = rules_from_dict({"extension": {"min_relatedness": 0.3}})
    ids = [e.segment_id for e in extension_candidates(atlas, "ch.t", rules=low)]
    assert "seg.u.w" in ids and "seg.u.z" not in ids
    assert extension_candidates(build(*ABC, firms=[F("y", "b")]), "ch.t") == []
    assert len(extension_candidates(atlas, "ch.t", top=1)) == 1
