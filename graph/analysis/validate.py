"""Validation of the gap diagnosis against a labelled set (``seeds/validation/segments.yaml``).

Rule: every label names a segment and its expected city-wide class (strong, weak or
missing) with its basis (a document quote or public knowledge). The segment is diagnosed
city-wide in its most specific chain (fewest segments, then chain id — the chain
:func:`graph.analysis.gaps.city_gaps` lists it under); the computed class is its status,
with broken counted as missing. Agreement = agreeing labels / labels, overall and per
top-level chain (the root of the chain used). Every disagreement is listed with both sides'
evidence: the label's basis and note, the diagnosis reasons, confidence, assessments and
conflicts.

Example: a label ``{segment: seg.nylon.caprolactam, expected: missing}`` agrees with a
computed ``broken`` or ``missing``, and disagrees with ``weak``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from graph.analysis.assessments import AssessmentView, Conflict
from graph.analysis.gaps import ChainDiagnosis, Reason, Status, diagnose_chain
from graph.analysis.index import analysis_index
from graph.analysis.rules import Confidence, Rules, active_rules
from graph.errors import Problem, SeedErrors
from graph.model import Atlas, Source
from graph.yamlsrc import read_yaml

Expected = Literal["strong", "weak", "missing"]
CLASS_OF: dict[Status, Expected] = {"strong": "strong", "weak": "weak", "missing": "missing",
                                    "broken": "missing"}


class Label(BaseModel):
    """One labelled segment (see FORMATS.md, "Validation sets")."""

    model_config = ConfigDict(extra="forbid")

    segment: str
    expected: Expected
    basis: Source
    note: str = ""


class Disagreement(BaseModel):
    """A label the diagnosis disagrees with, and both sides' evidence."""

    segment_id: str
    segment_name: str
    chain_id: str = Field(description="The chain the segment was diagnosed in.")
    expected: Expected
    computed: Status
    confidence: Confidence
    label_basis: Source
    label_note: str
    reasons: list[Reason]
    confidence_basis: list[Reason]
    assessments: list[AssessmentView]
    conflicts: list[Conflict]


class ChainAgreement(BaseModel):
    """Agreement over the labels of one top-level chain."""

    chain_id: str
    chain_name: str
    labels: int
    agree: int
    agreement: float = Field(ge=0, le=1)


class ValidationReport(BaseModel):
    """Agreement of the diagnosis with the labelled set."""

    rules_version: str
    labels: int
    agree: int
    agreement: float = Field(ge=0, le=1)
    by_chain: list[ChainAgreement]
    confusion: dict[str, dict[str, int]] = Field(
        description="expected class → computed class → number of labels.")
    by_confidence: dict[str, list[int]] = Field(
        description="confidence → [agreeing, labels] (are high-confidence statuses right?).")
    disagreements: list[Disagreement]


def read_labels(path: Path, atlas: Atlas | None = None) -> list[Label]:
    """The labels of ``path`` (a YAML list). Every bad item, unknown segment (when ``atlas``
    is given) or duplicate segment is a :class:`~graph.errors.SeedErrors` problem with file,
    line and field; nothing is returned then."""
    if not path.is_file():
        raise SeedErrors([Problem(str(path), None, "<file>", "labels file not found")])
    data, pos = read_yaml(path)
    if not isinstance(data, list):
        raise SeedErrors([pos.problem((), "a labels file is a list of labels")])
    problems: list[Problem] = []
    out: list[Label] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(data):
        try:
            label = Label.model_validate(raw)
        except ValidationError as exc:
            problems.extend(pos.problem((i, *e["loc"]), e["msg"]) for e in exc.errors())
            continue
        if atlas is not None and label.segment not in atlas.segments:
            problems.append(pos.problem((i, "segment"), f"unknown segment {label.segment!r}"))
        if label.segment in seen:
            problems.append(pos.problem((i, "segment"), (
                f"duplicate label for {label.segment!r} (first at line "
                f"{pos.line((seen[label.segment],))})")))
        seen.setdefault(label.segment, i)
        out.append(label)
    if problems:
        raise SeedErrors(problems)
    return out


def _root(atlas: Atlas, chain_id: str) -> str:
    seen: set[str] = set()
    while (parent := atlas.chains[chain_id].parent) and parent in atlas.chains \
            and chain_id not in seen:
        seen.add(chain_id)
        chain_id = parent
    return chain_id


def validate_segments(atlas: Atlas, labels: Sequence[Label], *, rules: Rules | None = None
                      ) -> ValidationReport:
    """Agreement of the city-wide diagnosis with ``labels`` (module rule).

    Labels on segments the atlas lacks raise :class:`~graph.errors.SeedErrors` (use
    :func:`read_labels` with the atlas to get file and line)."""
    rules = rules or active_rules()
    unknown = [lb.segment for lb in labels if lb.segment not in atlas.segments]
    if unknown:
        raise SeedErrors([Problem("<labels>", None, "segment", f"unknown segment {s!r}")
                          for s in unknown])
    idx = analysis_index(atlas)
    diags: dict[str, ChainDiagnosis] = {}
    agree = 0
    per_chain: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    confusion: dict[str, dict[str, int]] = {e: {} for e in ("strong", "weak", "missing")}
    by_conf: dict[str, list[int]] = {c: [0, 0] for c in ("high", "medium", "low")}
    wrong: list[Disagreement] = []
    for lb in labels:
        seg = atlas.segments[lb.segment]
        chain = min((c for c in seg.chains if c in atlas.chains),
                    key=lambda c: (len(idx.chain_scope(c).segments), c))
        if chain not in diags:
            diags[chain] = diagnose_chain(atlas, chain, rules=rules)
        st = diags[chain].by_id()[lb.segment]
        got = CLASS_OF[st.status]
        ok = got == lb.expected
        root = _root(atlas, chain)
        per_chain[root][1] += 1
        by_conf[st.confidence][1] += 1
        confusion[lb.expected][got] = confusion[lb.expected].get(got, 0) + 1
        if ok:
            agree += 1
            per_chain[root][0] += 1
            by_conf[st.confidence][0] += 1
            continue
        wrong.append(Disagreement(
            segment_id=lb.segment, segment_name=seg.name, chain_id=chain, expected=lb.expected,
            computed=st.status, confidence=st.confidence, label_basis=lb.basis,
            label_note=lb.note, reasons=st.reasons, confidence_basis=st.confidence_basis,
            assessments=st.assessments, conflicts=st.conflicts))
    n = len(labels)
    return ValidationReport(
        rules_version=rules.version, labels=n, agree=agree,
        agreement=round(agree / n, 4) if n else 0.0,
        by_chain=[ChainAgreement(chain_id=c, chain_name=atlas.chains[c].name, labels=t,
                                 agree=a, agreement=round(a / t, 4))
                  for c, (a, t) in sorted(per_chain.items())],
        confusion=confusion, by_confidence=by_conf,
        disagreements=sorted(wrong, key=lambda d: (d.chain_id, d.segment_id)))
