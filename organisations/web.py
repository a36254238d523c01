"""The web base every app's pages stand on (the tenancy kit, HTML half; the API half is
``organisations.api.base``).

- ``TenantRequest``: the request of a page under ``/o/<org_slug>/``, with its organisation and the
  caller's membership typed (``TenantMiddleware`` resolves them before any view runs).
- ``tenant_view(role)``: the only way to write such a page. A non-member never reaches it (404 from
  the middleware); a member below ``role`` gets 403; a service's ``ValidationError`` that no form
  caught becomes a 400 page instead of a 500.
- ``render_page``: one template per screen, each swappable region a ``{% partialdef %}`` named like
  its element id; an htmx request gets only the region.
- ``parse_query``: query parameters go through a form, so a malformed one is a clear 400.
- ``submit`` and ``apply_validation_error``: run a service for a valid form and put its
  ``ValidationError`` on the fields it names, keeping what was typed.
- ``navigation_for`` / ``my_work_cards``: the main navigation and the cards of *My work*, gathered
  from what each app declares in its ``apps.py`` (``organisations.frame``), so an app adds itself
  without editing this one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, Protocol

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from organisations.frame import NavItem, Panel
from organisations.models import Membership, Organisation, Role

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails


class AscentRequest(HttpRequest):
    """Every request: ``TenantMiddleware`` sets the two tenant attributes (None outside a tenant)."""

    organisation: Organisation | None
    membership: Membership | None
    htmx: HtmxDetails


class TenantRequest(AscentRequest):
    """A request under ``/o/<org_slug>/`` that reached its view: both attributes are set."""

    organisation: Organisation
    membership: Membership


class TenantPage(Protocol):
    """A page function wrapped by ``tenant_view``; the architecture test looks for ``tenant_role``."""

    tenant_role: Role

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase: ...


def tenant_view(role: Role = Role.EMPLOYEE) -> Callable[[Callable[..., HttpResponseBase]], TenantPage]:
    """A page under /o/<org_slug>/, called as ``view(request, membership, **route_kwargs)``."""

    def decorator(view: Callable[..., HttpResponseBase]) -> TenantPage:
        @wraps(view)
        def wrapped(request: TenantRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            membership = getattr(request, "membership", None)
            if membership is None:
                raise RuntimeError(f"{view.__name__} is a tenant view but its route has no <org_slug>")
            from organisations.selectors import require_role

            require_role(membership, role)
            try:
                return view(request, membership, *args, **kwargs)
            except ValidationError as exc:
                # A rule a form did not anticipate: the user's mistake, so a 400 that says what is wrong.
                raise BadRequest(" ".join(exc.messages)) from exc

        page: TenantPage = wrapped  # type: ignore[assignment]
        page.tenant_role = role
        return page

    return decorator


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, region: str | None = None, status: int = 200
) -> HttpResponse:
    """Render the page, or only ``region`` (a ``{% partialdef %}``) for an htmx request."""
    htmx = getattr(request, "htmx", None)
    if region and htmx and not htmx.boosted:
        return render(request, f"{template}#{region}", context, status=status)
    return render(request, template, context, status=status)


def parse_query[F: forms.Form](request: HttpRequest, form_class: type[F], **kwargs: Any) -> F:
    """Validate the query string with ``form_class``; a malformed parameter is a 400 naming it.

    Absent parameters are fine (each field is optional); only present and wrong ones are refused.
    """
    form = form_class(request.GET, **kwargs)
    if not form.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(str(e) for e in errors)}" if name != "__all__" else " ".join(str(e) for e in errors)
            for name, errors in form.errors.items()
        )
        raise BadRequest(f"Some of the page's parameters are not valid — {problems}")
    return form


def apply_validation_error(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names, else on the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@dataclass(frozen=True)
class Submitted[T]:
    ok: bool
    value: T | None = None

    @property
    def result(self) -> T:
        """What the service returned (only when ``ok``)."""
        assert self.ok, "the service did not run"
        assert self.value is not None, "the service returned nothing"
        return self.value


def attempt(request: HttpRequest, service: Callable[[], object], success: str) -> bool:
    """A one-button action (deactivate, revoke, delete): run ``service``; its ValidationError
    becomes an error message, success the ``success`` message. True when it ran."""
    from django.contrib import messages

    try:
        service()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success)
    return True


def submit[T](form: forms.Form, service: Callable[[], T]) -> Submitted[T]:
    """For a bound, valid form run ``service`` (which reads ``form.cleaned_data``).

    A ``ValidationError`` from the service lands on the form, which keeps what was typed; the
    caller re-renders it. ``ok`` is true only when the service ran and returned.
    """
    if not form.is_bound or not form.is_valid():
        return Submitted(ok=False)
    try:
        return Submitted(ok=True, value=service())
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return Submitted(ok=False)


def safe_next(request: HttpRequest, membership: Membership, default: str) -> str:
    """Back to the page a form came from (``next``), if it is one of this organisation's pages."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    prefix = f"/o/{membership.organisation.slug}/"
    if target.startswith(prefix) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=False
    ):
        return target
    return default


