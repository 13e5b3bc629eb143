"""Versioned, user-changeable rules for gap diagnosis, target ranking and extension.

The shipped defaults live in ``graph/analysis/rules.toml`` (documented in the README,
section "Gap rules"). ``ATLAS_RULES_FILE`` may point to another TOML file; it may give
only the keys it changes, the rest come from the shipped file. Unknown keys, wrong types
and negative weights are errors (:class:`~graph.errors.InvalidInput` naming the file
and field).

>>> r = default_rules()
>>> r.version
'gap-rules/3'
>>> r.status.dense_min_firms
3
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from graph.errors import InvalidInput
from graph.model import Grade, InferredAttr, ProjectStage, Verdict

DEFAULT_RULES_FILE = Path(__file__).with_name("rules.toml")

NonNeg = Annotated[float, Field(ge=0)]
Unit = Annotated[float, Field(ge=0, le=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Presence(_Strict):
    """When a firm or project counts as local presence in a segment."""

    min_weight: Unit
    grades: list[Grade]
    producing_stages: list[ProjectStage]
    facts: bool
    co_products: bool
    inferred_factor: Unit
    inferred_link_attrs: list[InferredAttr]
    inferred_only: bool


class StatusRules(_Strict):
    """Thresholds that separate strong from weak."""

    anchor_tags: list[str]
    scale_tags: list[str]
    dense_min_firms: Annotated[int, Field(ge=1)]
    dense_min_scale_firms: Annotated[int, Field(ge=1)]
    anchor_supply: Literal["all", "any", "off"]
    scale_verdicts: list[Verdict]
    scale_facts: dict[str, NonNeg]
    anchor_min_operators: NonNeg
    chain_start_anchor: bool
    co_producers_depth: bool


class BrokenRules(_Strict):
    """When a missing segment is broken (the local chain cut there)."""

    downstream_pipeline: bool
    upstream_pipeline: bool


Confidence = Literal["high", "medium", "low"]


class ConfidenceRules(_Strict):
    """How confident a status is, from the evidence behind it."""

    high_support: NonNeg
    high_min_items: Annotated[int, Field(ge=1)]
    medium_support: NonNeg
    grade_score: dict[Grade, Unit]

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.medium_support > self.high_support:
            raise ValueError("medium_support must not exceed high_support")
        return self


class GapRules(_Strict):
    """City-wide gap priority."""

    neighbour_bonus: NonNeg
    status_score: dict[Literal["broken", "missing", "weak"], NonNeg]
    confidence_factor: dict[Confidence, NonNeg]


def _weight(name: str, description: str) -> Any:
    """A weight field whose default is the active rules' value (read when validated)."""

    def factory() -> float:
        return float(getattr(active_rules().weights, name))

    return Field(default_factory=factory, description=description)


class Weights(_Strict):
    """Weights of the target-score components (user re-weightable).

    Missing fields take the active rules' values, so ``Weights.model_validate({"region": 0})``
    re-weights one component only. Score = sum(weight x component) / sum(weight).
    """

    evidence: NonNeg = _weight("evidence", "Evidence strength of the firm–segment link.")
    market: NonNeg = _weight("market", "Market position: 产能/产量/市场份额/全国排名/营业收入.")
    scale: NonNeg = _weight("scale", "Scale and rank tags (500强, 上市, 单项冠军 …).")
    proximity: NonNeg = _weight("proximity", "Distance from the city, neighbouring province, "
                                             "shared zone; focus regions a small bonus.")
    linkage: NonNeg = _weight("linkage", "Supplier or customer of local firms.")
    connectors: NonNeg = _weight("connectors", "Association, institute, 乡情, 在晋布局 ties.")
    pipeline: NonNeg = _weight("pipeline", "Already in contact (线索/对接).")
    chain_fit: NonNeg = _weight("chain_fit", "Also operates in the chain's other gaps.")

    @model_validator(mode="after")
    def _some_weight(self) -> Self:
        if sum(self.model_dump().values()) <= 0:
            raise ValueError("at least one weight must be positive")
        return self


