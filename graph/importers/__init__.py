"""Importers of external data.

* :mod:`graph.importers.ckg` — reader of the ChainKnowledgeGraph JSON Lines format.
* :mod:`graph.importers.mapping` — segment → product-name mapping (the reviewable TSV).
* :mod:`graph.importers.build` — parsed data + mapping → the atlas to merge.
* :mod:`graph.importers.run` — :func:`~graph.importers.run.import_ckg` into any store.
* :mod:`graph.importers.product_graph` — supply paths and breaks in the product graph.
"""
