"""Search over every entity of an atlas by Chinese substring, alias, full pinyin and
pinyin initials.

Rule: each entity is indexed under its id, its name and its aliases (and a company's
stock and credit codes); each name and alias also under its full pinyin without
separators (``正威国际`` → ``zhengweiguoji``) and its pinyin initials (``zwgj``). A
query matches an entity when the normalised query (NFKC, lower case, no whitespace
or punctuation) is a substring of one of its keys. Hits are ranked by how they
matched (exact text, text prefix, text substring, exact pinyin, pinyin prefix,
pinyin substring), then by kind, name length and id, so the order is stable.

>>> from graph.model import Atlas, Company, Source
>>> atlas = Atlas(companies={"co.zhengwei": Company(
...     id="co.zhengwei", name="正威国际集团有限公司", aliases=["正威"], role="target",
...     src=Source(public="example"))})
>>> index = SearchIndex(atlas)
>>> [h.id for h in index.search("zw")], [h.id for h in index.search("zhengwei")]
(['co.zhengwei'], ['co.zhengwei'])
>>> index.search("正威")[0].via
'alias'
"""

from __future__ import annotations

import gc
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field
from pypinyin import lazy_pinyin

from graph.model import ENTITY_TYPES, Atlas, Company, Entity

Via = Literal["id", "name", "alias", "code", "pinyin", "initials"]
KIND_ORDER = {kind: i for i, kind in enumerate(ENTITY_TYPES)}
_DROP = re.compile(r"[\W_]+", re.UNICODE)
_NOT_ASCII_WORD = re.compile(r"[^a-z0-9]+")
_KEEP = "\x01"  # marks a non-Chinese run in pypinyin's output


class SearchHit(BaseModel):
    """One search result: the entity, which key matched and how well (lower rank is better)."""

    id: str = Field(examples=["600426.SH"])
    kind: str = Field(examples=["company"])
    name: str = Field(examples=["山东华鲁恒升化工股份有限公司"])
    via: Via = Field(description="Which key matched.", examples=["pinyin"])
    matched: str = Field(description="The indexed text that matched.", examples=["华鲁恒升"])
    rank: int = Field(description="0 exact text … 5 pinyin substring.", examples=[4])


def normalise(text: str) -> str:
    """Lower case NFKC text without whitespace or punctuation.

    >>> normalise(" 尼龙 66（PA66）")
    '尼龙66pa66'
    """
    return _DROP.sub("", unicodedata.normalize("NFKC", text).casefold())


@lru_cache(maxsize=65536)
def pinyin_keys(text: str) -> tuple[str, str]:
    """Full pinyin and pinyin initials of ``text`` (ASCII letters and digits only);
    non-Chinese runs are kept whole in both. Cached: names rarely change between builds.

    >>> pinyin_keys("华鲁恒升 PA66")
    ('hualuhengshengpa66', 'hlhspa66')
    """
    parts = lazy_pinyin(text, errors=lambda run: _KEEP + run)
    full = "".join(p.removeprefix(_KEEP) for p in parts)
    initials = "".join(p[1:] if p.startswith(_KEEP) else p[:1] for p in parts)
    return (_NOT_ASCII_WORD.sub("", full.casefold()),
            _NOT_ASCII_WORD.sub("", initials.casefold()))


@dataclass(frozen=True)
class _Key:
    text: str
    via: Via
    shown: str


@dataclass(frozen=True)
class _Entry:
    id: str
    kind: str
    name: str
    keys: tuple[_Key, ...]


def _keys(entity: Entity) -> tuple[_Key, ...]:
    keys: list[_Key] = [_Key(normalise(entity.id), "id", entity.id)]
    labelled: list[tuple[str, Via]] = [(entity.name, "name")]
    labelled += [(a, "alias") for a in entity.aliases]
    for text, via in labelled:
        keys.append(_Key(normalise(text), via, text))
    if isinstance(entity, Company):
        keys += [_Key(normalise(c), "code", c)
                 for c in (entity.stock_code, entity.credit_code) if c]
    for text, _ in labelled:
        full, initials = pinyin_keys(text)
        keys.append(_Key(full, "pinyin", text))
        keys.append(_Key(initials, "initials", text))
    return tuple(k for k in keys if k.text)


def _rank(key: _Key, q: str) -> int | None:
    """0-2 for a text key (exact, prefix, substring), 3-5 for a pinyin key; None if no match."""
    if q not in key.text:
        return None
    base = 3 if key.via in ("pinyin", "initials") else 0
    if key.text == q:
        return base
    return base + (1 if key.text.startswith(q) else 2)


