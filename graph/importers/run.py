"""Import a ChainKnowledgeGraph directory into any atlas store, in one atomic merge.

Steps: read the files (:func:`graph.importers.ckg.read_ckg`), choose the mapping rows
(:func:`mapping_rows`), build the atlas to merge (:func:`graph.importers.build.build_import`),
write it in one atomic store call, and summarise: counts, anomalies, candidate targets,
coverage before and after. The write is ``store.merge``; when an earlier import made
relations this one no longer makes (a reviewer rejected a mapping row), it is one
``store.replace_all`` of the atlas without them. Importing the same input twice leaves
the same counts.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from pydantic import BaseModel

from graph.coverage import ChainCoverage, coverage
from graph.importers.build import MAPPING_DATASET, STATUS_FILE, build_import, read_statuses
from graph.importers.ckg import DATASET, CkgData, locate, read_ckg, total_bytes
from graph.importers.mapping import (
    DEFAULT_THRESHOLD,
    MappingRow,
    candidates,
    read_mapping,
)
from graph.importers.product_graph import product_view, segment_supply, supply_links
from graph.memory import paused_gc
from graph.model import ENTITY_TABLE, RELATION_TYPES, Atlas, Relation, Role, relation_key
from graph.store.base import AtlasStore


class Reporter:
    """Progress hooks for :func:`import_ckg` (the CLI passes a rich progress bar)."""

    def stage(self, label: str, total: int | None = None) -> None:
        """A new stage starts (``total`` units of work if known)."""

    def advance(self, n: int) -> None:
        """``n`` units of the current stage are done."""


class ImportSummary(BaseModel):
    """What an import did."""

    dataset: str
    path: str
    seconds: float
    imported: dict[str, int]
    store_counts: dict[str, int]
    anomalies: dict[str, int]
    examples: dict[str, list[str]]
    stats: dict[str, int]
    mapping_source: str
    candidate_targets: int
    segments_with_producers: list[str]
    segments_with_targets: list[str]
    coverage_before: list[ChainCoverage]
    coverage_after: list[ChainCoverage]
    supply_links: dict[str, int]
    missing_inputs: int


def default_mapping(seeds_dir: Path) -> Path:
    """Where the reviewed mapping lives: ``<seeds>/mappings/ckg_products.tsv``."""
    return seeds_dir / "mappings" / "ckg_products.tsv"


def mapping_rows(atlas: Atlas, data: CkgData, mapping: Path | None,
                 threshold: float = DEFAULT_THRESHOLD) -> tuple[list[MappingRow], str]:
    """The mapping rows to use and where they came from.

    The reviewed file is authoritative for every segment it mentions; segments it does
    not mention (added to the atlas since) get fresh candidates at ``threshold``."""
    fresh = candidates(atlas, data.products, data.producers(), threshold)
    if mapping is None or not mapping.is_file():
        return fresh, f"generated (threshold {threshold:g})"
    reviewed = read_mapping(mapping)
    covered = {r.segment for r in reviewed}
    extra = [r for r in fresh if r.segment not in covered]
    note = f"{mapping}" + (f" + generated for {len({r.segment for r in extra})} new segment(s)"
                           if extra else "")
    return reviewed + extra, note


IMPORTED = ("operates", "maps_to", "makes", "product_feeds", "subtype_of")


def stale_relations(base: Atlas, new: Atlas) -> list[Relation]:
    """Relations an earlier import made (source: the dataset or the mapping) that the new
    import no longer makes, e.g. after a reviewer rejected a mapping row."""
    ours = (DATASET, MAPPING_DATASET)
    out: list[Relation] = []
    for kind in IMPORTED:
        keep = {relation_key(r) for r in new.relations(kind)}
        out.extend(r for r in base.relations(kind)
                   if r.src.dataset in ours and relation_key(r) not in keep)
    return out


def combined(base: Atlas, new: Atlas, drop: list[Relation]) -> Atlas:
    """``base`` with ``new`` upserted (as ``store.merge`` does) and ``drop`` removed."""
    gone = {relation_key(r) for r in drop}
    tables: dict[str, object] = {}
    for kind, table in ENTITY_TABLE.items():
        tables[table] = {**base.entities(kind), **new.entities(kind)}
    for kind in RELATION_TYPES:
        rels = {relation_key(r): r for r in base.relations(kind) if relation_key(r) not in gone}
        rels.update((relation_key(r), r) for r in new.relations(kind))
        tables[kind] = list(rels.values())
    return Atlas.from_tables(tables)


def candidate_targets(atlas: Atlas) -> set[str]:
    """Outside firms (role target) with an ``operates`` relation from the dataset."""
    return {r.company for r in atlas.operates
            if r.src.dataset == DATASET and r.company in atlas.companies
            and atlas.companies[r.company].role is Role.target}


def _segments_with_targets(atlas: Atlas) -> list[str]:
    """Segments where an outside firm (role target) that makes one of the segment's mapped
    products operates (from the import or from the seeds)."""
    makers: dict[str, set[str]] = {}
    for m in atlas.makes:
        makers.setdefault(m.product, set()).add(m.company)
    seg_makers: dict[str, set[str]] = {}
    for mp in atlas.maps_to:
        seg_makers.setdefault(mp.segment, set()).update(makers.get(mp.product, ()))
    return sorted({r.segment for r in atlas.operates
                   if r.company in seg_makers.get(r.segment, ()) and r.company in atlas.companies
                   and atlas.companies[r.company].role is Role.target})


def import_ckg(store: AtlasStore, path: Path, *, mapping: Path | None = None,
               threshold: float = DEFAULT_THRESHOLD,
               reporter: Reporter | None = None) -> ImportSummary:
    """Import the ChainKnowledgeGraph at ``path`` into ``store`` (atomic, idempotent).

    Raises :class:`~graph.errors.InvalidInput` for a missing directory or file, or a bad
    mapping file, before anything is written."""
    rep = reporter or Reporter()
    started = time.perf_counter()
    with paused_gc():
        files = locate(path)
        base = store.snapshot()
        before = coverage(base)
        rep.stage("读取 ChainKnowledgeGraph", total_bytes(files))
        data = read_ckg(path, progress=rep.advance)
        rep.stage("产品映射")
        rows, source = mapping_rows(base, data, mapping, threshold)
        rep.stage("构建图谱")
        statuses = read_statuses(mapping.parent / STATUS_FILE) if mapping else {}
        plan = build_import(data, base, rows, statuses)
        anomalies, examples = dict(data.anomalies.counts), dict(data.anomalies.examples)
        del data
        rep.stage("写入存储")
        stale = stale_relations(base, plan.atlas)
        if stale:  # one atomic write either way
            plan.stats["stale_removed"] = len(stale)
            store.replace_all(combined(base, plan.atlas, stale))
        else:
            store.merge(plan.atlas)
        rep.stage("覆盖度与供应路径")
        after_atlas = store.snapshot()
        after = coverage(after_atlas)
        produced = {m.product for m in plan.atlas.makes}
        targets = candidate_targets(after_atlas)
        view = product_view(after_atlas)
        links = Counter(x.status for x in supply_links(after_atlas, view=view))
        missing = sum(len(segment_supply(after_atlas, seg, view=view).missing_inputs)
                      for seg in after_atlas.segments)
    return ImportSummary(
        dataset=DATASET, path=str(path), seconds=round(time.perf_counter() - started, 2),
        imported={k: v for k, v in plan.atlas.counts().items() if v},
        store_counts=store.counts(), anomalies=anomalies, examples=examples,
        stats=dict(plan.stats), mapping_source=source,
        candidate_targets=len(targets),
        segments_with_producers=sorted({m.segment for m in plan.atlas.maps_to
                                        if m.product in produced}),
        segments_with_targets=_segments_with_targets(after_atlas),
        coverage_before=before, coverage_after=after, supply_links=dict(links),
        missing_inputs=missing)
