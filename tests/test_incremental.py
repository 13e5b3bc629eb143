"""Writes update what they change: the store's change log, the search index carried to the
next version (same hits as a rebuild), one computation per key under concurrency, and
store-reading commands that count without loading the atlas."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from graph.analysis.rules import active_rules
from graph.model import Atlas, Company, Operates
from graph.search import SearchIndex
from graph.service import AtlasService
from graph.store.embedded import EmbeddedStore

SRC = {"public": "测试", "as_of": "2026-11-01"}
QUERIES = ["正威", "zw", "测试", "cs", "nilong", "尼龙", "新材料", "co.", "运城", "yc"]


def _firm(cid: str, name: str) -> Company:
    return Company.model_validate({"id": cid, "name": name, "role": "target",
                                   "province": "广东省", "src": SRC})


def _hits(index: SearchIndex) -> dict[str, list[tuple[str, str, int]]]:
    return {q: [(h.id, h.via, h.rank) for h in index.search(q)] for q in QUERIES}


def test_change_log_names_what_writes_touched(store: EmbeddedStore, mini_atlas: Atlas) -> None:
    store.replace_all(mini_atlas)
    v = store.version()
    assert store.changed_since(v) == frozenset()
    assert store.changed_since(v - 1) is None, "a bulk load is not itemised"
    store.create(_firm("co.test-a", "测试甲公司"))
    seg = sorted(mini_atlas.segments)[0]
    store.add_relation(Operates.model_validate({"company": "co.test-a", "segment": seg,
                                                "src": SRC}))
    assert store.changed_since(v) == {"co.test-a", seg}
    assert store.changed_since(v + 1) == {"co.test-a", seg}
    other = EmbeddedStore(store.path)  # another process's write
    other.update(_firm("co.test-a", "测试乙公司"))
    other.close()
    assert store.changed_since(v) is None, "a write by another process is not itemised"


def test_updated_search_index_equals_a_rebuild(store: EmbeddedStore, mini_atlas: Atlas) -> None:
    store.replace_all(mini_atlas)
    index = SearchIndex(store.snapshot())
    v = store.version()
    victim = sorted(mini_atlas.companies)[0]
    store.create(_firm("co.test-zw", "正威测试新材料有限公司"))
    store.update(_firm("co.test-zw", "正威测试尼龙新材料有限公司"))
    store.delete(victim) if not _referenced(store, victim) else None
    changed = store.changed_since(v)
    assert changed is not None and "co.test-zw" in changed
    after = store.snapshot()
    updated = index.updated(after, changed)
    assert _hits(updated) == _hits(SearchIndex(after))
    assert [h.id for h in updated.search("zwcsnl")] == ["co.test-zw"]
    assert _hits(index) == _hits(SearchIndex(mini_atlas)), "the old index is unchanged"


def _referenced(store: EmbeddedStore, cid: str) -> bool:
    from graph.integrity import referrers

    atlas = store.snapshot()
    entity = atlas.find(cid)
    return entity is None or bool(referrers(atlas, entity))


def test_service_carries_updatable_results_and_computes_once(tmp_path: Path,
                                                             mini_atlas: Atlas) -> None:
    store = EmbeddedStore(tmp_path / "atlas.sqlite")
    store.replace_all(mini_atlas)
    service = AtlasService(store)
    calls = {"compute": 0, "update": 0}

    def compute(atlas: Atlas) -> SearchIndex:
        calls["compute"] += 1
        time.sleep(0.2)  # long enough for every caller to arrive while it runs
        return SearchIndex(atlas)

    def update(old: SearchIndex, atlas: Atlas, changed: frozenset[str]) -> SearchIndex:
        calls["update"] += 1
        return old.updated(atlas, changed)

    active_rules()  # loaded once before the threads start (its first load is not locked)
    got: list[SearchIndex] = []
    threads = [threading.Thread(target=lambda: got.append(
        service.cached(("search",), compute, update))) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == {"compute": 1, "update": 0} and len({id(g) for g in got}) == 1
    store.create(_firm("co.test-new", "测试新材料公司"))
    fresh = service.cached(("search",), compute, update)
    assert calls == {"compute": 1, "update": 1}
    assert [h.id for h in fresh.search("测试新材料")] == ["co.test-new"]
    assert _hits(fresh) == _hits(SearchIndex(store.snapshot()))
    other = service.cached(("other",), lambda a: len(a.companies))
    store.create(_firm("co.test-new2", "测试新材料二公司"))
    assert service.cached(("other",), lambda a: len(a.companies)) == other + 1
    store.close()


def test_counts_and_get_do_not_load_the_atlas(tmp_path: Path, mini_atlas: Atlas) -> None:
    path = tmp_path / "atlas.sqlite"
    writer = EmbeddedStore(path)
    writer.replace_all(mini_atlas)
    writer.close()
    reader = EmbeddedStore(path)
    assert reader.counts() == mini_atlas.counts()
    cid = sorted(mini_atlas.companies)[0]
    assert reader.get(cid) == mini_atlas.companies[cid]
    assert reader.get("co.no-such") is None
    assert not reader._atlas.companies, "nothing was read into memory"
    assert reader.snapshot().counts() == mini_atlas.counts()
    reader.close()
