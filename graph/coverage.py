"""Coverage of the atlas per chain: how much each chain's data holds.

Rule: a chain's family is the chain and its descendant sub-chains (``parent``);
its segments are those listing any chain of the family. A fact is *unsourced*
when its provenance lacks what its kind needs (document + quote, dataset + key,
public note) or an as-of date. A segment is *thin* when fewer than
``min_targets`` outside firms (role ``target``) operate in it.

>>> from graph.model import Atlas
>>> coverage(Atlas())
[]
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel

from graph.model import ENTITY_TYPES, RELATION_TYPES, Atlas, Role, Source


class ChainCoverage(BaseModel):
    chain_id: str
    name: str
    segments: int
    local_firms: int
    anchors: int
    targets: int
    institutes: int
    associations: int
    projects: int
    unsourced: int
    thin_segments: list[str]


def is_sourced(src: Source | None) -> bool:
    """True when the provenance is complete for its kind."""
    if src is None or src.as_of is None or src.grade is None:
        return False
    if src.doc:
        return bool(src.quote)
    if src.dataset:
        return bool(src.key)
    return bool(src.public)


def chain_family(atlas: Atlas, chain_id: str) -> set[str]:
    """``chain_id`` and every chain below it."""
    children: dict[str, list[str]] = defaultdict(list)
    for c in atlas.chains.values():
        if c.parent:
            children[c.parent].append(c.id)
    out: set[str] = set()
    todo = [chain_id]
    while todo:
        cid = todo.pop()
        if cid not in out:
            out.add(cid)
            todo.extend(children[cid])
    return out


def coverage(atlas: Atlas, *, min_targets: int = 3) -> list[ChainCoverage]:
    """One :class:`ChainCoverage` per chain, in id order."""
    ops_by_seg: dict[str, set[str]] = defaultdict(set)
    for r in atlas.operates:
        ops_by_seg[r.segment].add(r.company)
    unsourced_by_seg: dict[str, int] = defaultdict(int)
    for kind in RELATION_TYPES:
        for rel in atlas.relations(kind):
            if not is_sourced(rel.src):
                for v in rel.model_dump().values():
                    if isinstance(v, str) and v in atlas.segments:
                        unsourced_by_seg[v] += 1
    out = []
    for chain in sorted(atlas.chains.values(), key=lambda c: c.id):
        family = chain_family(atlas, chain.id)
        segs = {s.id for s in atlas.segments.values() if family & set(s.chains)}
        firms = {c for s in segs for c in ops_by_seg[s]}
        companies = [atlas.companies[c] for c in firms if c in atlas.companies]
        targets_by_seg = {s: {c for c in ops_by_seg[s] if c in atlas.companies
                              and atlas.companies[c].role is Role.target} for s in segs}
        entity_ids = segs | firms | {chain.id} | family
        unsourced = sum(1 for i in entity_ids if (e := atlas.find(i)) is not None
                        and not is_sourced(e.src))
        unsourced += sum(unsourced_by_seg[s] for s in segs)
        out.append(ChainCoverage(
            chain_id=chain.id, name=chain.name, segments=len(segs),
            local_firms=sum(1 for c in companies if c.role is not Role.target),
            anchors=sum(1 for c in companies if c.role is Role.anchor),
            targets=sum(1 for c in companies if c.role is Role.target),
            institutes=len({r.institute for r in atlas.supports if r.segment in segs}),
            associations=len({r.association for r in atlas.covers if r.segment in segs}),
            projects=sum(1 for p in atlas.projects.values() if segs & set(p.segments)),
            unsourced=unsourced,
            thin_segments=sorted(s for s, t in targets_by_seg.items() if len(t) < min_targets),
        ))
    return out


def unsourced_total(atlas: Atlas) -> int:
    """Every entity and relation of the atlas whose provenance is incomplete."""
    n = sum(1 for k in ENTITY_TYPES for e in atlas.entities(k).values() if not is_sourced(e.src))
    return n + sum(1 for k in RELATION_TYPES for r in atlas.relations(k) if not is_sourced(r.src))
