"""docker-compose.yml, Dockerfile and .dockerignore: the promises the README makes
about them (pinned images, healthchecks, a volume, env-only configuration, no
shipped secret). These machines have no Docker engine, so the files are checked
as data here; `docker compose config` would be the next check where one exists."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from graph.settings import REPO_ROOT, Settings

PINNED = re.compile(r"^[\w./-]+:\d+\.\d+(\.\d+)?[\w.-]*$")
REFERENCE = re.compile(r"^\$\{[A-Z0-9_]+(:\?[^}]+|:-)\}$")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    return data


def test_neo4j_is_pinned_healthchecked_and_on_a_volume(compose: dict[str, Any]) -> None:
    neo = compose["services"]["neo4j"]
    assert PINNED.match(neo["image"]) and neo["image"].startswith("neo4j:5.")
    assert "cypher-shell" in " ".join(neo["healthcheck"]["test"])
    data_mounts = [v for v in neo["volumes"] if v.endswith(":/data")]
    assert data_mounts and data_mounts[0].split(":")[0] in compose["volumes"]
    assert all(p.startswith("127.0.0.1:") for p in neo["ports"])


def test_api_is_built_here_and_configured_by_env(compose: dict[str, Any]) -> None:
    api = compose["services"]["api"]
    assert api["build"] == "."
    assert (REPO_ROOT / "Dockerfile").is_file()
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    env = api["environment"]
    assert env["ATLAS_STORE"] == "neo4j"
    assert env["ATLAS_NEO4J_URI"] == "bolt://neo4j:7687"
    known = {f"ATLAS_{name.upper()}" for name in Settings.model_fields}
    assert set(env) <= known, "every variable is a setting of graph/settings.py"


def test_no_secret_is_shipped(compose: dict[str, Any]) -> None:
    for name, svc in compose["services"].items():
        for key, value in svc.get("environment", {}).items():
            if re.search(r"PASSWORD|KEYS|SECRET", key):
                assert REFERENCE.match(str(value)), f"{name}.{key} must come from the env"
        auth = svc.get("environment", {}).get("NEO4J_AUTH")
        if auth is not None:
            assert auth == "neo4j/${ATLAS_NEO4J_PASSWORD:?set ATLAS_NEO4J_PASSWORD}"
    docker = (REPO_ROOT / "Dockerfile").read_text()
    assert not re.search(r"(PASSWORD|API_KEYS|SECRET)\s*=", docker)
    assert not (REPO_ROOT / ".env").exists()


def test_image_is_pinned_and_small(compose: dict[str, Any]) -> None:
    docker = (REPO_ROOT / "Dockerfile").read_text()
    base = re.search(r"^FROM (\S+)", docker, re.M)
    assert base and PINNED.match(base.group(1))
    assert "USER " in docker and "HEALTHCHECK" in docker
    ignored = (REPO_ROOT / ".dockerignore").read_text().split()
    assert {"data", ".git", "tests", ".env"} <= set(ignored)
