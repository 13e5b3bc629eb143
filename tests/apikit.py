"""Helpers for the API tests: the API fixture atlas and clients over real stores."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from graph.loader import load_files, seed_files
from graph.model import Atlas
from graph.service import AtlasService
from graph.settings import Settings
from graph.store.embedded import EmbeddedStore
from tests.conftest import API_KEY, FIXTURES, MINI

EXTRA = FIXTURES / "api" / "extra.yaml"
WRITE = {"X-API-Key": API_KEY}


def api_atlas() -> Atlas:
    """The mini atlas plus ``tests/fixtures/api/extra.yaml`` (orgs, a project, 正威)."""
    return load_files([*seed_files(MINI), EXTRA], base=FIXTURES)


@contextmanager
def client_for(tmp_path: Path, atlas: Atlas | None = None, **settings: Any
               ) -> Iterator[TestClient]:
    """A TestClient over a fresh embedded store in ``tmp_path`` holding ``atlas``
    (default: :func:`api_atlas`); ``settings`` override the test settings."""
    conf = Settings(**{"data_dir": tmp_path / "data", "seeds_dir": MINI,
                       "api_keys": [API_KEY], **settings})
    store = EmbeddedStore(conf.db_path)
    store.replace_all(atlas if atlas is not None else api_atlas())
    with TestClient(create_app(conf, AtlasService(store))) as c:
        yield c
