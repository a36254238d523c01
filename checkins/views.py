"""Check-ins: the page says what will be here until the app is built."""

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from organisations.models import Membership
from organisations.web import TenantRequest, tenant_view

DESCRIPTION = (
    "Bi-weekly conversations with your manager, quarterly planning and end-of-quarter reviews, with reminders."
)


@tenant_view()
def home(request: TenantRequest, membership: Membership) -> HttpResponse:
    context = {"title": "Check-ins", "description": DESCRIPTION, "section": "checkins"}
    return render(request, "organisations/section.html", context)


def my_work_card(request: TenantRequest, membership: Membership) -> dict[str, Any]:
    return {"has_manager": membership.manager_id is not None}
