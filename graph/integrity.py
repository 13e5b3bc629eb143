"""Reference integrity of single writes against an atlas.

The seed loader checks a whole atlas at once (with file positions); stores call
these functions before each single write so that the stored atlas never holds a
dangling reference.

>>> from graph.model import Atlas
>>> entity_refs_missing(Atlas(), "company", {"county": "county.x", "park": None})
["county: unknown county 'county.x'"]
"""

from __future__ import annotations

from typing import Any

from graph.model import RELATION_ENDS, Atlas, Entity, Feeds, Relation

# (entity kind, field, referenced kind, is a list)
ENTITY_REFS: tuple[tuple[str, str, str, bool], ...] = (
    ("chain", "parent", "chain", False),
    ("segment", "chains", "chain", True),
    ("company", "county", "county", False),
    ("company", "park", "park", False),
    ("park", "county", "county", False),
    ("project", "county", "county", False),
    ("project", "park", "park", False),
    ("project", "investor_id", "company", False),
    ("project", "segments", "segment", True),
    ("campaign", "chain", "chain", False),
    ("campaign", "county", "county", False),
    ("campaign", "segments", "segment", True),
    ("campaign", "projects", "project", True),
    ("fact", "segment", "segment", False),
    ("fact", "county", "county", False),
    ("fact", "park", "park", False),
    ("assessment", "segment", "segment", False),
    ("assessment", "county", "county", False),
    ("assessment", "park", "park", False),
)


def entity_refs_missing(atlas: Atlas, kind: str, data: dict[str, Any]) -> list[str]:
    """Messages for each reference in ``data`` (an entity of ``kind``) that ``atlas`` lacks."""
    out: list[str] = []
    for k, fld, target, many in ENTITY_REFS:
        if k != kind:
            continue
        values = data.get(fld) or []
        for v in values if many else [values] if values else []:
            if v not in atlas.entities(target):
                out.append(f"{fld}: unknown {target} {v!r}")
    return out


def relation_refs_missing(atlas: Atlas, rel: Relation) -> list[str]:
    """Messages for each end of ``rel`` that ``atlas`` lacks."""
    out: list[str] = []
    for fld, target in RELATION_ENDS[rel.KIND]:
        v = getattr(rel, fld)
        if v not in atlas.entities(target):
            out.append(f"{fld}: unknown {target} {v!r}")
    if isinstance(rel, Feeds):
        chain = rel.chain
        if chain not in atlas.chains:
            out.append(f"chain: unknown chain {chain!r}")
        for fld in ("source", "target"):
            seg = atlas.segments.get(getattr(rel, fld))
            if seg is not None and chain not in seg.chains:
                out.append(f"{fld}: segment {seg.id!r} is not in chain {chain!r}")
    return out


def referrers(atlas: Atlas, entity: Entity) -> list[str]:
    """Ids of entities whose fields reference ``entity`` (which blocks its deletion)."""
    out: list[str] = []
    for kind, fld, target, many in ENTITY_REFS:
        if target != entity.KIND:
            continue
        for other in atlas.entities(kind).values():
            v = getattr(other, fld)
            if (entity.id in v) if many else (v == entity.id):
                out.append(other.id)
    return sorted(set(out))


def relations_touching(atlas: Atlas, entity_id: str) -> list[Relation]:
    """Every relation with ``entity_id`` at one of its ends (deleted with the entity)."""
    out: list[Relation] = []
    for kind, ((fa, _), (fz, _)) in RELATION_ENDS.items():
        out.extend(r for r in atlas.relations(kind)
                   if getattr(r, fa) == entity_id or getattr(r, fz) == entity_id)
    return out
