"""All settings in one pydantic-settings class; environment prefix ``ATLAS_``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Chain Atlas settings. Every field can be set as ``ATLAS_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="ATLAS_", extra="ignore")

    data_dir: Path = Field(default=REPO_ROOT / "data",
                           description="Where the embedded store keeps atlas.sqlite.")
    seeds_dir: Path = Field(default=REPO_ROOT / "seeds", description="Seed YAML directory.")
    sources_dir: Path = Field(default=REPO_ROOT.parent / "shared" / "seeds",
                              description="Source documents; quotes are checked when present.")
    store: Literal["embedded", "neo4j"] = Field(default="embedded", description="Store backend.")
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Write keys: comma-separated; each plain or 'sha256:<hex>' (stored hashed).")
    read_open: bool = Field(default=True, description="Reads need no key when true.")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="CORS allowlist, comma-separated.")
    max_body_bytes: int = Field(default=1_000_000, description="Request-body size limit.")
    body_timeout_seconds: float = Field(
        default=15.0, gt=0, description="A request body must keep arriving within this (408).")
    neo4j_uri: str = Field(default="", description="Neo4j bolt URI.")
    neo4j_user: str = Field(default="neo4j", description="Neo4j user.")
    neo4j_password: str = Field(default="", description="Neo4j password (no default secret).")
    neo4j_database: str = Field(default="neo4j", description="Neo4j database name.")
    rules_file: Path | None = Field(
        default=None, description="Gap-rule config (TOML); default graph/analysis/rules.toml.")

    @field_validator("api_keys", "cors_origins", mode="before")
    @classmethod
    def _split(cls, v: object) -> object:
        if isinstance(v, str):
            return [x.strip() for x in v.split(",") if x.strip()]
        return v

    @property
    def db_path(self) -> Path:
        return self.data_dir / "atlas.sqlite"

    @property
    def accounts_path(self) -> Path:
        """Users, keys, sessions and the audit trail (see :mod:`graph.accounts`)."""
        return self.data_dir / "accounts.sqlite"

    def sources(self) -> Path | None:
        """The source-document directory if it exists (quotes are then verified)."""
        return self.sources_dir if self.sources_dir.is_dir() else None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings (cached)."""
    return Settings()
