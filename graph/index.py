"""networkx views of an atlas, built once per atlas object and cached on it.

Nodes are entity ids with a ``kind`` attribute; edges carry the relation ``kind``
and, for feeds, the ``chain``. Entity-field references (company → county/park,
project → segment, fact/assessment → segment) become ``located_in``, ``fills`` and
``about`` edges.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import networkx as nx

from graph.model import ENTITY_TYPES, RELATION_ENDS, RELATION_TYPES, Atlas, Feeds

AtlasGraph: TypeAlias = "nx.MultiDiGraph[Any]"


def build_graph(atlas: Atlas) -> AtlasGraph:
    """The whole atlas as a MultiDiGraph (cached on ``atlas``).

    >>> from graph.model import Atlas
    >>> build_graph(Atlas()).number_of_nodes()
    0
    """
    cached = atlas._graph
    if cached is not None:
        return cached
    g: AtlasGraph = nx.MultiDiGraph()
    for kind in ENTITY_TYPES:
        for e in atlas.entities(kind).values():
            g.add_node(e.id, kind=kind, name=e.name)
    for kind in RELATION_TYPES:
        (fa, _), (fz, _) = RELATION_ENDS[kind]
        for r in atlas.relations(kind):
            attrs = {"kind": kind}
            if isinstance(r, Feeds):
                attrs["chain"] = r.chain
            g.add_edge(getattr(r, fa), getattr(r, fz), key=f"{kind}:{attrs.get('chain', '')}",
                       **attrs)
    for c in atlas.companies.values():
        for place in (c.county, c.park):
            if place:
                g.add_edge(c.id, place, key="located_in", kind="located_in")
    for p in atlas.projects.values():
        for s in p.segments:
            g.add_edge(p.id, s, key="fills", kind="fills")
    about = [(f.id, f.segment) for f in atlas.facts.values()]
    about += [(e.id, e.segment) for e in atlas.assessments.values()]
    for ev, seg in about:
        g.add_edge(ev, seg, key="about", kind="about")
    atlas._graph = g
    return g


def chain_dag(atlas: Atlas, chain_id: str) -> nx.DiGraph[str]:
    """The feeds DAG of one chain (every segment of the chain is a node)."""
    g: nx.DiGraph[str] = nx.DiGraph()
    g.add_nodes_from(s.id for s in atlas.chain_segments(chain_id))
    g.add_edges_from((f.source, f.target) for f in atlas.chain_feeds(chain_id))
    return g
