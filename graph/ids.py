"""Stable identifiers.

Rule: a company's id is its unified social credit code (18 characters) or its
stock code (``600309.SH``, ``000792.SZ``, ``430047.BJ``, ``00700.HK``) where known,
otherwise ``co.`` plus a readable slug. Every other entity's id is a kind prefix
plus a slug: ``ch.nylon``, ``seg.nylon.caprolactam``, ``inst.tyut``. Ids are unique
across kinds, so an id alone names an entity. Display names are never keys.

>>> check_id("company", "600426.SH")
'600426.SH'
>>> check_id("chain", "nylon")
Traceback (most recent call last):
...
ValueError: chain id must look like 'ch.<slug>' (lowercase a-z, 0-9, '.', '-', '_'), got 'nylon'
"""

from __future__ import annotations

import re

PREFIX: dict[str, str] = {
    "chain": "ch",
    "segment": "seg",
    "company": "co",
    "institute": "inst",
    "association": "assoc",
    "county": "county",
    "park": "park",
    "project": "proj",
    "product": "prod",
    "campaign": "camp",
    "fact": "fact",
    "assessment": "assess",
}

SLUG = r"[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?"
STOCK_CODE = re.compile(r"^(\d{6}\.(SH|SZ|BJ)|\d{5}\.HK|[A-Z]{1,5}\.(US|N|O))$")
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def check_id(kind: str, value: str) -> str:
    """Return ``value`` if it is a valid id for ``kind``; raise ``ValueError`` otherwise."""
    if kind == "company" and (STOCK_CODE.match(value) or CREDIT_CODE.match(value)):
        return value
    prefix = PREFIX.get(kind)
    if prefix is None:
        return value
    if re.fullmatch(rf"{re.escape(prefix)}\.{SLUG}", value):
        return value
    extra = ", a stock code or a credit code" if kind == "company" else ""
    raise ValueError(
        f"{kind} id must look like '{prefix}.<slug>' (lowercase a-z, 0-9, '.', '-', '_'){extra}, "
        f"got {value!r}"
    )
