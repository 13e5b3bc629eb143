"""Names as well as ids: find the one entity of a kind a person means.

Rule: an exact id wins; otherwise the entity's name or alias typed exactly (after
:func:`graph.search.normalise`) or, failing that, the single entity whose full pinyin or
initials match exactly; failing that, the single entity the text is a prefix or substring
of. Several equally good candidates are an error that lists them (id and name), so the
person can choose; none is :class:`graph.errors.NotFound`.

>>> from graph.model import Atlas, County, Source
>>> src = Source(public="示例", as_of="2026-11-01")
>>> atlas = Atlas(counties={"county.hejin": County(
...     id="county.hejin", name="河津市", lat=35.6, lon=110.7, src=src)})
>>> resolve(atlas, "county", "河津市"), resolve(atlas, "county", "hejin")
('county.hejin', 'county.hejin')
"""

from __future__ import annotations

from graph.errors import InvalidInput, NotFound
from graph.model import ENTITY_TABLE, Atlas
from graph.search import SearchHit, SearchIndex

KIND_ZH = {"chain": "产业链", "segment": "环节", "company": "企业", "institute": "机构",
           "association": "商协会", "county": "县（市、区）", "park": "开发区", "project": "项目",
           "product": "产品", "campaign": "专班行动"}


def resolve(atlas: Atlas, kind: str, text: str, *, index: SearchIndex | None = None) -> str:
    """The id of the ``kind`` entity that ``text`` (an id, name, alias or pinyin) names."""
    if kind not in ENTITY_TABLE:
        raise InvalidInput(f"未知类型 {kind!r} (unknown kind)", details=[{"field": "kind"}])
    if text in atlas.entities(kind):
        return text
    hits = (index or SearchIndex(atlas)).search(text, {kind})
    if not hits:
        raise NotFound(f"没有名为 {text!r} 的{KIND_ZH[kind]} (no {kind} named {text!r})",
                       details=[{"field": kind, "value": text}])
    best = min(h.rank for h in hits)
    top = _distinct([h for h in hits if h.rank == best])
    if len(top) == 1:
        return top[0].id
    raise InvalidInput(
        f"{text!r} 对应多个{KIND_ZH[kind]}，请用编号或全称指定 (ambiguous {kind})",
        details=[{"field": kind, "value": h.id, "message": h.name} for h in top[:20]])


def _distinct(hits: list[SearchHit]) -> list[SearchHit]:
    seen: dict[str, SearchHit] = {}
    for h in hits:
        seen.setdefault(h.id, h)
    return list(seen.values())
