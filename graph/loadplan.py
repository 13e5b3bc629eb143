"""What a seed (re)load does to a store that already holds data: a pure plan.

Rule. Reloading the seeds replaces what came from the seeds and keeps what did not:

- **kept**: every entity and relation with a ``dataset`` source (national product-graph
  imports, project ledgers), every campaign, and every project the seeds do not hold; a
  project the seeds do hold keeps its stored stage and history when the store has recorded
  stage changes for it (a team moved it since the last load);
- **replaced**: everything the seeds hold is written as the seeds say;
- **would be lost**: anything else in the store that the seeds no longer hold (a firm
  removed from the seeds, or one created through the API with a document or public
  source). The plan lists these; the caller refuses unless told to ``prune`` them.
- **dangling**: a kept item that references an id the new atlas lacks (a campaign on a
  segment the seeds dropped). The caller refuses unless told to replace everything.

Example: a store holding the seeds, 4,164 imported listed firms and one campaign, reloaded
from the same seeds, keeps the 4,164 firms and the campaign and loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.integrity import entity_refs_missing, relation_refs_missing
from graph.model import (
    ENTITY_TABLE,
    ENTITY_TYPES,
    RELATION_TYPES,
    Atlas,
    Entity,
    Project,
    Relation,
    relation_key,
)


@dataclass
class LoadPlan:
    """The atlas a load would store, and what it keeps, replaces and would lose."""

    atlas: Atlas
    kept: dict[str, int] = field(default_factory=dict)
    replaced: dict[str, int] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)
    dangling: list[str] = field(default_factory=list)

    @property
    def safe(self) -> bool:
        """True when the load loses nothing and leaves no dangling reference."""
        return not self.lost and not self.dangling


def _keep_entity(e: Entity) -> bool:
    return e.src.kind == "dataset" or e.KIND in ("campaign", "project")


def _bump(counts: dict[str, int], kind: str) -> None:
    counts[kind] = counts.get(kind, 0) + 1


def plan_load(current: Atlas, seeds: Atlas) -> LoadPlan:
    """Plan loading ``seeds`` into a store holding ``current`` (see the module rule).

    Neither atlas is changed; the plan's atlas shares unchanged entity objects with them.
    """
    tables: dict[str, object] = {}
    kept: dict[str, int] = {}
    lost: list[str] = []
    for kind, table in ENTITY_TABLE.items():
        merged: dict[str, Entity] = dict(seeds.entities(kind))
        for eid, e in current.entities(kind).items():
            if eid in merged:
                if isinstance(e, Project) and e.history:
                    merged[eid] = e
                    _bump(kept, f"{kind}_history")
            elif _keep_entity(e):
                merged[eid] = e
                _bump(kept, kind)
            else:
                lost.append(f"{kind} {eid} {e.name}")
        tables[table] = merged
    for kind in RELATION_TYPES:
        rels: dict[tuple[str, str, str, str], Relation] = {
            relation_key(r): r for r in seeds.relations(kind)}
        for r in current.relations(kind):
            key = relation_key(r)
            if key in rels:
                continue
            if r.src.kind == "dataset":
                rels[key] = r
                _bump(kept, kind)
            else:
                lost.append(f"{kind} {key[1]} → {key[2]}")
        tables[kind] = list(rels.values())
    atlas = Atlas.from_tables(tables)
    replaced = {k: len(seeds.entities(k)) for k in ENTITY_TYPES if seeds.entities(k)}
    replaced.update({k: len(seeds.relations(k)) for k in RELATION_TYPES if seeds.relations(k)})
    return LoadPlan(atlas=atlas, kept=kept, replaced=replaced, lost=lost,
                    dangling=_dangling(atlas, seeds))


def _dangling(atlas: Atlas, seeds: Atlas) -> list[str]:
    """References of kept (non-seed) items that ``atlas`` cannot resolve."""
    out: list[str] = []
    for kind in ENTITY_TYPES:
        own = seeds.entities(kind)
        for eid, e in atlas.entities(kind).items():
            if own.get(eid) is e:
                continue
            out.extend(f"{kind} {eid}: {m}"
                       for m in entity_refs_missing(atlas, kind, vars(e)))
    for kind in RELATION_TYPES:
        own_keys = {relation_key(r) for r in seeds.relations(kind)}
        for r in atlas.relations(kind):
            if relation_key(r) in own_keys:
                continue
            out.extend(f"{kind}: {m}" for m in relation_refs_missing(atlas, r))
    return out
