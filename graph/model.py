"""Typed atlas model (pydantic v2, strict: unknown fields are rejected).

Entities carry a stable ``id`` (see :mod:`graph.ids`), a display ``name`` with
``aliases`` (searchable, never keys) and a :class:`Source` (provenance).
Relations are separate models with their own provenance. :class:`Atlas` holds a
whole validated atlas; analysis functions take an ``Atlas`` and nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from functools import cache
from types import UnionType
from typing import Annotated, Any, ClassVar, Literal, Self, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from graph.ids import check_id

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters no text field may hold (tab, LF and CR are allowed): they cannot be
written to an Excel workbook or shown to an officer."""


def _no_control(v: Any) -> Any:
    if isinstance(v, str):
        hit = CONTROL_CHARS.search(v)
        if hit:
            raise ValueError(f"含控制字符 U+{ord(hit.group()):04X}（位置 {hit.start()}），"
                             "请删除后重试 (control_character)")
    elif isinstance(v, list):
        for x in v:
            if isinstance(x, str):
                _no_control(x)
    return v


def _scalar_types(annotation: Any) -> frozenset[type]:
    """The plain types a field annotation admits (Annotated, Optional and unions unwrapped;
    containers are left out)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _scalar_types(get_args(annotation)[0])
    if origin in (Union, UnionType):
        out: frozenset[type] = frozenset()
        for arg in get_args(annotation):
            out |= _scalar_types(arg)
        return out
    return frozenset({annotation}) if isinstance(annotation, type) else frozenset()


@cache
def _field_types(cls: type[BaseModel], name: str) -> frozenset[type]:
    return _scalar_types(cls.model_fields[name].annotation)


class Strict(BaseModel):
    """Base for every model: unknown fields are errors; no loose coercion is stored
    silently: a boolean is never a number (``lon: false`` is refused, not 0.0) and a
    number is never a date (``as_of: 0`` is refused, not 1970-01-01); and no text field
    (nor a list of texts) may hold a control character other than tab, LF or CR."""

    model_config = ConfigDict(extra="forbid", frozen=False, validate_assignment=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_loose_coercion(cls, v: Any, info: ValidationInfo) -> Any:
        if info.field_name is None or not isinstance(v, bool | int | float):
            return v
        types = _field_types(cls, info.field_name)
        if isinstance(v, bool) and types & {int, float} and bool not in types:
            raise ValueError("expected a number, not true/false")
        if not isinstance(v, bool) and types & {dt.date, dt.datetime} and not types & {int, float}:
            raise ValueError("expected a date (YYYY-MM-DD), not a number")
        return v

    @field_validator("*", mode="after")
    @classmethod
    def _text_clean(cls, v: Any) -> Any:
        return _no_control(v)


class Grade(StrEnum):
    """Evidence grade of a fact."""

    strong = "strong"
    medium = "medium"
    weak = "weak"


class Stage(StrEnum):
    """Position of a segment along its chain."""

    upstream = "upstream"
    midstream = "midstream"
    downstream = "downstream"


class Role(StrEnum):
    """A company's role in the atlas: local anchor (链主/龙头), other local firm, outside target."""

    anchor = "anchor"
    local = "local"
    target = "target"


class ProjectStage(StrEnum):
    """Project lifecycle stage (项目四库 closed loop)."""

    lead = "线索"
    contact = "对接"
    signed = "签约"
    started = "开工"
    producing = "投产"
    effective = "达效"
    terminated = "终止"


PROJECT_STAGE_ORDER: tuple[ProjectStage, ...] = (
    ProjectStage.lead,
    ProjectStage.contact,
    ProjectStage.signed,
    ProjectStage.started,
    ProjectStage.producing,
    ProjectStage.effective,
)

SourceKind = Literal["document", "dataset", "public"]


