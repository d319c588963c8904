"""Shared fixtures: a warehouse and staging area under tmp_path, and mirrors to harvest from."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline.config import Settings
from pipeline.mirror.server import MirrorServer
from tests.factories import write_corpus


def make_settings(root: Path, **overrides) -> Settings:
    values = dict(
        warehouse=root / "warehouse" / "litmine.duckdb",
        staging_dir=root / "warehouse" / "staging",
        published=root / "warehouse" / "published" / "litmine.duckdb",
        docs_dir=root / "warehouse" / "docs",
        harvest_start=date(2023, 1, 1),
        http_timeout=5.0,
        http_retries=3,
        http_backoff=0.01,
    )
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def synthetic_corpus(tmp_path) -> Path:
    """450 PubMed records (5 a day from 2024-01-01) and 7 preprints."""
    return write_corpus(tmp_path / "corpus", pubmed=450, preprints=7)


@pytest.fixture
def mirror(synthetic_corpus):
    with MirrorServer(synthetic_corpus) as server:
        yield server


@pytest.fixture
def mirrored(settings, mirror) -> Settings:
    """Settings whose sources point at the synthetic mirror."""
    return settings.with_mirror(mirror.base_url)