class _Postings:
    """Entries and their keys, every key listed under each character and each pair of
    adjacent characters it contains."""

    def __init__(self, entities: list[Entity]) -> None:
        self.entries: list[_Entry] = [_Entry(e.id, e.KIND, e.name, _keys(e)) for e in entities]
        self.keys = [(i, k) for i, entry in enumerate(self.entries) for k in entry.keys]
        self.grams: dict[str, list[int]] = {}
        for slot, (_, key) in enumerate(self.keys):
            t = key.text
            for gram in {*t, *(t[j:j + 2] for j in range(len(t) - 1))}:
                listed = self.grams.get(gram)
                if listed is None:
                    self.grams[gram] = [slot]
                else:
                    listed.append(slot)

    def _candidates(self, q: str) -> list[int]:
        if len(q) == 1:
            return self.grams.get(q, [])
        lists = [self.grams.get(q[j:j + 2], []) for j in range(len(q) - 1)]
        return min(lists, key=len)

    def best(self, q: str, hidden: frozenset[str]) -> dict[int, tuple[int, _Key]]:
        """Entry number → (best rank, key) of the entries matching ``q``, except ``hidden`` ids."""
        best: dict[int, tuple[int, _Key]] = {}
        for slot in self._candidates(q):
            entry, key = self.keys[slot]
            rank = _rank(key, q)
            if rank is None or (hidden and self.entries[entry].id in hidden):
                continue
            if entry not in best or rank < best[entry][0]:
                best[entry] = (rank, key)
        return best


def _paused_gc_build(entities: list[Entity]) -> _Postings:
    paused = gc.isenabled()
    gc.disable()  # many small objects, none cyclic: collections would only slow the build
    try:
        return _Postings(entities)
    finally:
        if paused:
            gc.enable()


class SearchIndex:
    """An index of one atlas (build once per atlas, query many times).

    Every key is listed under each character and each pair of adjacent characters it
    contains; a query looks only at the keys listed under its rarest pair (or under its
    character, for a one-character query) and keeps those that contain it.

    After a write, :meth:`updated` gives the next atlas's index without a rebuild: the
    entities the write touched are indexed again in a small second layer and hidden in
    the first (rebuilt in full once that layer outgrows ``max(2000, 5 %)`` of the atlas).
    """

    def __init__(self, atlas: Atlas) -> None:
        self._base = _paused_gc_build(
            [e for kind in ENTITY_TYPES for e in atlas.entities(kind).values()])
        self._delta = _Postings([])
        self._hidden: frozenset[str] = frozenset()
        self._memo = lru_cache(maxsize=1024)(self._search)

    def updated(self, atlas: Atlas, changed: Collection[str]) -> SearchIndex:
        """The index of ``atlas``, which differs from this index's atlas only in the
        entities ``changed`` (created, updated or deleted). This index is left as it is."""
        ids = self._hidden | frozenset(changed)
        if len(ids) > max(2000, len(self._base.entries) // 20):
            return SearchIndex(atlas)
        new = object.__new__(SearchIndex)
        new._base = self._base
        new._hidden = ids
        new._delta = _Postings([e for i in sorted(ids) if (e := atlas.find(i)) is not None])
        new._memo = lru_cache(maxsize=1024)(new._search)
        return new

    def search(self, query: str, kinds: set[str] | None = None) -> list[SearchHit]:
        """Every entity matching ``query`` (optionally only of ``kinds``), best first.
        The last 1024 distinct queries are remembered."""
        q = normalise(query)
        if not q:
            return []
        return list(self._memo(q, frozenset(kinds) if kinds is not None else None))

    def _search(self, q: str, kinds: frozenset[str] | None) -> tuple[SearchHit, ...]:
        found = [(layer.entries[i], b)
                 for layer, hidden in ((self._base, self._hidden), (self._delta, frozenset()))
                 for i, b in layer.best(q, hidden).items()]
        ranked = sorted(
            ((rank, KIND_ORDER[e.kind], len(e.name), e.id, e, key)
             for e, (rank, key) in found if kinds is None or e.kind in kinds),
            key=lambda r: r[:4])
        return tuple(SearchHit.model_construct(id=e.id, kind=e.kind, name=e.name, via=key.via,
                                               matched=key.shown, rank=rank)
                     for rank, _, _, _, e, key in ranked)