# ---------------------------------------------------------------- how apps add themselves to the frame
# Declared in each app's AppConfig (organisations.frame: importable before the models are).


@dataclass(frozen=True)
class ShownNavItem:
    label: str
    url: str
    section: str
    url_name: str = ""


def _declared_navigation() -> list[NavItem]:
    from django.apps import apps

    return [item for config in apps.get_app_configs() for item in getattr(config, "navigation", [])]


def _shown(membership: Membership, items: list[NavItem]) -> list[ShownNavItem]:
    from django.urls import reverse

    return [
        ShownNavItem(
            item.label,
            reverse(item.url_name, kwargs={"org_slug": membership.organisation.slug}),
            item.section,
            item.url_name,
        )
        for item in sorted(items, key=lambda i: i.position)
        if membership.has_role(Role(item.role))
    ]


def navigation_for(membership: Membership) -> list[ShownNavItem]:
    """The main navigation entries this member may use, from every installed app."""
    return _shown(membership, [item for item in _declared_navigation() if not item.within])


def sub_navigation_for(membership: Membership, section: str) -> list[ShownNavItem]:
    """The sub-navigation of ``section`` (entries declared ``within`` it) this member may use."""
    if not section:
        return []
    return _shown(membership, [item for item in _declared_navigation() if item.within == section])


def panels(attribute: str, request: TenantRequest, membership: Membership, *objects: Any) -> list[tuple[str, Any]]:
    """(template, context) of every app's panel declared under ``AppConfig.<attribute>`` that has
    something for this member (and these objects), in position order."""
    from django.apps import apps
    from django.utils.module_loading import import_string

    declared: list[Panel] = [panel for config in apps.get_app_configs() for panel in getattr(config, attribute, [])]
    shown = []
    for panel in sorted(declared, key=lambda p: p.position):
        context = import_string(panel.context)(request, membership, *objects)
        if context is not None:
            shown.append((panel.template, context))
    return shown


def my_work_cards(request: TenantRequest, membership: Membership) -> list[tuple[str, Any]]:
    """Every app's card for *My work* (``AppConfig.my_work``)."""
    return panels("my_work", request, membership)


def announce(response: HttpResponseBase, message: str) -> HttpResponseBase:
    """Have the page's live region (``#announcer`` in base.html) say what an htmx update did.

    Every htmx answer that changes data calls this ("Progress saved: 17 of 24 endpoints, 71 %"),
    and so does one that refuses input ("Progress not saved: …"): a screen-reader user hears the
    outcome without hunting for it. It rides on an ``HX-Trigger`` event, merged with any other.
    """
    from django_htmx.http import trigger_client_event

    return trigger_client_event(response, "announce", {"value": message})


def errors_sentence(form: forms.BaseForm) -> str:
    """A form's errors as one sentence for an announcement: "Current value: Enter a number."."""
    parts: list[str] = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(e) for e in errors)
        parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts)
