from __future__ import annotations

import shutil

import duckdb
import pytest

from tests.conftest import make_settings
from tests.curate.helpers import build


@pytest.fixture(scope="session")
def template_warehouse(tmp_path_factory):
    """The four articles of `tests.curate.helpers.build`, migrated once per session."""
    settings = make_settings(tmp_path_factory.mktemp("curate-template"))
    build(settings).close()
    return settings.warehouse


@pytest.fixture
def built(settings, template_warehouse):
    """`settings` whose warehouse is a fresh copy of the template: no connection left open."""
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template_warehouse, settings.warehouse)
    return settings


@pytest.fixture
def con(built):
    con = duckdb.connect(str(built.warehouse))
    yield con
    con.close()
