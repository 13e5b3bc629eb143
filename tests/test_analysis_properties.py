"""Property tests (hypothesis) over random small chains: monotonicity, broken ⊂ missing,
determinism."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.analysis.gaps import STATUS_LEVEL, city_gaps, diagnose_chain
from graph.analysis.targets import rank_targets
from graph.model import Atlas
from tests.fixtures.analysis.build import F, P, build, seg

TAGS = [(), ("规上",), ("上市", "规上"), ("龙头",), ("世界500强",), ("专精特新",)]


@dataclass
class Case:
    n: int
    edges: list[tuple[int, int]]
    firms: list[F]
    projects: list[P]

    def atlas(self, extra: Sequence[F] = (), reverse: bool = False) -> Atlas:
        segs = [f"s{i}" for i in range(self.n)]
        paths = [[f"s{a}", f"s{b}"] for a, b in self.edges]
        firms = [*self.firms, *extra]
        projects = list(self.projects)
        if reverse:
            paths, firms, projects = paths[::-1], firms[::-1], projects[::-1]
        return build(segs, paths, firms=firms, projects=projects)


def firm_st(n: int, key: str, roles: list[str]) -> st.SearchStrategy[F]:
    return st.builds(
        F, key=st.just(key), segments=st.sampled_from([f"s{i}" for i in range(n)]),
        role=st.sampled_from(roles), tags=st.sampled_from(TAGS),
        county=st.sampled_from(["county.a", "county.b"]),
        weight=st.sampled_from([1.0, 0.5, 0.05]),
        province=st.sampled_from([None, "浙江省", "山东省"]))


@st.composite
def cases(draw: st.DrawFn) -> Case:
    n = draw(st.integers(2, 4))
    pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
    edges = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=8))
    k = draw(st.integers(0, 9))
    firms = [draw(firm_st(n, f"f{i}", ["local", "target", "anchor"])) for i in range(k)]
    projects = [P(f"p{i}", draw(st.sampled_from([f"s{j}" for j in range(n)])),
                  stage=draw(st.sampled_from(["线索", "对接", "签约", "投产", "达效", "终止"])),
                  county=draw(st.sampled_from(["county.a", "county.b", None])))
                for i in range(draw(st.integers(0, 3)))]
    return Case(n, edges, firms, projects)


SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@settings(SETTINGS, max_examples=400)
@given(case=cases(), data=st.data())
def test_adding_a_local_firm_never_makes_a_segment_worse(case: Case, data: st.DataObject
                                                         ) -> None:
    extra = data.draw(firm_st(case.n, "new", ["local", "anchor"]))
    if case.firms and data.draw(st.booleans()):  # often join a segment that has firms
        extra.segments = data.draw(st.sampled_from([f.segments for f in case.firms]))
    before_atlas, after_atlas = case.atlas(), case.atlas([extra])
    for county in (None, "county.a"):
        before = diagnose_chain(before_atlas, "ch.t", county=county)
        after = diagnose_chain(after_atlas, "ch.t", county=county)
        assert after.completeness >= before.completeness
        b = before.by_id()
        for s in after.segments:
            assert STATUS_LEVEL[s.status] >= STATUS_LEVEL[b[s.segment_id].status], s.segment_id


@SETTINGS
@given(case=cases())
def test_broken_is_exactly_the_cut_part_of_missing(case: Case) -> None:
    atlas = case.atlas()
    d = diagnose_chain(atlas, "ch.t")
    g: nx.DiGraph[str] = nx.DiGraph()
    g.add_nodes_from(seg(f"s{i}") for i in range(case.n))
    g.add_edges_from((seg(f"s{a}"), seg(f"s{b}")) for a, b in case.edges)
    present = {s.segment_id for s in d.segments if s.status in ("strong", "weak")}
    building = {seg(p.segments) for p in case.projects  # type: ignore[arg-type]
                if p.stage in ("线索", "对接", "签约")}
    for s in d.segments:
        absent = not s.local_firms and not s.producing_projects
        assert absent == (s.status in ("missing", "broken"))
        up, down = nx.ancestors(g, s.segment_id), nx.descendants(g, s.segment_id)
        cut = bool(up & present and down & (present | building)) or bool(
            up & building and down & present)
        assert (s.status == "broken") == (absent and cut)
        assert ("cuts_chain" in [r.code for r in s.reasons]) == (s.status == "broken")
    assert {g.segment_id for g in city_gaps(atlas)} == {
        s.segment_id for s in d.segments if s.status != "strong"}


@SETTINGS
@given(case=cases())
def test_results_are_deterministic(case: Case) -> None:
    a, b = case.atlas(), case.atlas(reverse=True)
    assert diagnose_chain(a, "ch.t").model_dump() == diagnose_chain(b, "ch.t").model_dump()
    assert diagnose_chain(a, "ch.t").model_dump() == diagnose_chain(a, "ch.t").model_dump()
    assert [x.model_dump() for x in city_gaps(a)] == [x.model_dump() for x in city_gaps(b)]
    for i in range(case.n):
        ra = rank_targets(a, "ch.t", seg(f"s{i}"))
        rb = rank_targets(b, "ch.t", seg(f"s{i}"))
        assert [r.model_dump() for r in ra] == [r.model_dump() for r in rb]