class Source(Strict):
    """Provenance of a fact.

    Exactly one of ``doc`` (a seed document file name, with ``quote``: a short
    passage that locates the fact in it), ``dataset`` (an external dataset, with
    the record ``key``) or ``public`` (public knowledge, the value is a note
    saying what is known) is given. ``as_of`` defaults to the document's date
    when the loader knows it; ``grade`` defaults to strong for documents and
    medium otherwise.
    """

    doc: str | None = None
    quote: str | None = None
    dataset: str | None = None
    key: str | None = None
    public: str | None = None
    as_of: dt.date | None = None
    grade: Grade | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        given = [k for k in ("doc", "dataset", "public") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("give exactly one of doc, dataset, public")
        if self.doc and not (self.quote and self.quote.strip()):
            raise ValueError("a doc source needs a locating quote")
        if self.dataset and not self.key:
            raise ValueError("a dataset source needs the record key")
        if self.grade is None:
            self.grade = Grade.strong if self.doc else Grade.medium
        return self

    @property
    def kind(self) -> SourceKind:
        if self.doc:
            return "document"
        return "dataset" if self.dataset else "public"


def _no_blank(v: str) -> str:
    if not v.strip():
        raise ValueError("must not be blank")
    return v.strip()


class Entity(Strict):
    """Common fields of every entity."""

    KIND: ClassVar[str] = "entity"
    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    src: Source

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _no_blank(v)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        return check_id(cls.KIND, v)


class Chain(Entity):
    """An industry chain or cluster (产业链/产业集群). ``parent`` nests sub-chains."""

    KIND: ClassVar[str] = "chain"
    cluster: str
    parent: str | None = None
    description: str = ""
    tags: list[str] = Field(default_factory=list)


class Segment(Entity):
    """A link (环节) of one or more chains, with the products made there."""

    KIND: ClassVar[str] = "segment"
    stage: Stage
    chains: list[str] = Field(min_length=1)
    key_products: list[str] = Field(default_factory=list)
    weight: Annotated[float, Field(gt=0, le=10)] = 1.0
    description: str = ""


class Figure(Strict):
    """A quantitative fact about a firm (output, capacity, revenue)."""

    name: str
    value: float
    unit: str
    year: int | None = None
    product: str | None = None
    src: Source | None = None


class Tie(Strict):
    """A connector that can open a firm's door: 乡情 (hometown: a 运城-born founder or 运商),
    alumni, prior cooperation, investment, 在晋布局 (a group company already in Shanxi)."""

    kind: Literal["乡情", "校友", "合作", "投资", "在晋布局", "其他"]
    note: str
    county: str | None = None
    src: Source | None = None


Tag = Literal[
    "世界500强", "中国500强", "民营500强", "制造业500强", "上市", "央企", "国企", "外资",
    "专精特新", "小巨人", "单项冠军", "高新", "规上", "龙头", "链主", "独角兽",
]


CompanyStatus = Literal["在营", "ST", "破产重整", "退市", "注销"]
"""Business status when known (listing risk warnings, bankruptcy, delisting)."""


InferredAttr = Literal["county", "park", "name", "segments", "role", "tags"]
"""Company attributes whose value may have been inferred rather than read in a source."""


class Company(Entity):
    """A firm. Local firms (anchor/local) have a county and optionally a park;
    outside firms (target) have a home province and city. ``inferred`` lists the
    attributes whose value was inferred (e.g. a county guessed from a project's place, a
    segment guessed from the name) rather than read in a source; they weigh less in the
    diagnosis."""

    KIND: ClassVar[str] = "company"
    role: Role
    county: str | None = None
    park: str | None = None
    province: str | None = None
    city: str | None = None
    tags: list[Tag] = Field(default_factory=list)
    stock_code: str | None = None
    credit_code: str | None = None
    figures: list[Figure] = Field(default_factory=list)
    ties: list[Tie] = Field(default_factory=list)
    status: CompanyStatus | None = None
    inferred: list[InferredAttr] = Field(default_factory=list)
    description: str = ""

    @model_validator(mode="after")
    def _place(self) -> Self:
        if self.role is not Role.target and not self.county:
            raise ValueError("a local or anchor firm needs its county")
        if len(set(self.inferred)) != len(self.inferred):
            raise ValueError("inferred lists an attribute twice")
        for attr in ("county", "park"):
            if attr in self.inferred and getattr(self, attr) is None:
                raise ValueError(f"inferred names {attr}, which is not set")
        return self


class Institute(Entity):
    """University, research institute, platform or laboratory."""

    KIND: ClassVar[str] = "institute"
    kind: Literal["高校", "科研院所", "平台", "实验室", "企业研发中心", "其他"]
    province: str | None = None
    city: str | None = None
    description: str = ""


class Association(Entity):
    """Chamber of commerce, industry association, alliance or society (商协会/联盟/学会)."""

    KIND: ClassVar[str] = "association"
    kind: Literal["商会", "协会", "联盟", "学会", "其他"]
    scope: str = ""
    description: str = ""


class County(Entity):
    """A county-level division of Yuncheng (县/市/区)."""

    KIND: ClassVar[str] = "county"
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
    lead_industries: list[str] = Field(default_factory=list)


class Park(Entity):
    """A development zone (开发区) or agricultural demonstration zone."""

    KIND: ClassVar[str] = "park"
    county: str
    kind: Literal["开发区", "农业示范区", "产业园", "其他"] = "开发区"
    level: Literal["国家级", "省级", "市级", "其他"] = "省级"
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
    lead_industries: list[str] = Field(default_factory=list)


FactChange = Literal["新增", "淘汰", "在建"]
"""A capacity built (新增), cut (淘汰) or under construction (在建)."""


def _fmt(value: float) -> str:
    return f"{value:g}"


class Fact(Entity):
    """Evidence without a named firm: a capacity, output or count documented for a place
    (the whole city, a county or a park) on a segment, e.g. 临猗 冷库 1576座 (2024).

    ``change`` marks capacity built (新增), cut (淘汰) or under construction (在建).
    ``name`` defaults to ``metric value unit``, e.g. ``冷库 1576座``.

    >>> Fact(id="fact.x", segment="seg.x", metric="冷库", value=1576, unit="座",
    ...      src=Source(public="例")).name
    '冷库 1576座'
    """

    KIND: ClassVar[str] = "fact"
    name: str = Field(default="", description="Display name; defaults to 'metric value unit'.")
    segment: str
    county: str | None = None
    park: str | None = None
    metric: str
    value: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    unit: str
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    change: FactChange | None = None
    description: str = ""

    @model_validator(mode="before")
    @classmethod
    def _default_name(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("name"):
            value = data.get("value")
            shown = _fmt(value) if isinstance(value, int | float) else value
            data = {**data, "name": f"{data.get('metric', '')} {shown}{data.get('unit', '')}"}
        return data

    @field_validator("metric", "unit")
    @classmethod
    def _filled(cls, v: str) -> str:
        return _no_blank(v)


GAP_VERDICTS: tuple[str, ...] = ("空白", "缺失", "短板", "薄弱", "卡脖子", "配套率低", "依赖外地")
STRENGTH_VERDICTS: tuple[str, ...] = ("优势", "龙头", "链主", "超过百亿")
Verdict = Literal["空白", "缺失", "短板", "薄弱", "卡脖子", "配套率低", "依赖外地",
                  "优势", "龙头", "链主", "超过百亿"]


class Assessment(Entity):
    """The city's own judgement of a segment, as a document states it: a gap (空白 缺失 短板
    薄弱 卡脖子 配套率低 依赖外地) or a strength (优势 龙头 链主 超过百亿), city-wide or for a
    county (or park). ``name`` defaults to the verdict.

    >>> Assessment(id="assess.x", segment="seg.x", verdict="空白",
    ...            src=Source(public="例")).verdict_class
    'gap'
    """

    KIND: ClassVar[str] = "assessment"
    name: str = Field(default="", description="Display name; defaults to the verdict.")
    segment: str
    county: str | None = None
    park: str | None = None
    verdict: Verdict
    description: str = ""

    @model_validator(mode="before")
    @classmethod
    def _default_name(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("name"):
            data = {**data, "name": str(data.get("verdict", ""))}
        return data

    @property
    def verdict_class(self) -> Literal["gap", "strength"]:
        """``gap`` for 空白…依赖外地, ``strength`` for 优势 龙头 链主 超过百亿."""
        return "strength" if self.verdict in STRENGTH_VERDICTS else "gap"


class StageChange(Strict):
    """One recorded stage transition of a project: when, who, why."""

    from_stage: ProjectStage | None = None
    to_stage: ProjectStage
    at: dt.date
    by: str
    reason: str = ""
    date_known: bool = True
    """False for the 初始登记 entry of a project whose stage date was never given: ``at``
    is then only the source's date, not when the project entered the stage."""


class Project(Entity):
    """An investment project moving through the pipeline.

    ``ledger_no`` is the city's own project number (项目编号 in its 台账, e.g.
    ``XM-2026-001``); ``id`` stays the stable internal id. ``rev`` counts the project's
    writes through the pipeline (compare-and-set: a write based on an older ``rev`` is
    refused)."""

    KIND: ClassVar[str] = "project"
    ledger_no: str | None = None
    rev: Annotated[int, Field(ge=0)] = 0
    investor: str
    investor_id: str | None = None
    segments: list[str] = Field(default_factory=list)
    county: str | None = None
    park: str | None = None
    amount: Annotated[float, Field(ge=0)] | None = None
    stage: ProjectStage
    stage_date: dt.date | None = None
    team: str | None = None
    history: list[StageChange] = Field(default_factory=list)
    description: str = ""


class Product(Entity):
    """A product of an external product graph (e.g. ChainKnowledgeGraph); id ``prod.<hash>``
    of its normalised name (see :func:`graph.importers.ckg.product_id`)."""

    KIND: ClassVar[str] = "product"


class CampaignTarget(Strict):
    """A target firm of a campaign, with its contact status and next step."""

    company: str
    status: Literal["未接触", "已接触", "洽谈中", "已签约", "已放弃"] = "未接触"
    next_step: str = ""
    due: dt.date | None = None
    owner: str = ""


class Baseline(Strict):
    """The chain as it stood when a campaign began (for its report)."""

    completeness: float
    statuses: dict[str, str] = Field(default_factory=dict)


class Campaign(Entity):
    """A chain-filling campaign (补链/延链/强链) run by a team (招商专班 or 小分队)."""

    KIND: ClassVar[str] = "campaign"
    rev: Annotated[int, Field(ge=0)] = 0
    team: str
    team_kind: Literal["专班", "小分队"] = "专班"
    chain: str
    county: str | None = None
    segments: list[str] = Field(default_factory=list)
    targets: list[CampaignTarget] = Field(default_factory=list)
    connectors: list[str] = Field(default_factory=list)
    projects: list[str] = Field(default_factory=list)
    started_on: dt.date
    baseline: Baseline | None = None
    description: str = ""


ENTITY_TYPES: dict[str, type[Entity]] = {
    t.KIND: t
    for t in (Chain, Segment, Company, Institute, Association, County, Park, Project, Product,
              Campaign, Fact, Assessment)
}


# --- relations -----------------------------------------------------------------------


class Relation(Strict):
    """Common fields of every relation: its provenance."""

    KIND: ClassVar[str] = "relation"
    src: Source


class Feeds(Relation):
    """Segment ``source`` feeds segment ``target`` within ``chain`` (supply flows source→target)."""

    KIND: ClassVar[str] = "feeds"
    source: str
    target: str
    chain: str


class Operates(Relation):
    """Company operates in segment; ``weight`` in (0, 1] is the share of its business there."""

    KIND: ClassVar[str] = "operates"
    company: str
    segment: str
    weight: Annotated[float, Field(gt=0, le=1)] = 1.0
    products: list[str] = Field(default_factory=list)
    evidence: str = ""
    inferred: bool = Field(default=False, description="The link was inferred (e.g. from the "
                           "firm's name), not read in a source; it weighs less.")


class CoProduces(Relation):
    """Every plant of segment ``source`` also yields segment ``target`` (a co-product, e.g.
    焦化 → 粗苯, 焦化 → 煤焦油): where ``source`` is present, ``target`` is produced too."""

    KIND: ClassVar[str] = "co_produces"
    source: str
    target: str

    @model_validator(mode="after")
    def _not_self(self) -> Self:
        if self.source == self.target:
            raise ValueError("a segment does not co-produce itself")
        return self


class Supplies(Relation):
    """Company ``supplier`` supplies company ``customer``."""

    KIND: ClassVar[str] = "supplies"
    supplier: str
    customer: str
    product: str = ""


class Uses(Relation):
    """Company ``company`` uses the product of segment ``segment`` (a customer lead, not a
    producer): e.g. a fabric maker using 尼龙66切片."""

    KIND: ClassVar[str] = "uses"
    company: str
    segment: str
    product: str = ""


class Supports(Relation):
    """Institute supports segment (research, talent, platform)."""

    KIND: ClassVar[str] = "supports"
    institute: str
    segment: str
    note: str = ""


class Covers(Relation):
    """Association covers segment."""

    KIND: ClassVar[str] = "covers"
    association: str
    segment: str


class MemberOf(Relation):
    """Company is a member of association."""

    KIND: ClassVar[str] = "member_of"
    company: str
    association: str


class Cooperates(Relation):
    """Company cooperates with institute (an institute tie, usable as a connector)."""

    KIND: ClassVar[str] = "cooperates"
    company: str
    institute: str
    note: str = ""


class Makes(Relation):
    """Company makes product (主营产品); ``weight`` is its revenue share when known."""

    KIND: ClassVar[str] = "makes"
    company: str
    product: str
    weight: Annotated[float, Field(gt=0, le=1)] | None = None
    evidence: str = ""


class ProductFeeds(Relation):
    """Product ``source`` is a material of product ``target`` (supply flows source→target)."""

    KIND: ClassVar[str] = "product_feeds"
    source: str
    target: str


class SubtypeOf(Relation):
    """Product ``product`` is a sub-type (产品小类) of product ``parent``."""

    KIND: ClassVar[str] = "subtype_of"
    product: str
    parent: str


class MapsTo(Relation):
    """Product ``product`` belongs to segment ``segment`` (a reviewed name mapping);
    ``match`` is how the name was matched and ``term`` the segment term it matched."""

    KIND: ClassVar[str] = "maps_to"
    product: str
    segment: str
    term: str = ""
    match: Literal["exact", "alias", "fuzzy", "manual"] = "exact"
    score: Annotated[float, Field(ge=0, le=100)] = 100.0


RELATION_TYPES: dict[str, type[Relation]] = {
    t.KIND: t
    for t in (Feeds, Operates, Supplies, Uses, Supports, Covers, MemberOf, Cooperates,
              Makes, ProductFeeds, SubtypeOf, MapsTo, CoProduces)
}

# Which fields of each relation reference which entity kind (for validation and graph edges).
RELATION_ENDS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "feeds": (("source", "segment"), ("target", "segment")),
    "operates": (("company", "company"), ("segment", "segment")),
    "supplies": (("supplier", "company"), ("customer", "company")),
    "uses": (("company", "company"), ("segment", "segment")),
    "supports": (("institute", "institute"), ("segment", "segment")),
    "covers": (("association", "association"), ("segment", "segment")),
    "member_of": (("company", "company"), ("association", "association")),
    "cooperates": (("company", "company"), ("institute", "institute")),
    "makes": (("company", "company"), ("product", "product")),
    "product_feeds": (("source", "product"), ("target", "product")),
    "subtype_of": (("product", "product"), ("parent", "product")),
    "maps_to": (("product", "product"), ("segment", "segment")),
    "co_produces": (("source", "segment"), ("target", "segment")),
}


def relation_key(rel: Relation) -> tuple[str, str, str, str]:
    """Identity of a relation: (kind, from id, to id, qualifier). Two relations with
    the same key are duplicates."""
    kind = rel.KIND
    (a, _), (b, _) = RELATION_ENDS[kind]
    qual = getattr(rel, "chain", "") if kind == "feeds" else ""
    return kind, getattr(rel, a), getattr(rel, b), qual


class Atlas(BaseModel):
    """A whole validated atlas: entities by kind and id, relations by kind.

    Build one with :func:`graph.loader.load_seeds` or :meth:`from_parts`; analysis
    functions treat it as read-only.
    """

    model_config = ConfigDict(extra="forbid")

    chains: dict[str, Chain] = Field(default_factory=dict)
    segments: dict[str, Segment] = Field(default_factory=dict)
    companies: dict[str, Company] = Field(default_factory=dict)
    institutes: dict[str, Institute] = Field(default_factory=dict)
    associations: dict[str, Association] = Field(default_factory=dict)
    counties: dict[str, County] = Field(default_factory=dict)
    parks: dict[str, Park] = Field(default_factory=dict)
    projects: dict[str, Project] = Field(default_factory=dict)
    feeds: list[Feeds] = Field(default_factory=list)
    operates: list[Operates] = Field(default_factory=list)
    supplies: list[Supplies] = Field(default_factory=list)
    uses: list[Uses] = Field(default_factory=list)
    supports: list[Supports] = Field(default_factory=list)
    covers: list[Covers] = Field(default_factory=list)
    member_of: list[MemberOf] = Field(default_factory=list)
    cooperates: list[Cooperates] = Field(default_factory=list)
    products: dict[str, Product] = Field(default_factory=dict)
    makes: list[Makes] = Field(default_factory=list)
    product_feeds: list[ProductFeeds] = Field(default_factory=list)
    subtype_of: list[SubtypeOf] = Field(default_factory=list)
    maps_to: list[MapsTo] = Field(default_factory=list)
    campaigns: dict[str, Campaign] = Field(default_factory=dict)
    facts: dict[str, Fact] = Field(default_factory=dict)
    assessments: dict[str, Assessment] = Field(default_factory=dict)
    co_produces: list[CoProduces] = Field(default_factory=list)

    @classmethod
    def from_tables(cls, tables: dict[str, Any]) -> Atlas:
        """An atlas from already-validated tables (no re-validation)."""
        atlas = cls.model_construct()
        for name, value in tables.items():
            setattr(atlas, name, value)
        return atlas

    def entities(self, kind: str) -> dict[str, Entity]:
        """The entity table of ``kind`` (e.g. ``"company"``)."""
        return getattr(self, ENTITY_TABLE[kind])  # type: ignore[no-any-return]

    def relations(self, kind: str) -> list[Relation]:
        """The relation list of ``kind`` (e.g. ``"operates"``)."""
        return getattr(self, kind)  # type: ignore[no-any-return]

    def find(self, entity_id: str) -> Entity | None:
        """Any entity by id (ids are unique across kinds)."""
        for kind in ENTITY_TYPES:
            hit = self.entities(kind).get(entity_id)
            if hit is not None:
                return hit
        return None

    def counts(self) -> dict[str, int]:
        """Number of entities and relations of each kind."""
        out = {kind: len(self.entities(kind)) for kind in ENTITY_TYPES}
        out.update({kind: len(self.relations(kind)) for kind in RELATION_TYPES})
        return out

    def chain_segments(self, chain_id: str) -> list[Segment]:
        """Segments of a chain, in id order."""
        return sorted(
            (s for s in self.segments.values() if chain_id in s.chains), key=lambda s: s.id
        )

    def chain_feeds(self, chain_id: str) -> list[Feeds]:
        """Feeds edges of a chain."""
        return [f for f in self.feeds if f.chain == chain_id]


ENTITY_TABLE: dict[str, str] = {
    "chain": "chains",
    "segment": "segments",
    "company": "companies",
    "institute": "institutes",
    "association": "associations",
    "county": "counties",
    "park": "parks",
    "project": "projects",
    "product": "products",
    "campaign": "campaigns",
    "fact": "facts",
    "assessment": "assessments",
}
