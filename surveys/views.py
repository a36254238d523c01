"""Surveys: the page says what will be here until the app is built."""

from django.http import HttpResponse
from django.shortcuts import render

from organisations.models import Membership
from organisations.web import TenantRequest, tenant_view

DESCRIPTION = "Engagement surveys scored by theme, and the action plans they suggest."


@tenant_view()
def home(request: TenantRequest, membership: Membership) -> HttpResponse:
    context = {"title": "Surveys", "description": DESCRIPTION, "section": "surveys"}
    return render(request, "organisations/section.html", context)
