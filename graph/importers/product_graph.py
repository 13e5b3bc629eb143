"""The imported product graph as a national supply graph: where segment-to-segment
supply runs through real products, and where it breaks.

Rules (pure functions over the atlas's ``products``, ``product_feeds``, ``makes`` and
``maps_to``):

* A segment's products are those mapped to it (``maps_to``); a product *has producers*
  when some company ``makes`` it.
* For a feeds edge S → T of a chain, the supply link is the shortest product path
  (``product_feeds``, at most ``max_hops`` edges) from a product of S to a product of T.
  Status: ``connected`` when a path exists through products that all have producers;
  ``no_producer`` when paths exist only through products without producers (those are
  the ``breaks``); ``no_path`` when both ends have products but no path joins them;
  ``unmapped`` when an end has no mapped product.
* A segment's *missing inputs* are direct materials of its products that no company makes.

>>> from graph.model import Atlas
>>> supply_links(Atlas())
[]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import networkx as nx
from pydantic import BaseModel

from graph.model import Atlas

LinkStatus = Literal["connected", "no_producer", "no_path", "unmapped"]
MAX_HOPS = 4


class ProductRef(BaseModel):
    """A product with the number of companies making it."""

    id: str
    name: str
    producers: int


class SupplyLink(BaseModel):
    """A segment feeds edge traced through the product graph."""

    chain: str
    source: str
    target: str
    status: LinkStatus
    path: list[ProductRef]
    breaks: list[ProductRef]


class MissingInput(BaseModel):
    """A material of a segment product that no company makes."""

    product: ProductRef
    material: ProductRef


class SegmentSupply(BaseModel):
    """A segment's mapped products and its missing inputs."""

    segment: str
    products: list[ProductRef]
    without_producers: list[ProductRef]
    missing_inputs: list[MissingInput]


@dataclass
class ProductView:
    """Indexes of the product graph of one atlas (build once, query many times)."""

    supply: nx.DiGraph[str]
    producers: dict[str, int]
    names: dict[str, str]
    by_segment: dict[str, list[str]] = field(default_factory=dict)
    succ: dict[str, list[str]] = field(default_factory=dict)
    made: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.succ = {n: sorted(self.supply.successors(n)) for n in self.supply}
        self.made = {p for p, n in self.producers.items() if n}

    def ref(self, pid: str) -> ProductRef:
        return ProductRef(id=pid, name=self.names.get(pid, pid),
                          producers=self.producers.get(pid, 0))


def product_view(atlas: Atlas) -> ProductView:
    """Build the :class:`ProductView` of ``atlas``."""
    g: nx.DiGraph[str] = nx.DiGraph()
    g.add_edges_from((r.source, r.target) for r in atlas.product_feeds)
    producers: dict[str, int] = {}
    for m in atlas.makes:
        producers[m.product] = producers.get(m.product, 0) + 1
    view = ProductView(g, producers, {p.id: p.name for p in atlas.products.values()})
    for mp in atlas.maps_to:
        view.by_segment.setdefault(mp.segment, []).append(mp.product)
    return view


def _shortest(succ: dict[str, list[str]], sources: Iterable[str], targets: set[str],
              max_hops: int, allowed: set[str] | None = None) -> list[str] | None:
    """Shortest path (multi-source BFS, at most ``max_hops`` edges, inner nodes in
    ``allowed`` when given) from any source to any target; None if there is none."""
    parent: dict[str, str | None] = {}
    queue: deque[tuple[str, int]] = deque()
    for s in sorted(set(sources)):
        if s in succ:
            parent[s] = None
            queue.append((s, 0))
    while queue:
        node, depth = queue.popleft()
        if node in targets and parent[node] is not None:
            path = [node]
            while (prev := parent[path[-1]]) is not None:
                path.append(prev)
            return path[::-1]
        if depth == max_hops:
            continue
        for nxt in succ[node]:
            if nxt in parent or (allowed is not None and nxt not in allowed
                                 and nxt not in targets):
                continue
            parent[nxt] = node
            queue.append((nxt, depth + 1))
    return None


def trace_link(view: ProductView, chain: str, source: str, target: str,
               max_hops: int = MAX_HOPS) -> SupplyLink:
    """The :class:`SupplyLink` of one feeds edge (see module rules)."""
    src, dst = view.by_segment.get(source, []), view.by_segment.get(target, [])
    if not src or not dst:
        return SupplyLink(chain=chain, source=source, target=target, status="unmapped",
                          path=[], breaks=[])
    made = view.made
    path = _shortest(view.succ, [p for p in src if p in made], set(dst) & made, max_hops,
                     allowed=made)
    status: LinkStatus = "connected"
    if path is None:
        path = _shortest(view.succ, src, set(dst), max_hops)
        status = "no_path" if path is None else "no_producer"
    refs = [view.ref(p) for p in path or []]
    return SupplyLink(chain=chain, source=source, target=target, status=status, path=refs,
                      breaks=[r for r in refs if not r.producers])


def supply_links(atlas: Atlas, chain_id: str | None = None, *, max_hops: int = MAX_HOPS,
                 view: ProductView | None = None) -> list[SupplyLink]:
    """Every feeds edge (of ``chain_id``, or of all chains) traced through the product
    graph, in (chain, source, target) order."""
    v = view or product_view(atlas)
    feeds = sorted((f.chain, f.source, f.target) for f in atlas.feeds
                   if chain_id is None or f.chain == chain_id)
    return [trace_link(v, c, s, t, max_hops) for c, s, t in feeds]


def broken_links(atlas: Atlas, *, max_hops: int = MAX_HOPS,
                 view: ProductView | None = None) -> list[SupplyLink]:
    """The supply links that are not ``connected`` and have products at both ends."""
    return [link for link in supply_links(atlas, max_hops=max_hops, view=view)
            if link.status in ("no_producer", "no_path")]


def segment_supply(atlas: Atlas, segment_id: str, *, view: ProductView | None = None
                   ) -> SegmentSupply:
    """A segment's mapped products, those without producers, and its missing inputs."""
    v = view or product_view(atlas)
    pids = sorted(set(v.by_segment.get(segment_id, [])))
    missing: list[MissingInput] = []
    for p in pids:
        if p not in v.supply:
            continue
        for m in sorted(v.supply.predecessors(p)):
            if not v.producers.get(m):
                missing.append(MissingInput(product=v.ref(p), material=v.ref(m)))
    refs = [v.ref(p) for p in pids]
    return SegmentSupply(segment=segment_id, products=refs,
                         without_producers=[r for r in refs if not r.producers],
                         missing_inputs=missing)
