"""CLI command modules. Each module defines ``register(app: typer.Typer) -> None``;
:mod:`graph.cli` calls every one, in name order."""

from __future__ import annotations

import importlib
import pkgutil

import typer


def register_all(app: typer.Typer) -> None:
    """Register the commands of every module in this package."""
    for name in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        module = importlib.import_module(f"{__name__}.{name}")
        module.register(app)
