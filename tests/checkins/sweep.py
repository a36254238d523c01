"""The isolation sweep's cases for the check-in pages (discovered by tests.kit.isolation). Ids
come from ``w.checkins`` (tests.checkins.conftest.CheckinWorld, built by ``build``) and, for the
key results a check-in updates, ``w.okrs`` (built before, okrs coming first among the apps)."""

from __future__ import annotations

from typing import Any

from checkins.models import CadenceSettings, CalendarFeed, Checkin, CheckinTemplate, TemplateVersion
from tests.checkins.conftest import CheckinWorld, build_checkins
from tests.conftest import World
from tests.kit.sweep_types import Case, Ids, no_ids


def build(w: World) -> CheckinWorld:
    return build_checkins(w)


def fingerprint(w: World) -> tuple[Any, ...]:
    with w.tenant():
        return (
            sorted(Checkin.objects.values_list("id", "state", "answers", "manager_notes")),
            sorted(TemplateVersion.objects.values_list("id", "number")),
            sorted(CheckinTemplate.objects.values_list("id", "current_version_id")),
            sorted(CadenceSettings.objects.values_list("id", "frequency", "send_hour")),
            CalendarFeed.objects.count(),
        )


def _checkin(w: World) -> dict[str, Any]:
    return {"checkin_id": w.checkins.employee_checkin.pk}


HTML_CASES = [
    Case("checkins:home"),
    Case("checkins:detail", _checkin),
    Case("checkins:save_draft", _checkin, ("post",)),
    Case("checkins:submit", _checkin, ("post",)),
    Case("checkins:complete", _checkin, ("post",)),
    Case(
        "checkins:key_result_progress",
        lambda w: {**_checkin(w), "key_result_id": w.okrs.individual_kr.pk},  # the employee's own
        ("post",),
    ),
    Case("checkins:pair", lambda w: {"membership_id": w.employee.pk}),
    Case("checkins:board"),
    Case("checkins:calendar_create", methods=("post",)),
    Case("checkins:calendar_revoke", methods=("post",)),
    Case("checkins:templates"),
    Case("checkins:template_edit", lambda w: {"template_id": w.checkins.template.pk}, ("get", "post")),
    Case("checkins:cadence", methods=("get", "post")),
    Case("checkins:overview"),
    Case("checkins:deliveries"),
]

NON_TENANT_ROUTES: dict[str, str] = {
    "checkins_public:unsubscribe": "public, signed token naming one membership (django.core.signing)",
    "checkins_public:calendar": "public by secret token (hashed, revocable); the token names its organisation",
}


P = "/api/v1/orgs/{org_slug}"
CHECKIN: Ids = lambda w: {"id": w.checkins.employee_checkin.pk}  # noqa: E731
TEMPLATE: Ids = lambda w: {"id": w.checkins.template.pk}  # noqa: E731

API_CASES: dict[tuple[str, str], Ids] = {
    (f"{P}/checkins/", "get"): no_ids,
    (f"{P}/checkins/{{id}}/", "get"): CHECKIN,
    (f"{P}/checkins/{{id}}/draft/", "post"): CHECKIN,
    (f"{P}/checkins/{{id}}/submit/", "post"): CHECKIN,
    (f"{P}/checkins/{{id}}/complete/", "post"): CHECKIN,
    (f"{P}/checkin-templates/", "get"): no_ids,
    (f"{P}/checkin-templates/{{id}}/", "get"): TEMPLATE,
    (f"{P}/checkin-templates/{{id}}/edit/", "post"): TEMPLATE,
    (f"{P}/reminder-deliveries/", "get"): no_ids,
    (f"{P}/checkin-cadence/", "get"): no_ids,
    (f"{P}/checkin-cadence/", "put"): no_ids,
}
