"""The vis-network graph built with pyvis (visual/network.py) and its place in the page."""

from __future__ import annotations

import json
import re

import pytest

from graph.analysis.gaps import diagnose_chain
from graph.loader import load_seeds
from graph.model import Atlas
from tests.conftest import FIXTURES
from visual.build import chain_map
from visual.model import STATUS_COLOR, Edge, MapData, Node
from visual.network import BIG, to_network, vis_payload
from visual.overview import atlas_map, regions_map
from visual.render import render_html

DATA_BLOCK = re.compile(r'<script id="map-data" type="application/json">(.*?)</script>', re.S)
IMG_PROBE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def probe_atlas() -> Atlas:
    return load_seeds(FIXTURES / "maps")


def build(atlas: Atlas, kind: str) -> MapData:
    return {"chain": lambda: chain_map(atlas, "ch.t.probe"), "atlas": lambda: atlas_map(atlas),
            "regions": lambda: regions_map(atlas)}[kind]()


def node(i: int, label: str = "甲", shape: str = "dot") -> Node:
    return Node(id=f"n{i}", label=label, group="g", x=i, y=0, size=10, color="#ffffff",
                border="#000000", title=f"提示{i}", shape=shape)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["chain", "atlas", "regions"])
def test_page_payload_is_what_pyvis_built(probe_atlas: Atlas, kind: str) -> None:
    data = build(probe_atlas, kind)
    page = json.loads(DATA_BLOCK.findall(render_html(data))[0])
    net = to_network(data)
    assert page["vis"]["nodes"] == net.nodes
    assert page["vis"]["edges"] == net.edges
    assert page["vis"]["options"] == net.options
    assert net.num_nodes() == len(page["vis"]["nodes"]) == len(data.nodes) > 0
    assert net.num_edges() == len(data.edges)
    assert [n["id"] for n in page["vis"]["nodes"]] == [n.id for n in data.nodes]
    assert page["vis"]["options"]["physics"] == {"enabled": False}


@pytest.mark.parametrize("kind", ["chain", "atlas", "regions"])
def test_nodes_and_edges_carry_the_model_look(probe_atlas: Atlas, kind: str) -> None:
    data = build(probe_atlas, kind)
    vis = vis_payload(data)
    for n, v in zip(data.nodes, vis["nodes"], strict=True):
        assert (v["label"], v["x"], v["y"], v["shape"], v["size"], v["title"]) == \
            (n.label, n.x, n.y, n.shape, n.size, n.title)
        assert v["color"]["background"] == n.color and v["color"]["border"] == n.border
        assert v["shapeProperties"]["borderDashes"] == ([6, 4] if n.dashed else False)
        assert v["font"]["size"] == n.font_size
        assert ("margin" in v) == (n.shape == "box")
    for i, (e, v) in enumerate(zip(data.edges, vis["edges"], strict=True)):
        assert (v["id"], v["from"], v["to"], v["width"], v["dashes"]) == \
            (f"e{i}", e.source, e.target, e.width, e.dashed)
        assert bool(v["arrows"]) == e.arrow and v["color"]["color"] == e.color


def test_tooltips_stay_plain_strings(probe_atlas: Atlas) -> None:
    vis = vis_payload(regions_map(probe_atlas))
    titles = [n["title"] for n in vis["nodes"]]
    assert all(isinstance(t, str) for t in titles)
    assert any(t.startswith(IMG_PROBE) for t in titles)  # kept as text, shown with innerText


def test_region_filter_patch_recolours_by_the_regional_diagnosis(probe_atlas: Atlas) -> None:
    vis = vis_payload(chain_map(probe_atlas, "ch.t.probe"))
    diag = diagnose_chain(probe_atlas, "ch.t.probe", county="county.jishan")
    patch = vis["restyle"]["county.jishan"]
    assert set(patch) == {s.segment_id for s in diag.segments}
    for s in diag.segments:
        assert patch[s.segment_id]["color"]["background"] == STATUS_COLOR[s.status]


def test_big_maps_drop_hover_and_hide_edges_while_moving() -> None:
    small = MapData(kind="atlas", title="小", nodes=[node(0), node(1)],
                    edges=[Edge(source="n0", target="n1", kind="k"),
                           Edge(source="n1", target="n0", kind="k")])
    opts = vis_payload(small)["options"]["interaction"]
    assert opts["hover"] is True and opts["hideEdgesOnDrag"] is False
    assert len(vis_payload(small)["edges"]) == 2  # directed: a→b and b→a both kept
    big = MapData(kind="atlas", title="大", nodes=[node(i) for i in range(BIG + 1)], edges=[])
    opts = vis_payload(big)["options"]["interaction"]
    assert opts["hover"] is False and opts["hideEdgesOnDrag"] is opts["hideEdgesOnZoom"] is True


def test_empty_label_stays_empty_and_unknown_edge_end_is_an_error() -> None:
    data = MapData(kind="chain", title="空", nodes=[node(0, label="")], edges=[])
    assert vis_payload(data)["nodes"][0]["label"] == ""
    bad = data.model_copy(update={"edges": [Edge(source="n0", target="nope", kind="k")]})
    with pytest.raises(ValueError, match=r"edge 0 .*unknown node"):
        to_network(bad)
