"""The vis-network graph of a map, built with pyvis.

Rule: :func:`to_network` turns a :class:`~visual.model.MapData` into a
``pyvis.network.Network`` — one ``add_node`` per node and one ``add_edge`` per edge, each
with the exact vis-network options the page draws (position, shape, size, colours, dashes,
font, plain-text ``title``), and the network options (physics off, interaction). This
module is the one place that decides how a map looks to vis-network: :func:`vis_payload`
reads the nodes, edges and options back from the pyvis ``Network`` (``get_network_data``)
and :mod:`visual.render` puts them into the page, where ``map.js`` hands them to
vis-network unchanged. Filters that restyle nodes get their vis-network patches from the
same :func:`_look`.

pyvis's own HTML output (``generate_html``/``write_html``) is not used: its templates load
vis-network, Bootstrap and other files from CDNs even in ``local``/``in_line`` mode (see
``tests/test_maps_render.py``), and its bundled vis-network ships without a licence file.
The page is our template with the vendored, licensed vis-network 9.1.9 instead.

``title`` stays a plain string: vis-network 9.x shows a string title with ``innerText``
(only an ``Element`` is inserted as markup), so tooltips are text, never HTML.

pyvis (and through it IPython and jinja2) is imported only when a network is built.

Example: ``vis_payload(chain_map(atlas, "ch.t.nylon"))["nodes"][0]["shape"] == "dot"``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from visual.model import MapData, Node, NodeStyle

if TYPE_CHECKING:
    from pyvis.network import Network

FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif'
BIG = 1000
"""Maps with more nodes than this drop hover effects and hide edges while dragging/zooming."""


def _look(color: str, border: str, size: float, dashed: bool, title: str) -> dict[str, Any]:
    """The node options a filter may override: size, tooltip, colours and border dashes."""
    return {
        "size": size, "title": title,
        "color": {"background": color, "border": border,
                  "highlight": {"background": color, "border": "#000000"},
                  "hover": {"background": color, "border": "#263238"}},
        "shapeProperties": {"borderDashes": [6, 4] if dashed else False},
    }


def node_options(n: Node) -> dict[str, Any]:
    """vis-network options of ``n`` besides ``id``, ``label`` and ``shape``.

    >>> node_options(Node(id="a", label="甲", group="g", x=0, y=0, size=10, color="#fff",
    ...                   border="#000", title="提示"))["font"]["strokeWidth"]
    3
    """
    box = n.shape == "box"
    out = {"x": n.x, "y": n.y, "hidden": False, "borderWidth": n.border_width,
           "borderWidthSelected": n.border_width + 2,
           **_look(n.color, n.border, n.size, n.dashed, n.title),
           "font": {"size": n.font_size, "face": FONT, "color": "#ffffff" if box else "#263238",
                    "strokeWidth": 0 if box else 3, "strokeColor": "#ffffff"}}
    if box:
        out["margin"] = 8
    return out


def restyle_options(style: NodeStyle) -> dict[str, Any]:
    """The patch a filter applies to a node's vis-network options."""
    return _look(style.color, style.border, style.size, style.dashed, style.title)


def network_options(data: MapData) -> dict[str, Any]:
    """vis-network options of the whole map: physics as ``data.physics``, straight edges,
    lighter interaction on maps over :data:`BIG` nodes.

    No string value may contain a space: pyvis's ``set_options`` strips them.
    """
    big = len(data.nodes) > BIG
    return {
        "physics": {"enabled": data.physics},
        "layout": {"improvedLayout": False, "randomSeed": 1},
        "interaction": {"hover": not big, "tooltipDelay": 120, "hideEdgesOnDrag": big,
                        "hideEdgesOnZoom": big, "multiselect": False,
                        "keyboard": {"enabled": True, "bindToWindow": False}},
        "edges": {"smooth": False},
        "nodes": {"scaling": {"label": {"drawThreshold": 6}}},
    }


def to_network(data: MapData) -> Network:
    """A pyvis ``Network`` holding every node and edge of ``data`` as the page draws it.

    Directed, so pyvis neither merges a↔b edge pairs nor adds arrows of its own (every edge
    says whether it has one). Raises ``ValueError`` for an edge to an unknown node.
    """
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="local")
    for n in data.nodes:
        net.add_node(n.id, label=n.label, shape=n.shape, **node_options(n))
        if not n.label:  # pyvis puts the id in place of an empty label
            net.node_map[n.id]["label"] = n.label
    ids = data.node_ids()
    for i, e in enumerate(data.edges):
        if e.source not in ids or e.target not in ids:
            raise ValueError(f"edge {i} ({e.source} → {e.target}) names an unknown node")
        net.add_edge(e.source, e.target, id=f"e{i}", width=e.width, dashes=e.dashed,
                     arrows={"to": {"enabled": True, "scaleFactor": 0.6}} if e.arrow else "",
                     color={"color": e.color, "highlight": "#37474f", "hover": "#37474f"},
                     smooth=False)
    options = network_options(data)
    net.set_options(json.dumps(options))
    if net.options != options:  # set_options would have mangled a string with spaces
        raise ValueError("network options did not survive pyvis set_options")
    return net


def vis_payload(data: MapData) -> dict[str, Any]:
    """What the page hands vis-network, read back from :func:`to_network`: ``nodes``,
    ``edges`` and ``options`` (pyvis's ``get_network_data``), plus ``restyle``: filter id →
    node id → option patch (from :func:`restyle_options`)."""
    nodes, edges, *_, options = to_network(data).get_network_data()
    return {"nodes": nodes, "edges": edges, "options": json.loads(options),
            "restyle": {f.id: {k: restyle_options(s) for k, s in f.restyle.items()}
                        for f in data.filters if f.restyle}}
