"""Goals: the page says what will be here until the app is built."""

from django.http import HttpResponse
from django.shortcuts import render

from organisations.models import Membership
from organisations.web import TenantRequest, tenant_view

DESCRIPTION = "Personal and professional-development goals — private, shared with your manager, or visible to everyone."


@tenant_view()
def home(request: TenantRequest, membership: Membership) -> HttpResponse:
    context = {"title": "Goals", "description": DESCRIPTION, "section": "goals"}
    return render(request, "organisations/section.html", context)
