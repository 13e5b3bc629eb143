"""Seed loader: ``seeds/**/*.yaml`` → one validated :class:`~graph.model.Atlas`.

Every problem (YAML syntax, unknown section or field, wrong enum value, bad
number, missing or unknown source document, duplicate id or relation, unknown
reference, cycle in a chain's feeds, quote not found in its document) is
collected with file, line and field. If there is any, :class:`SeedErrors` is
raised and nothing is returned: the caller never sees half an atlas.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
from pydantic import ValidationError

from graph.errors import Problem, SeedErrors
from graph.model import (
    ENTITY_TYPES,
    RELATION_ENDS,
    RELATION_TYPES,
    Assessment,
    Atlas,
    Cooperates,
    Covers,
    Entity,
    Fact,
    MemberOf,
    Operates,
    Relation,
    Source,
    Supplies,
    Supports,
    Uses,
    relation_key,
)
from graph.seedformat import (
    ALL_SECTIONS,
    META_SECTIONS,
    RELATION_SECTIONS,
    SECTION_MODELS,
    AssociationIn,
    CompanyIn,
    Defaults,
    Document,
    InstituteIn,
    PathIn,
)
from graph.yamlsrc import PathT, Positions, read_yaml


@dataclass
class _Origin:
    pos: Positions
    path: PathT


@dataclass
class _Build:
    atlas: Atlas = field(default_factory=Atlas)
    problems: list[Problem] = field(default_factory=list)
    documents: dict[str, Document] = field(default_factory=dict)
    entity_origin: dict[str, _Origin] = field(default_factory=dict)
    relation_origin: dict[tuple[str, str, str, str], _Origin] = field(default_factory=dict)
    sources: list[tuple[Source, _Origin]] = field(default_factory=list)


SEED_DIRS = ("reference", "chains", "orgs", "targets", "evidence")


def seed_files(root: Path) -> list[Path]:
    """The seed files, folder by folder in ``SEED_DIRS`` order: ``reference/`` (documents,
    counties, parks), ``chains/`` (one file per chain group), ``orgs/`` (institutes and
    associations), ``targets/`` (outside target firms), ``evidence/`` (place facts and the
    city's own assessments). Other folders of ``seeds/`` (``mappings/``, ``validation/``)
    hold other data and are not loaded."""
    return [f for d in SEED_DIRS for f in sorted((root / d).glob("*.y*ml"))]


def load_seeds(root: Path, *, sources_dir: Path | None = None) -> Atlas:
    """Load and validate every seed file under ``root``.

    If ``sources_dir`` holds the source documents, every document quote must be
    found in its document (whitespace ignored). Raises :class:`SeedErrors`.
    """
    if not root.is_dir():
        raise SeedErrors([Problem(str(root), None, "<dir>", "seed directory not found")])
    files = seed_files(root)
    if not files:
        raise SeedErrors([Problem(str(root), None, "<dir>", "no seed files (*.yaml)")])
    return load_files(files, base=root, sources_dir=sources_dir)


def load_files(files: Iterable[Path], *, base: Path | None = None,
               sources_dir: Path | None = None) -> Atlas:
    """Load the given seed files as one atlas (see :func:`load_seeds`)."""
    b = _Build()
    parsed: list[tuple[Any, Positions]] = []
    for f in files:
        name = str(f.relative_to(base)) if base and f.is_relative_to(base) else str(f)
        try:
            parsed.append(read_yaml(f, name))
        except SeedErrors as exc:
            b.problems.extend(exc.problems)
    for data, pos in parsed:
        _register_documents(b, data, pos)
    for data, pos in parsed:
        _read_file(b, data, pos)
    _resolve_sources(b, sources_dir)
    _check_references(b)
    _check_cycles(b)
    if b.problems:
        raise SeedErrors(b.problems)
    return b.atlas


# --- reading -------------------------------------------------------------------------


def _register_documents(b: _Build, data: Any, pos: Positions) -> None:
    if not isinstance(data, dict):
        return
    for i, raw in enumerate(data.get("documents") or []):
        try:
            doc = Document.model_validate(raw)
        except ValidationError as exc:
            _pydantic_problems(b, exc, pos, ("documents", i))
            continue
        if doc.file in b.documents:
            b.problems.append(pos.problem(("documents", i, "file"), "duplicate document"))
        b.documents[doc.file] = doc


def _read_file(b: _Build, data: Any, pos: Positions) -> None:
    if data is None:
        return
    if not isinstance(data, dict):
        b.problems.append(pos.problem((), "a seed file must be a mapping of sections"))
        return
    defaults = Defaults()
    if "defaults" in data:
        try:
            defaults = Defaults.model_validate(data["defaults"])
        except ValidationError as exc:
            _pydantic_problems(b, exc, pos, ("defaults",))
    for section, items in data.items():
        if section not in ALL_SECTIONS:
            b.problems.append(pos.problem((section,), f"unknown section; expected one of "
                                                      f"{', '.join(ALL_SECTIONS)}"))
            continue
        if section in META_SECTIONS:
            continue
        if not isinstance(items, list):
            b.problems.append(pos.problem((section,), "must be a list"))
            continue
        for i, raw in enumerate(items):
            _read_item(b, section, raw, pos, (section, i), defaults)


def _read_item(b: _Build, section: str, raw: Any, pos: Positions, path: PathT,
               defaults: Defaults) -> None:
    model = SECTION_MODELS.get(section) or RELATION_TYPES[section]
    try:
        item = model.model_validate(raw)
    except ValidationError as exc:
        _pydantic_problems(b, exc, pos, path)
        return
    origin = _Origin(pos, path)
    if isinstance(item, PathIn):
        _note_source(b, item.src, origin, defaults)
        for k, (a, z) in enumerate(zip(item.path, item.path[1:], strict=False)):
            rel = RELATION_TYPES["feeds"].model_validate(
                {"source": a, "target": z, "chain": item.chain, "src": item.src})
            _add_relation(b, rel, _Origin(pos, (*path, "path", k + 1)))
        return
    if isinstance(item, Relation):
        _note_source(b, item.src, origin, defaults)
        _add_relation(b, item, origin)
        return
    assert isinstance(item, Entity)
    _note_source(b, item.src, origin, defaults)
    for j, fig in enumerate(getattr(item, "figures", [])):
        if fig.src is not None:
            _note_source(b, fig.src, _Origin(pos, (*path, "figures", j)), defaults)
    _expand_inline(b, item, pos, path, defaults)
    _add_entity(b, item, origin)


def _expand_inline(b: _Build, item: Entity, pos: Positions, path: PathT,
                   defaults: Defaults) -> None:
    """Turn inline relation fields into relation records; strip them from the entity."""
    rels: list[tuple[Relation, PathT]] = []
    if isinstance(item, CompanyIn):
        for j, op in enumerate(item.segments):
            data = op.model_dump(exclude={"src"})
            if op.src is not None:
                _note_source(b, op.src, _Origin(pos, (*path, "segments", j)), defaults)
            rels.append((Operates.model_validate(
                {**data, "company": item.id, "src": op.src or item.src}), ("segments", j)))
        for j, a in enumerate(item.memberships):
            rels.append((MemberOf(company=item.id, association=a, src=item.src),
                         ("memberships", j)))
        for j, inst in enumerate(item.institutes):
            rels.append((Cooperates(company=item.id, institute=inst, src=item.src),
                         ("institutes", j)))
        for j, sup in enumerate(item.supplies_to):
            if sup.src is not None:
                _note_source(b, sup.src, _Origin(pos, (*path, "supplies_to", j)), defaults)
            rels.append((Supplies(supplier=item.id, customer=sup.customer,
                                       product=sup.product, src=sup.src or item.src),
                         ("supplies_to", j)))
        for j, use in enumerate(item.uses):
            if use.src is not None:
                _note_source(b, use.src, _Origin(pos, (*path, "uses", j)), defaults)
            rels.append((Uses(company=item.id, segment=use.segment, product=use.product,
                              src=use.src or item.src), ("uses", j)))
    elif isinstance(item, InstituteIn):
        for j, s in enumerate(item.segments):
            rels.append((Supports(institute=item.id, segment=s, src=item.src),
                         ("segments", j)))
    elif isinstance(item, AssociationIn):
        for j, s in enumerate(item.segments):
            rels.append((Covers(association=item.id, segment=s, src=item.src),
                         ("segments", j)))
        for j, m in enumerate(item.members):
            rels.append((MemberOf(company=m, association=item.id, src=item.src),
                         ("members", j)))
    for rel, sub in rels:
        _add_relation(b, rel, _Origin(pos, (*path, *sub)))


def _add_entity(b: _Build, item: Entity, origin: _Origin) -> None:
    kind = item.KIND
    base_type: type[Entity] = ENTITY_TYPES[kind]
    # pass the field objects themselves (not a dump), so that sources resolved later
    # (as_of from the document date) are the ones the atlas holds
    plain = base_type.model_validate({f: getattr(item, f) for f in base_type.model_fields})
    if item.id in b.entity_origin:
        first = b.entity_origin[item.id]
        b.problems.append(origin.pos.problem(
            (*origin.path, "id"),
            f"duplicate id {item.id!r} (first defined in {first.pos.file}:"
            f"{first.pos.line(first.path)})"))
        return
    b.entity_origin[item.id] = origin
    b.atlas.entities(kind)[item.id] = plain


def _add_relation(b: _Build, rel: Relation, origin: _Origin) -> None:
    key = relation_key(rel)
    if key in b.relation_origin:
        first = b.relation_origin[key]
        b.problems.append(origin.pos.problem(
            origin.path, f"duplicate {key[0]} relation {key[1]} → {key[2]} (first at "
                         f"{first.pos.file}:{first.pos.line(first.path)})"))
        return
    b.relation_origin[key] = origin
    b.atlas.relations(rel.KIND).append(rel)


def _note_source(b: _Build, src: Source, origin: _Origin, defaults: Defaults) -> None:
    if src.as_of is None and defaults.as_of is not None and not src.doc:
        src.as_of = defaults.as_of
    b.sources.append((src, _Origin(origin.pos, (*origin.path, "src"))))


def _pydantic_problems(b: _Build, exc: ValidationError, pos: Positions, path: PathT) -> None:
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(
            ("function-", "str", "OperatesIn", "union["))))
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "missing":
            msg = "required field missing"
        b.problems.append(pos.problem((*path, *loc), msg))


# --- checks ---------------------------------------------------------------------------


_WS = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _WS.sub("", text)


def _resolve_sources(b: _Build, sources_dir: Path | None) -> None:
    texts: dict[str, str] = {}
    for src, origin in b.sources:
        if src.doc is not None:
            doc = b.documents.get(src.doc)
            if doc is None:
                b.problems.append(origin.pos.problem(
                    (*origin.path, "doc"),
                    f"unknown document {src.doc!r}; register it in seeds/reference/documents.yaml"))
                continue
            if src.as_of is None:
                src.as_of = doc.date
            if sources_dir is not None and (sources_dir / src.doc).is_file():
                if src.doc not in texts:
                    texts[src.doc] = _squash((sources_dir / src.doc).read_text(encoding="utf-8"))
                if _squash(src.quote or "") not in texts[src.doc]:
                    b.problems.append(origin.pos.problem(
                        (*origin.path, "quote"), f"quote not found in {src.doc}"))
        elif src.as_of is None:
            b.problems.append(origin.pos.problem(
                (*origin.path, "as_of"), "as_of missing (give it, or set defaults.as_of)"))


def _check_references(b: _Build) -> None:
    a = b.atlas

    def need(entity_id: str | None, kind: str, origin: _Origin, fld: PathT) -> None:
        if entity_id is None:
            return
        if entity_id not in a.entities(kind):
            b.problems.append(origin.pos.problem((*origin.path, *fld),
                                                 f"unknown {kind} {entity_id!r}"))

    for ch in a.chains.values():
        need(ch.parent, "chain", b.entity_origin[ch.id], ("parent",))
    for seg in a.segments.values():
        for i, c in enumerate(seg.chains):
            need(c, "chain", b.entity_origin[seg.id], ("chains", i))
    for co in a.companies.values():
        o = b.entity_origin[co.id]
        need(co.county, "county", o, ("county",))
        need(co.park, "park", o, ("park",))
        for i, t in enumerate(co.ties):
            need(t.county, "county", o, ("ties", i, "county"))
    for pk in a.parks.values():
        need(pk.county, "county", b.entity_origin[pk.id], ("county",))
    evidence: list[Fact | Assessment] = [*a.facts.values(), *a.assessments.values()]
    for ev in evidence:
        o = b.entity_origin[ev.id]
        need(ev.segment, "segment", o, ("segment",))
        need(ev.county, "county", o, ("county",))
        need(ev.park, "park", o, ("park",))
        park = a.parks.get(ev.park or "")
        if park is not None and ev.county is not None and park.county != ev.county:
            b.problems.append(o.pos.problem((*o.path, "park"), (
                f"park {park.id!r} is in {park.county!r}, not in {ev.county!r}")))
    for pj in a.projects.values():
        o = b.entity_origin[pj.id]
        need(pj.county, "county", o, ("county",))
        need(pj.park, "park", o, ("park",))
        need(pj.investor_id, "company", o, ("investor_id",))
        for i, s in enumerate(pj.segments):
            need(s, "segment", o, ("segments", i))
    for kind in RELATION_TYPES:
        (fa, ka), (fz, kz) = RELATION_ENDS[kind]
        for rel in a.relations(kind):
            o = b.relation_origin[relation_key(rel)]
            inline = isinstance(o.path[-1], int) and o.path[0] not in RELATION_SECTIONS
            need(getattr(rel, fa), ka, o, () if inline else (fa,))
            need(getattr(rel, fz), kz, o, () if inline else (fz,))
    for f in a.feeds:
        o = b.relation_origin[relation_key(f)]
        if f.chain not in a.chains:
            b.problems.append(o.pos.problem((*o.path, "chain"), f"unknown chain {f.chain!r}"))
            continue
        for end in (f.source, f.target):
            hit = a.segments.get(end)
            if hit is not None and f.chain not in hit.chains:
                b.problems.append(o.pos.problem(
                    o.path, f"segment {end!r} feeds within chain {f.chain!r} but does not "
                            f"list it in its chains"))


def _check_cycles(b: _Build) -> None:
    by_chain: dict[str, nx.DiGraph[str]] = {}
    for f in b.atlas.feeds:
        by_chain.setdefault(f.chain, nx.DiGraph()).add_edge(f.source, f.target)
    for chain, g in sorted(by_chain.items()):
        try:
            cycle = nx.find_cycle(g)
        except nx.NetworkXNoCycle:
            continue
        edge = next(f for f in b.atlas.feeds if f.chain == chain and
                    (f.source, f.target) == (cycle[0][0], cycle[0][1]))
        o = b.relation_origin[relation_key(edge)]
        loop = " → ".join([str(u) for u, _ in cycle] + [str(cycle[0][0])])
        b.problems.append(o.pos.problem(o.path, f"cycle in feeds of {chain}: {loop}"))
