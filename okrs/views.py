"""Employees' OKR pages: My OKRs, objective detail, create / edit, progress updates."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from organisations.models import Membership
from organisations.views import tenant_view


@tenant_view()
def my_okrs(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(
        request,
        "organisations/section.html",
        {"title": "OKRs", "description": "Your objectives and key results.", "section": "okrs"},
    )
