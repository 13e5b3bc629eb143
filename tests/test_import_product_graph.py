"""Supply paths through the imported product graph, and where they break."""

from __future__ import annotations

import pytest

from graph.importers.ckg import product_id
from graph.importers.product_graph import (
    broken_links,
    product_view,
    segment_supply,
    supply_links,
)
from graph.importers.run import import_ckg
from graph.model import Atlas, Feeds, MapsTo, Product, ProductFeeds, Segment
from graph.store.embedded import EmbeddedStore
from tests.conftest import FIXTURES

SRC = {"dataset": "t", "key": "k"}


@pytest.fixture
def imported(store: EmbeddedStore, mini_atlas: Atlas) -> Atlas:
    store.replace_all(mini_atlas)
    import_ckg(store, FIXTURES / "ckg")
    return store.snapshot()


def test_links_connected_and_broken(imported: Atlas) -> None:
    links = {(x.source, x.target): x for x in supply_links(imported, "ch.t.nylon")}
    assert len(links) == len(imported.chain_feeds("ch.t.nylon"))
    coke = links[("seg.t.coke", "seg.t.benzene")]
    assert coke.status == "connected" and [p.name for p in coke.path] == ["粗苯", "纯苯"]
    pa66 = links[("seg.t.ada", "seg.t.pa66")]
    assert pa66.status == "no_producer"
    assert [p.name for p in pa66.path] == ["己二酸", "尼龙66盐", "尼龙66切片"]
    assert [p.name for p in pa66.breaks] == ["尼龙66盐"]
    assert broken_links(imported) == [pa66]


def test_unmapped_end(imported: Atlas) -> None:
    view = product_view(imported)
    view.by_segment.pop("seg.t.pa6")
    link = next(x for x in supply_links(imported, view=view) if x.target == "seg.t.pa6")
    assert link.status == "unmapped" and link.path == []


def test_segment_missing_inputs(imported: Atlas) -> None:
    cpl = segment_supply(imported, "seg.t.cpl")
    assert [p.name for p in cpl.products] == ["己内酰胺"]
    assert [(m.product.name, m.material.name) for m in cpl.missing_inputs] == [
        ("己内酰胺", "环己酮")]
    assert cpl.without_producers == []


def _tiny(edges: list[tuple[str, str]]) -> Atlas:
    names = {n for e in edges for n in e} | {"甲", "乙"}
    segs = {s: Segment.model_validate({"id": s, "name": s, "stage": "midstream",
                                       "chains": ["ch.x"], "src": SRC})
            for s in ("seg.a", "seg.b")}
    return Atlas(
        segments=segs,
        products={product_id(n): Product.model_validate({"id": product_id(n), "name": n,
                                                         "src": SRC}) for n in names},
        product_feeds=[ProductFeeds.model_validate(
            {"source": product_id(a), "target": product_id(b), "src": SRC}) for a, b in edges],
        maps_to=[MapsTo.model_validate({"product": product_id(p), "segment": s, "src": SRC})
                 for p, s in (("甲", "seg.a"), ("乙", "seg.b"))],
        feeds=[Feeds.model_validate({"source": "seg.a", "target": "seg.b", "chain": "ch.x",
                                     "src": SRC})])


def test_no_path_and_cycles_terminate() -> None:
    cyclic = _tiny([("甲", "丙"), ("丙", "甲"), ("丙", "丁"), ("丁", "丙")])
    assert supply_links(cyclic)[0].status == "no_path"
    far = _tiny([("甲", "丙"), ("丙", "丁"), ("丁", "戊"), ("戊", "乙")])
    assert supply_links(far, max_hops=3)[0].status == "no_path"
    link = supply_links(far, max_hops=4)[0]
    assert link.status == "no_producer" and len(link.breaks) == 5
