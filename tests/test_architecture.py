"""Architecture rules that keep tenancy hard to get wrong (DESIGN.md, Layout and Tenancy)."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from organisations.api_base import TenantViewSet
from organisations.models import TenantModel

ROOT = Path(__file__).resolve().parent.parent
APPS = ["organisations", "okrs", "goals", "checkins", "surveys"]
TENANT_MODELS = {m.__name__ for m in apps.get_models() if issubclass(m, TenantModel)}


def _unscoped_uses(path: Path) -> list[str]:
    """``<TenantModel>.objects`` in a view or API module, outside the two declarations that the
    base classes scope (a viewset's ``queryset =`` and a ``TenantPrimaryKeyField(queryset=…)``)."""
    tree = ast.parse(path.read_text())
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "queryset" for t in node.targets):
            allowed |= {id(n) for n in ast.walk(node.value)}
        if isinstance(node, ast.keyword) and node.arg == "queryset":
            allowed |= {id(n) for n in ast.walk(node.value)}
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "objects"
            and isinstance(node.value, ast.Name)
            and node.value.id in TENANT_MODELS
            and id(node) not in allowed
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value.id}.objects")
    return found


def test_views_and_apis_read_tenant_data_only_through_selectors() -> None:
    offences = []
    for app in APPS:
        for name in ("views.py", "api.py"):
            path = ROOT / app / name
            if path.exists():
                offences += _unscoped_uses(path)
    assert offences == [], "query tenant models in selectors.py (scoped by organisation), not in views: " + ", ".join(
        offences
    )


def _routes(patterns: list[object], prefix: str = "") -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            found.append((prefix + str(p.pattern), p.callback))
    return found


def test_every_tenant_route_goes_through_a_tenant_base() -> None:
    """Pages under /o/<slug>/ use @tenant_view; APIs under /orgs/<slug>/ are TenantViewSets."""
    for route, callback in _routes(get_resolver().url_patterns):
        if "<slug:org_slug>" not in route:
            continue
        view_class = getattr(callback, "cls", None)
        if view_class is not None:
            assert issubclass(view_class, TenantViewSet), f"{route}: {view_class.__name__} is not a TenantViewSet"
        else:
            assert hasattr(callback, "tenant_role"), f"{route}: {callback} is not wrapped in @tenant_view"


def test_apps_follow_the_layout() -> None:
    for app in APPS:
        assert (ROOT / app / "apps.py").exists(), app
        assert (ROOT / app / "migrations" / "__init__.py").exists(), app
