"""Architecture rules that keep tenancy hard to get wrong and the code in its place (DESIGN.md,
Layout and Tenancy; docs/architecture.md). They read every installed project app, so a new app is
checked by adding it, with no list here to edit."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from organisations.api.base import TenantViewSet
from organisations.models import TenantModel
from tests.kit.isolation import ROOT, project_app_labels

#: Python modules may grow to about this many lines; a longer one says why at its top.
MODULE_LINES = 500
#: Words that name an audience, not a subject: modules are split by what they are about.
AUDIENCE_WORDS = {"work", "manage", "manager", "managers", "admin", "hr", "employee", "employees", "user", "users"}


def tenant_model_names() -> set[str]:
    return {m.__name__ for m in apps.get_models() if issubclass(m, TenantModel)}


def app_root(label: str) -> Path:
    return Path(apps.get_app_config(label).path)


def view_and_api_modules(labels: list[str] | None = None) -> list[Path]:
    """Every module of every project app that answers requests: ``views.py`` / ``views/`` and
    ``api.py`` / ``api/`` (serializers and routes included)."""
    found: list[Path] = []
    for label in project_app_labels() if labels is None else labels:
        root = app_root(label)
        for name in ("views", "api"):
            module, package = root / f"{name}.py", root / name
            if module.exists():
                found.append(module)
            if package.is_dir():
                found += sorted(package.rglob("*.py"))
    return found


def unscoped_uses(path: Path, models: set[str], *, root: Path = ROOT) -> list[str]:
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
            and node.value.id in models
            and id(node) not in allowed
        ):
            found.append(f"{path.relative_to(root)}:{node.lineno} {node.value.id}.objects")
    return found


def test_views_and_apis_read_tenant_data_only_through_selectors() -> None:
    models = tenant_model_names()
    modules = view_and_api_modules()
    offences = [offence for path in modules for offence in unscoped_uses(path, models)]
    assert offences == [], "query tenant models in selectors (scoped by organisation), not in views: " + ", ".join(
        offences
    )


def test_every_app_s_view_and_api_modules_are_read() -> None:
    """The rule above reads the split packages too (okrs/views/, okrs/api/), not only views.py."""
    read = {str(p.relative_to(ROOT)) for p in view_and_api_modules()}
    assert {"okrs/views/tree.py", "okrs/api/cycles.py", "organisations/api/views.py", "organisations/views.py"} <= read


def _routes(patterns: list[object], prefix: str = "") -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            found.append((prefix + str(p.pattern), p.callback))
    return found


def tenant_routes_outside_a_base(urlconf: str | None = None) -> list[str]:
    """Pages under /o/<slug>/ must use @tenant_view; APIs under /orgs/<slug>/ must be TenantViewSets."""
    problems = []
    for route, callback in _routes(get_resolver(urlconf).url_patterns):
        if "<slug:org_slug>" not in route:
            continue
        view_class = getattr(callback, "cls", None)
        if view_class is not None:
            if not issubclass(view_class, TenantViewSet):
                problems.append(f"{route}: {view_class.__name__} is not a TenantViewSet")
        elif not hasattr(callback, "tenant_role"):
            problems.append(f"{route}: {callback} is not wrapped in @tenant_view")
    return problems


def test_every_tenant_route_goes_through_a_tenant_base() -> None:
    assert tenant_routes_outside_a_base() == []


def test_apps_follow_the_layout() -> None:
    for label in project_app_labels():
        root = app_root(label)
        assert (root / "apps.py").exists(), label
        assert (root / "migrations" / "__init__.py").exists(), label
        assert (root / "urls.py").exists(), f"{label}: pages are routed by the app's own urls.py"


def app_modules(labels: list[str] | None = None) -> list[Path]:
    return [
        path
        for label in (project_app_labels() if labels is None else labels)
        for path in sorted(app_root(label).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def test_no_module_is_named_after_an_audience() -> None:
    offenders = []
    for path in app_modules():
        words = set(re.split(r"[_.]", path.stem)) | {part for part in path.parent.name.split("_")}
        if words & AUDIENCE_WORDS and path.stem != "admin":  # Django's admin.py is a subject, not an audience
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == [], "split modules by what they are about, not by who uses them: " + ", ".join(offenders)


def test_one_url_module_per_app() -> None:
    for label in project_app_labels():
        extra = sorted(p.name for p in app_root(label).glob("urls_*.py"))
        assert extra == [], f"{label}: routes belong in urls.py (and api/urls.py), not {extra}"


def test_long_modules_say_why() -> None:
    """A module past about 500 lines is split by subject, or says at its top why it is not."""
    unexplained = []
    for path in app_modules():
        text = path.read_text()
        if text.count("\n") > MODULE_LINES:
            docstring = ast.get_docstring(ast.parse(text)) or ""
            if "lines" not in docstring:
                unexplained.append(f"{path.relative_to(ROOT)} ({text.count(chr(10))} lines)")
    assert unexplained == [], "split these by subject or explain their length in the docstring: " + ", ".join(
        unexplained
    )


def test_urls_are_namespaced() -> None:
    """Every app's pages are named ``<app>:<name>``: flat names collide across apps."""
    for label in project_app_labels():
        urls = app_root(label) / "urls.py"
        if label == "organisations" or not urls.exists():
            continue  # organisations' account routes are flat for Django's auth views (its tenant pages are not)
        assert re.search(rf'^app_name = "{label}"$', urls.read_text(), re.M), f"{label}/urls.py needs app_name"


#: Calls that publish to the broker directly. Only the outbox's relay may make them: anything else
#: would be lost when the broker is down at commit, or hang the request when it is frozen.
PUBLISHING_CALLS = {"delay", "delay_on_commit", "apply_async", "send_task"}


def direct_publishes(paths: list[Path], *, root: Path = ROOT) -> list[str]:
    found = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in PUBLISHING_CALLS
            ):
                found.append(f"{path.relative_to(root)}:{node.lineno} .{node.func.attr}(")
    return found


def test_background_work_is_enqueued_only_through_the_outbox() -> None:
    """``outbox.services.enqueue`` is the one way to ask for background work (docs/architecture.md,
    Background jobs); the relay in ``outbox/`` is the only publisher."""
    paths = [p for p in app_modules() if p.relative_to(ROOT).parts[0] != "outbox"]
    paths += sorted((ROOT / "config").rglob("*.py")) + sorted((ROOT / "scripts").rglob("*.py"))
    offences = direct_publishes(paths)
    assert offences == [], "enqueue background work with outbox.services.enqueue: " + ", ".join(offences)


def test_the_publishing_rule_sees_a_direct_publish(tmp_path: Path) -> None:
    module = tmp_path / "tasks_user.py"
    module.write_text("def f(task):\n    task.delay(1)\n    task.apply_async(args=(1,))\n    x.delay_on_commit()\n")
    assert direct_publishes([module], root=tmp_path) == [
        "tasks_user.py:2 .delay(",
        "tasks_user.py:3 .apply_async(",
        "tasks_user.py:4 .delay_on_commit(",
    ]
