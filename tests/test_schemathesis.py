"""Property-based fuzzing of the whole OpenAPI document (schemathesis), in process against
the ASGI app over a real embedded store: no input may yield a server error, and every
response must match the documented status codes and schemas.

Bounded for CI: ``ATLAS_FUZZ_EXAMPLES`` examples per operation (default 12), derandomised
so a run is reproducible; raise it locally for a deeper run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis import checks

from api.app import create_app
from graph.service import AtlasService
from graph.settings import Settings
from graph.store.embedded import EmbeddedStore
from tests.apikit import api_atlas
from tests.conftest import API_KEY, MINI

EXAMPLES = int(os.environ.get("ATLAS_FUZZ_EXAMPLES", "12"))


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    conf = Settings(data_dir=tmp_path_factory.mktemp("fuzz"), seeds_dir=MINI,
                    api_keys=[API_KEY], max_body_bytes=100_000)
    store = EmbeddedStore(conf.db_path)
    store.replace_all(api_atlas())
    yield create_app(conf, AtlasService(store))
    store.close()


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


schema = schemathesis.pytest.from_fixture("fuzz_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: Any) -> None:
    response = case.call(headers={"X-API-Key": API_KEY})
    assert response.status_code < 500, (case.method, case.formatted_path, response.text)
    case.validate_response(response, checks=[
        checks.not_a_server_error, checks.status_code_conformance,
        checks.content_type_conformance, checks.response_schema_conformance])


def test_fuzzing_covers_every_operation(fuzz_app: FastAPI, tmp_path: Path) -> None:
    ops = [(m, p) for p, item in fuzz_app.openapi()["paths"].items() for m in item]
    loaded = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    assert len(list(loaded.get_all_operations())) == len(ops) > 60
