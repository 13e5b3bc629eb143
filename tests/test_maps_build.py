"""Map data builders (visual.build, visual.overview, visual.layout): pure functions over an
Atlas, checked against the analysis they draw from."""

from __future__ import annotations

import itertools

import pytest

from graph.analysis.gaps import diagnose_chain
from graph.analysis.targets import rank_targets
from graph.errors import NotFound
from graph.loader import load_seeds
from graph.model import Atlas, Role, Stage
from tests.conftest import FIXTURES
from visual.build import chain_map
from visual.layout import layered_positions, layers
from visual.model import STATUS_COLOR, MapData
from visual.overview import atlas_map, regions_map

MAPS = FIXTURES / "maps"
U, M, D = Stage.upstream, Stage.midstream, Stage.downstream


@pytest.fixture(scope="module")
def probe_atlas() -> Atlas:
    return load_seeds(MAPS)


def xy(data: MapData) -> dict[str, tuple[float, float]]:
    return {n.id: (n.x, n.y) for n in data.nodes}


def test_layers_follow_feeds_then_stage() -> None:
    got = layers(["a", "b", "c", "lone_up", "lone_mid", "lone_down"],
                 {"b": ["a"], "c": ["b", "a"]},
                 {"a": U, "b": M, "c": D, "lone_up": U, "lone_mid": M, "lone_down": D})
    assert got == {"a": 0, "b": 1, "c": 2, "lone_up": 0, "lone_mid": 1, "lone_down": 2}


def test_layers_terminate_on_a_cycle() -> None:
    got = layers(["a", "b", "c"], {"b": ["a", "c"], "c": ["b"]}, {"a": U, "b": M, "c": D})
    assert got["a"] == 0 and got["b"] >= 1 and got["c"] >= 1


def test_tall_columns_are_split_and_blocks_do_not_overlap() -> None:
    nodes = [f"n{i:02d}" for i in range(30)]
    pos = layered_positions(nodes, {}, dict.fromkeys(nodes, U), heights=dict.fromkeys(nodes, 80),
                            gap=20, max_height=500)
    xs = {x for x, _ in pos.values()}
    assert len(xs) == 6  # 30 x 100 = 3000 high → 6 sub-columns of <= 500
    for x in xs:
        ys = sorted(y for px, y in pos.values() if px == x)
        assert all(b - a >= 100 for a, b in itertools.pairwise(ys))


def test_chain_map_nodes_are_segments_plus_local_firms(mini_atlas: Atlas) -> None:
    diag = diagnose_chain(mini_atlas, "ch.t.nylon")
    firms = {f for s in diag.segments for f in (*s.local_firms, *s.anchors)}
    data = chain_map(mini_atlas, "ch.t.nylon")
    assert data.node_ids() == {s.segment_id for s in diag.segments} | firms
    by_id = {n.id: n for n in data.nodes}
    for s in diag.segments:
        n = by_id[s.segment_id]
        assert n.color == STATUS_COLOR[s.status]
        assert n.dashed == (s.status in ("missing", "broken"))
    assert by_id["co.t.local-coke"].shape == "star"  # the anchor


def test_chain_map_runs_left_to_right_along_feeds(mini_atlas: Atlas) -> None:
    data = chain_map(mini_atlas, "ch.t.nylon")
    pos = xy(data)
    feeds = [e for e in data.edges if e.kind == "feeds"]
    assert {(e.source, e.target) for e in feeds} == {
        (f.source, f.target) for f in mini_atlas.chain_feeds("ch.t.nylon")}
    assert all(pos[e.source][0] < pos[e.target][0] for e in feeds)


def test_segment_size_grows_with_strength(seed_atlas: Atlas) -> None:
    chain = max(seed_atlas.chains, key=lambda c: len(seed_atlas.chain_segments(c)))
    diag = diagnose_chain(seed_atlas, chain)
    size = {n.id: n.size for n in chain_map(seed_atlas, chain).nodes}
    ranked = sorted(diag.segments, key=lambda s: s.strength)
    assert all(size[a.segment_id] <= size[b.segment_id] for a, b in
               itertools.pairwise(ranked))


