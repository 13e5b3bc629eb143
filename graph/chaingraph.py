"""networkx view of one chain's feeds paths.

>>> from graph.model import Atlas
>>> chain_dag(Atlas(), "ch.x").number_of_nodes()
0
"""

from __future__ import annotations

import networkx as nx

from graph.model import Atlas


def chain_dag(atlas: Atlas, chain_id: str) -> nx.DiGraph[str]:
    """The feeds DAG of one chain (every segment of the chain is a node)."""
    g: nx.DiGraph[str] = nx.DiGraph()
    g.add_nodes_from(s.id for s in atlas.chain_segments(chain_id))
    g.add_edges_from((f.source, f.target) for f in atlas.chain_feeds(chain_id))
    return g
