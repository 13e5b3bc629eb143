"""The data a map page is drawn from: nodes with precomputed positions, edges, side-panel
details and filters. Builders (:mod:`visual.build`, :mod:`visual.overview`) make a
:class:`MapData`; :mod:`visual.network` turns it into a pyvis ``Network`` (the vis-network
nodes, edges and options), :mod:`visual.render` puts both into a page as JSON and ``map.js``
hands the pyvis-built graph to vis-network.

Everything here is plain data: every string is shown as text (canvas labels, ``textContent``,
plain-text tooltips), never parsed as HTML.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from graph.model import Stage

MapKind = Literal["chain", "atlas", "regions", "routes", "applications"]

STATUS_COLOR: dict[str, str] = {
    "strong": "#2e7d32", "weak": "#f9a825", "missing": "#c62828", "broken": "#6a1b9a",
}
STATUS_ZH: dict[str, str] = {"strong": "强", "weak": "弱", "missing": "缺失", "broken": "断链"}
STAGE_ZH: dict[Stage, str] = {Stage.upstream: "上游", Stage.midstream: "中游",
                              Stage.downstream: "下游"}
ANCHOR_COLOR = "#ef6c00"
FIRM_COLOR = "#546e7a"
CHAIN_COLOR = "#1565c0"
SHARED_BORDER = "#ff6f00"
COUNTY_COLOR = "#00838f"
PARK_COLOR = "#5e35b1"

LINK_PATTERN = (r"^((chains|atlas|regions)(/[A-Za-z0-9._-]+)?(/(routes|applications))?"
                r"|/(chain|segment|company|institute|association|county|park|project"
                r"|brief/chain|brief/segment/[A-Za-z0-9._%-]+)/[A-Za-z0-9._%-]+)$")
"""Links in the panel are same-origin paths of this shape (checked again in JS): another map
(``chains/ch.x``, ``chains/ch.x/routes``, relative to ``/maps/``) or an entity's page
(``/company/600426.SH``)."""


class Item(BaseModel):
    """One line of a panel section, with optional detail lines and a same-origin link."""

    text: str
    notes: list[str] = Field(default_factory=list)
    link: str | None = Field(default=None, pattern=LINK_PATTERN)


class Section(BaseModel):
    """A headed list in the side panel; ``key`` lets a filter replace it."""

    key: str
    heading: str
    items: list[Item] = Field(default_factory=list)
    empty: str = "无"


class Detail(BaseModel):
    """What the side panel shows for a clicked node."""

    title: str
    subtitle: str = ""
    sections: list[Section] = Field(default_factory=list)


class Node(BaseModel):
    """A drawn node. ``title`` is the plain-text tooltip; ``search`` extra search text."""

    id: str
    label: str
    group: str
    x: float
    y: float
    size: float
    color: str
    border: str
    border_width: float = 1.5
    shape: Literal["dot", "box", "star", "diamond", "square", "triangle", "ellipse"] = "dot"
    dashed: bool = False
    font_size: int = 14
    title: str
    search: str = ""


class Edge(BaseModel):
    """A drawn edge from ``source`` to ``target``."""

    source: str
    target: str
    kind: str
    color: str = "#90a4ae"
    width: float = 1.0
    dashed: bool = False
    arrow: bool = False


class NodeStyle(BaseModel):
    """A filter's override of a node's look and tooltip."""

    color: str
    border: str
    size: float
    dashed: bool = False
    title: str


class Filter(BaseModel):
    """A view of the map limited to a county, park, cluster or chain.

    ``show`` lists the visible nodes (None: all); ``restyle`` and ``sections`` override
    node looks and panel sections (by section key) while the filter is active.
    """

    id: str
    label: str
    group: str
    show: list[str] | None = None
    restyle: dict[str, NodeStyle] = Field(default_factory=dict)
    sections: dict[str, list[Section]] = Field(default_factory=dict)
    note: str = ""
    headline: str = Field(default="", description="Replaces the subtitle while active.")
    fills: dict[str, str] = Field(default_factory=dict,
                                  description="Shape id → fill colour (choropleth).")


class Shape(BaseModel):
    """An outline drawn under the nodes (a county boundary): rings of page coordinates."""

    id: str
    name: str
    rings: list[list[tuple[float, float]]]
    fill: str = "#eef3f6"
    stroke: str = "#78909c"


class LegendItem(BaseModel):
    label: str
    color: str
    border: str = "#37474f"
    shape: Literal["dot", "box", "star", "diamond", "line", "area"] = "dot"
    dashed: bool = False


class MapData(BaseModel):
    """A whole map: what the page draws and shows."""

    kind: MapKind
    title: str
    subtitle: str = ""
    nodes: list[Node]
    edges: list[Edge]
    details: dict[str, Detail] = Field(default_factory=dict)
    filters: list[Filter] = Field(default_factory=list)
    filter_label: str = "筛选"
    initial_filter: str | None = None
    legend: list[LegendItem] = Field(default_factory=list)
    shapes: list[Shape] = Field(default_factory=list)
    shapes_source: str = ""
    collapsed: bool = Field(default=False, description="Overview: only chain nodes are shown "
                            "at first; clicking a chain expands its segments.")
    expand: dict[str, list[str]] = Field(default_factory=dict, description="With collapsed: "
                                         "chain node id → the node ids its click shows.")
    focus: dict[str, list[str]] = Field(default_factory=dict, description="Node id → the "
                                        "node ids a click zooms to (a chain's row).")
    physics: bool = False
    links: bool = False
    note: str = ""

    def node_ids(self) -> set[str]:
        return {n.id for n in self.nodes}


def status_legend() -> list[LegendItem]:
    """Legend entries for the four segment statuses."""
    return [LegendItem(label=f"{STATUS_ZH[s]}环节", color=c, dashed=s in ("missing", "broken"))
            for s, c in STATUS_COLOR.items()]


def chain_views(chain_id: str, here: str) -> Section:
    """Panel links to a chain's other maps (产业链图谱, 技术路线图, 应用领域图), leaving out
    ``here`` (``chain``, ``routes`` or ``applications``)."""
    links = [("chain", "产业链图谱", f"chains/{chain_id}"),
             ("routes", "技术路线图", f"chains/{chain_id}/routes"),
             ("applications", "应用领域图", f"chains/{chain_id}/applications")]
    return Section(key="views", heading="本链其他图谱",
                   items=[Item(text=t, link=link) for k, t, link in links if k != here])
