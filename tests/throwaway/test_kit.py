"""Proof that a new app plugs into the tenancy kit by adding only its own files.

``tests/throwaway/app`` (pages, an API, apps.py) and ``tests/throwaway/sweep.py`` are all that
exists of it; here it is installed, and the same checks that guard the real apps find it: the
isolation sweep discovers its cases and probes its routes, the architecture test reads its view and
API modules, and the main navigation shows its entry. Without its sweep module, its routes are
reported as uncovered — so the coverage is real, not a coincidence.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from organisations.models import User
from organisations.web import navigation_for
from tests.conftest import World
from tests.kit import isolation
from tests.test_architecture import (
    tenant_model_names,
    tenant_routes_outside_a_base,
    unscoped_uses,
    view_and_api_modules,
)

APP = "tests.throwaway.app"
ROUTES = {"throwaway:colleagues", "throwaway:colleague"}
OPERATIONS = {("/api/v1/orgs/{org_slug}/colleagues/", "get"), ("/api/v1/orgs/{org_slug}/colleagues/{id}/", "get")}


@pytest.fixture
def installed() -> Iterator[None]:
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, APP], ROOT_URLCONF="tests.throwaway.urls"):
        yield


@pytest.mark.usefixtures("installed")
def test_the_sweep_discovers_and_covers_the_new_app() -> None:
    assert "throwaway" in isolation.project_app_labels()
    sweep = isolation.discover()
    assert "tests.throwaway.sweep" in sweep.modules
    assert set(sweep.html) >= ROUTES
    assert isolation.uncovered_html_routes(sweep) == set()
    assert isolation.uncovered_api_operations(sweep) == set()
    # The same app without its sweep module: exactly its routes and operations are reported.
    without = isolation.discover([label for label in isolation.project_app_labels() if label != "throwaway"])
    assert isolation.uncovered_html_routes(without) == ROUTES
    assert isolation.uncovered_api_operations(without) == OPERATIONS


@pytest.mark.usefixtures("installed")
def test_the_new_app_s_routes_pass_the_sweep_probes(a: World, b: World, stranger: User) -> None:
    sweep = isolation.discover()
    isolation.build_worlds(sweep, a, b)
    for name in ROUTES:
        assert isolation.probe_html(sweep.html[name], a, b, stranger) == [], name
    for template, method in OPERATIONS:
        assert isolation.probe_api(template, method, sweep.api[(template, method)], a, b, stranger) == []


@pytest.mark.usefixtures("installed")
def test_the_architecture_test_reads_the_new_app(tmp_path: Path) -> None:
    modules = view_and_api_modules()
    here = Path(__file__).parent / "app"
    assert {here / "views.py", here / "api" / "views.py", here / "api" / "urls.py"} <= set(modules)
    models = tenant_model_names()
    assert [offence for path in modules for offence in unscoped_uses(path, models)] == []
    assert tenant_routes_outside_a_base() == []
    # And the rule bites on its code: an unscoped query planted in a copy of its views is found.
    leaky = tmp_path / "views.py"
    shutil.copy(here / "views.py", leaky)
    leaky.write_text(leaky.read_text() + "\n\ndef leak():\n    return Membership.objects.all()\n")
    assert len(unscoped_uses(leaky, models, root=tmp_path)) == 1


@pytest.mark.usefixtures("installed")
def test_the_new_app_adds_itself_to_the_navigation(a: World) -> None:
    labels = [item.label for item in navigation_for(a.employee)]
    assert "Notes" in labels
    assert labels.index("Notes") < labels.index("Team")  # ordered by position, across apps
