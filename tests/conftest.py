"""Shared fixtures: the mini seed atlas, real embedded stores in tmp dirs, an API client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.loader import load_seeds
from graph.model import Atlas
from graph.service import AtlasService
from graph.settings import REPO_ROOT, Settings
from graph.store.embedded import EmbeddedStore

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"
SEEDS = REPO_ROOT / "seeds"
SOURCES = REPO_ROOT.parent / "shared" / "seeds"
EXTERNAL = REPO_ROOT.parent / "shared" / "external"
API_KEY = "test-write-key"


@pytest.fixture(scope="session")
def mini_atlas() -> Atlas:
    return load_seeds(MINI)


@pytest.fixture(scope="session")
def seed_atlas() -> Atlas:
    """The real Yuncheng atlas (quotes verified when the documents are present)."""
    return load_seeds(SEEDS, sources_dir=SOURCES if SOURCES.is_dir() else None)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    s = EmbeddedStore(tmp_path / "atlas.sqlite")
    yield s
    s.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", seeds_dir=MINI, sources_dir=SOURCES,
                    api_keys=[API_KEY])


@pytest.fixture
def mini_client(settings: Settings, mini_atlas: Atlas) -> Iterator[TestClient]:
    """An API client over a real embedded store holding the mini atlas."""
    store = EmbeddedStore(settings.db_path)
    store.replace_all(mini_atlas)
    app = create_app(settings, AtlasService(store))
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def seed_client(tmp_path_factory: pytest.TempPathFactory, seed_atlas: Atlas
                ) -> Iterator[TestClient]:
    """An API client over a real embedded store holding the real seed atlas (read-only use)."""
    d = tmp_path_factory.mktemp("seed")
    settings = Settings(data_dir=d, seeds_dir=SEEDS, sources_dir=SOURCES, api_keys=[API_KEY])
    store = EmbeddedStore(settings.db_path)
    store.replace_all(seed_atlas)
    with TestClient(create_app(settings, AtlasService(store))) as c:
        yield c