class LinkageScores(_Strict):
    anchor: Unit
    adjacent: Unit
    other: Unit


class ConnectorScores(_Strict):
    shared_association: Unit
    covering_association: Unit
    institute: Unit
    hometown: Unit
    in_shanxi: Unit
    other_tie: Unit


class MarketRules(_Strict):
    metrics: dict[Literal["全国排名", "市场份额", "产能", "产量", "营业收入"], Unit]
    firm_revenue: Unit


TieBreak = Literal["evidence", "market", "scale", "proximity", "linkage", "connectors",
                   "pipeline", "chain_fit"]


class TargetRules(_Strict):
    """How each target component is computed."""

    weight_base: Unit
    product_match: Unit
    unlisted_product: Unit
    noise: NonNeg
    tie_break: list[TieBreak]
    excluded_status: list[str]
    grade_score: dict[Grade, Unit]
    tag_score: dict[str, Unit]
    linkage: LinkageScores
    connectors: ConnectorScores
    market: MarketRules


class ProximityRules(_Strict):
    """Proximity of a firm's home to the city (see :mod:`graph.analysis.place`)."""

    half_km: Annotated[float, Field(gt=0)]
    same_province: Unit
    neighbour_province: Unit
    zone: Unit
    focus_bonus: Unit


class ExtensionRules(_Strict):
    """Relatedness signals for extension (延链) candidates."""

    min_relatedness: NonNeg
    feeds: NonNeg
    shared_chain: NonNeg
    products: NonNeg
    institute: NonNeg
    association: NonNeg


class Rules(_Strict):
    """All analysis rules, with their version (reported in every result)."""

    version: str
    presence: Presence
    status: StatusRules
    broken: BrokenRules
    confidence: ConfidenceRules
    gaps: GapRules
    weights: Weights
    targets: TargetRules
    proximity: ProximityRules
    extension: ExtensionRules


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise InvalidInput(f"{path}: rules file not found",
                           details=[{"file": str(path), "field": ""}]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path}: {exc}", details=[{"file": str(path), "field": ""}]) from exc


def rules_from_dict(data: dict[str, Any], *, origin: str = "<rules>") -> Rules:
    """Rules from a (possibly partial) mapping laid over the shipped defaults."""
    merged = _merge(_read(DEFAULT_RULES_FILE), data)
    try:
        return Rules.model_validate(merged)
    except ValidationError as exc:
        details = [{"file": origin, "field": ".".join(str(p) for p in e["loc"]),
                    "message": e["msg"]} for e in exc.errors()]
        msg = "; ".join(f"{origin}: {d['field']}: {d['message']}" for d in details)
        raise InvalidInput(msg, details=details) from exc


def load_rules(path: Path | None = None) -> Rules:
    """Rules from ``path`` (a TOML file, partial allowed) over the shipped defaults."""
    if path is None or path.resolve() == DEFAULT_RULES_FILE.resolve():
        return default_rules()
    st = path.stat() if path.exists() else None
    return _load_cached(path.resolve(), (st.st_mtime_ns, st.st_size) if st else (0, 0))


@lru_cache(maxsize=8)
def _load_cached(path: Path, stamp: tuple[int, int]) -> Rules:
    """Rules of ``path``; ``stamp`` (mtime, size) makes an edited file load again."""
    return rules_from_dict(_read(path), origin=str(path))


@lru_cache(maxsize=1)
def default_rules() -> Rules:
    """The shipped rules (``graph/analysis/rules.toml``)."""
    return rules_from_dict({}, origin=str(DEFAULT_RULES_FILE))


def active_rules() -> Rules:
    """The rules in force: ``ATLAS_RULES_FILE`` if set, else the shipped defaults."""
    from graph.settings import get_settings

    return load_rules(get_settings().rules_file)
