"""The operator's page: an organisation's background jobs per kind (pending, failed, done), the
latest of them, and retry."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from organisations.models import Membership, Role
from organisations.web import TenantRequest, attempt, parse_query, render_page, safe_next, tenant_view
from outbox import forms, selectors, services
from outbox.models import JobState


@tenant_view(Role.ADMIN)
def jobs(request: TenantRequest, membership: Membership) -> HttpResponse:
    query = parse_query(request, forms.JobQuery).cleaned_data
    listed = selectors.job_list(actor=membership, state=query["state"], task=query["task"])
    page = Paginator(listed, 50).get_page(request.GET.get("page"))
    for job in page.object_list:
        job.label = selectors.kind_label(job.task)  # type: ignore[attr-defined]
        job.can_retry = job.state != JobState.SENT  # type: ignore[attr-defined]
    context = {
        "summary": selectors.job_summary(actor=membership),
        "page": page,
        "state": query["state"],
        "task": query["task"],
        "states": JobState.choices,
        "section": "admin",
    }
    return render_page(request, "outbox/jobs.html", context, region="job-list")


@tenant_view(Role.ADMIN)
@require_POST
def job_retry(request: TenantRequest, membership: Membership, job_id: int) -> HttpResponseBase:
    job = selectors.access_job(membership, job_id)
    attempt(
        request,
        lambda: services.job_retry(actor=membership, job=job),
        f"{selectors.kind_label(job.task)} #{job.pk} is queued again.",
    )
    default = reverse("outbox:jobs", kwargs={"org_slug": membership.organisation.slug})
    return redirect(safe_next(request, membership, default))
