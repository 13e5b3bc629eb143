"""Request-body examples for the OpenAPI document (one per entity and relation kind).

Placeholders only (``示例``): they show the shape of a body, never a real firm. The
generic write routes (``api/routes/writes.py``) cover exactly the kinds listed here.
``tests/test_api_openapi.py`` checks that each one validates against its model.
"""

from __future__ import annotations

from typing import Any

from fastapi.openapi.models import Example

SRC_PUBLIC: dict[str, Any] = {"public": "示例：公开信息说明", "as_of": "2026-11-01",
                              "grade": "medium"}
SRC_DOC: dict[str, Any] = {"doc": "000_9e01950a286166cc.txt",
                           "quote": "打造煤-苯-己内酰胺/己二酸-尼龙 6/尼龙 66 材料产业链"}

ENTITY_EXAMPLES: dict[str, dict[str, Any]] = {
    "chain": {"id": "ch.example", "name": "示例产业链", "cluster": "示例集群",
              "description": "示例", "tags": [], "src": SRC_DOC},
    "segment": {"id": "seg.example.part", "name": "示例环节", "stage": "midstream",
                "chains": ["ch.example"], "key_products": ["示例产品"], "weight": 1.0,
                "src": SRC_PUBLIC},
    "company": {"id": "co.example-firm", "name": "示例材料有限公司", "aliases": ["示例材料"],
                "role": "target", "province": "山东省", "city": "德州市", "tags": ["上市"],
                "figures": [{"name": "产能", "value": 30, "unit": "万吨/年", "year": 2024}],
                "src": SRC_PUBLIC},
    "institute": {"id": "inst.example", "name": "示例研究院", "kind": "科研院所",
                  "province": "山西省", "city": "太原市", "src": SRC_PUBLIC},
    "association": {"id": "assoc.example", "name": "示例行业协会", "kind": "协会",
                    "scope": "全国", "src": SRC_PUBLIC},
    "county": {"id": "county.example", "name": "示例县", "lat": 35.0, "lon": 111.0,
               "lead_industries": ["示例产业"], "src": SRC_PUBLIC},
    "park": {"id": "park.example-kfq", "name": "示例经济开发区", "county": "county.hejin",
             "kind": "开发区", "level": "省级", "lat": 35.6, "lon": 110.7, "src": SRC_PUBLIC},
    "project": {"id": "proj.example", "name": "示例年产10万吨项目", "investor": "示例投资方",
                "segments": [], "county": "county.hejin", "amount": 12.5, "stage": "对接",
                "stage_date": "2026-11-01", "src": SRC_PUBLIC},
    "product": {"id": "prod.example", "name": "示例产品", "aliases": ["示例"],
                "src": SRC_PUBLIC},
    "fact": {"id": "fact.example-capacity", "segment": "seg.example.part",
             "county": "county.hejin", "metric": "产能", "value": 100, "unit": "万吨/年",
             "year": 2024, "change": "在建", "src": SRC_PUBLIC},
    "assessment": {"id": "assess.example-gap", "segment": "seg.example.part", "verdict": "空白",
                   "src": SRC_DOC},
}

RELATION_EXAMPLES: dict[str, dict[str, Any]] = {
    "feeds": {"source": "seg.example.a", "target": "seg.example.b", "chain": "ch.example",
              "src": SRC_PUBLIC},
    "operates": {"company": "co.example-firm", "segment": "seg.example.part", "weight": 0.5,
                 "products": ["示例产品"], "evidence": "示例", "src": SRC_PUBLIC},
    "supplies": {"supplier": "co.example-a", "customer": "co.example-b", "product": "示例产品",
                 "src": SRC_PUBLIC},
    "uses": {"company": "co.example-b", "segment": "seg.example.part", "product": "示例产品",
             "src": SRC_PUBLIC},
    "supports": {"institute": "inst.example", "segment": "seg.example.part", "note": "示例",
                 "src": SRC_PUBLIC},
    "covers": {"association": "assoc.example", "segment": "seg.example.part",
               "src": SRC_PUBLIC},
    "member_of": {"company": "co.example-firm", "association": "assoc.example",
                  "src": SRC_PUBLIC},
    "cooperates": {"company": "co.example-firm", "institute": "inst.example", "note": "示例",
                   "src": SRC_PUBLIC},
    "makes": {"company": "co.example-firm", "product": "prod.example", "weight": 0.4,
              "src": SRC_PUBLIC},
    "product_feeds": {"source": "prod.example-a", "target": "prod.example-b",
                      "src": SRC_PUBLIC},
    "subtype_of": {"product": "prod.example-a", "parent": "prod.example", "src": SRC_PUBLIC},
    "maps_to": {"product": "prod.example", "segment": "seg.example.part", "term": "示例产品",
                "match": "exact", "score": 100.0, "src": SRC_PUBLIC},
    "co_produces": {"source": "seg.example.a", "target": "seg.example.b", "src": SRC_PUBLIC},
}


def body_examples(example: dict[str, Any], summary: str) -> dict[str, Example]:
    """``openapi_examples`` for a request body."""
    return {"example": Example(summary=summary, value=example)}


def ex(value: Any, summary: str = "示例") -> dict[str, Example]:
    """``openapi_examples`` for a query, path or header parameter (the form Swagger UI
    shows in its example menu; a parameter's plain ``examples`` list is not shown)."""
    return {"example": Example(summary=summary, value=value)}