def test_missing_segment_panel_lists_status_reasons_and_targets(mini_atlas: Atlas) -> None:
    data = chain_map(mini_atlas, "ch.t.nylon", top=3)
    detail = data.details["seg.t.cpl"]
    sections = {s.key: s for s in detail.sections}
    reasons = diagnose_chain(mini_atlas, "ch.t.nylon").by_id()["seg.t.cpl"].reasons
    assert [i.text for i in sections["status"].items] == [r.message for r in reasons]
    shown = " ".join(i.text + " ".join(i.notes) for i in sections["status"].items)
    assert all(r.code not in shown for r in reasons)  # codes stay in the API
    recs = rank_targets(mini_atlas, "ch.t.nylon", "seg.t.cpl", top=3)
    assert recs, "the fixture has a target for 己内酰胺"
    assert [i.text.split(" ", 1)[1].split("（")[0] for i in sections["targets"].items] == [
        r.name for r in recs]
    assert sections["targets"].items[0].notes[-len(recs[0].reasons):] == recs[0].reasons
    assert sections["targets"].items[0].link == f"/company/{recs[0].company_id}"


def test_region_filter_rediagnoses_and_shows_only_that_regions_firms(probe_atlas: Atlas
                                                                     ) -> None:
    data = chain_map(probe_atlas, "ch.t.probe")
    filters = {f.id: f for f in data.filters}
    assert set(filters) == {"county.hejin", "county.jishan", "park.hejin-kfq"}
    js = filters["county.jishan"]
    diag = diagnose_chain(probe_atlas, "ch.t.probe", county="county.jishan")
    assert js.show is not None
    assert set(js.show) - {s.segment_id for s in diag.segments} == {"co.t.script"}
    assert {k: v.color for k, v in js.restyle.items()} == {
        s.segment_id: STATUS_COLOR[s.status] for s in diag.segments}


def test_chain_map_initial_filter_and_unknown_ids(probe_atlas: Atlas) -> None:
    assert chain_map(probe_atlas, "ch.t.probe", park="park.hejin-kfq").initial_filter == \
        "park.hejin-kfq"
    with pytest.raises(NotFound):
        chain_map(probe_atlas, "ch.nope")
    with pytest.raises(NotFound):
        chain_map(probe_atlas, "ch.t.probe", county="county.nope")


def test_atlas_map_highlights_shared_segments(probe_atlas: Atlas) -> None:
    data = atlas_map(probe_atlas)
    roots = {f"agg:{c.id}" for c in probe_atlas.chains.values() if c.parent is None}
    assert data.node_ids() == set(probe_atlas.chains) | set(probe_atlas.segments) | roots
    assert data.collapsed and set(data.expand) == roots  # aggregated first, expand on click
    assert set(atlas_map(probe_atlas, collapsed=False).node_ids()) == (
        set(probe_atlas.chains) | set(probe_atlas.segments))
    by_id = {n.id: n for n in data.nodes}
    assert by_id["seg.t.mid"].group == "shared"
    assert by_id["seg.t.raw"].group == "segment"
    members = {(e.source, e.target) for e in data.edges if e.kind == "member"}
    assert {("ch.t.probe", "seg.t.mid"), ("ch.t.side", "seg.t.mid")} <= members


def test_atlas_map_of_the_seed_atlas_draws_every_chain_and_segment(seed_atlas: Atlas) -> None:
    data = atlas_map(seed_atlas)
    roots = {f"agg:{c.id}" for c in seed_atlas.chains.values() if c.parent is None}
    assert data.node_ids() == set(seed_atlas.chains) | roots | {
        s.id for s in seed_atlas.segments.values() if set(s.chains) & set(seed_atlas.chains)}
    shown = {i for ids in data.expand.values() for i in ids}
    assert shown == data.node_ids() - roots  # every chain and segment is one click away
    shared = {n.id for n in data.nodes if n.group == "shared"}
    assert shared == {s.id for s in seed_atlas.segments.values() if len(s.chains) > 1}


def test_regions_map_places_firms_around_their_park_or_county(probe_atlas: Atlas) -> None:
    data = regions_map(probe_atlas)
    local = {c.id for c in probe_atlas.companies.values() if c.role is not Role.target}
    assert data.node_ids() == set(probe_atlas.counties) | set(probe_atlas.parks) | local
    pos = xy(data)

    def dist(a: str, b: str) -> float:
        return float(((pos[a][0] - pos[b][0]) ** 2 + (pos[a][1] - pos[b][1]) ** 2) ** 0.5)

    assert dist("co.t.img", "park.hejin-kfq") < dist("co.t.img", "county.jishan")
    assert dist("co.t.script", "county.jishan") < dist("co.t.script", "county.hejin")
    chain_filter = next(f for f in data.filters if f.id == "ch.t.side")
    assert chain_filter.show is not None
    assert set(chain_filter.show) & local == {"co.t.plain"}

