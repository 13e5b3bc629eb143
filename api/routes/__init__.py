"""Routers of the API, one module per resource area.

Every module here that defines ``router`` (an ``APIRouter``) is mounted under
``/api/v1``; a module that defines ``page_router`` is mounted at the root (HTML
pages such as ``/maps/...`` and ``/docs``). Modules are mounted in name order.
"""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter


def _modules() -> list[object]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__))
    return [importlib.import_module(f"{__name__}.{n}") for n in names]


def routers() -> list[APIRouter]:
    """The ``router`` of every route module."""
    return [r for m in _modules() if isinstance(r := getattr(m, "router", None), APIRouter)]


def page_routers() -> list[APIRouter]:
    """The ``page_router`` of every route module."""
    return [r for m in _modules()
            if isinstance(r := getattr(m, "page_router", None), APIRouter)]


def public_routers() -> list[APIRouter]:
    """The ``public_router`` of every route module (no read requirement: login, logout)."""
    return [r for m in _modules()
            if isinstance(r := getattr(m, "public_router", None), APIRouter)]
