"""HR's check-in pages: the question templates (versioned), the cadence, the completion overview
(counts only, never content) and the reminder deliveries."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from checkins import forms, selectors, services
from checkins.models import CheckinKind, CheckinTemplate
from organisations.models import Membership, Role
from organisations.web import TenantRequest, parse_query, render_page, submit, tenant_view


def _questions(template: CheckinTemplate) -> list[dict[str, str]]:
    return template.current_version.questions if template.current_version else []


@tenant_view(Role.ADMIN)
def templates(request: TenantRequest, membership: Membership) -> HttpResponse:
    found = services.templates_ensure(organisation_id=membership.organisation_id)
    rows = [
        (
            found[kind],
            forms.TemplateForm(
                initial={"questions": forms.TemplateForm.initial_text(_questions(found[kind]))},
                prefix=f"t{found[kind].pk}",
            ),
        )
        for kind in CheckinKind.values
        if found[kind].current_version is not None
    ]
    return render_page(request, "checkins/templates.html", {"rows": rows, "section": "checkins"})


@tenant_view(Role.ADMIN)
def template_edit(request: TenantRequest, membership: Membership, template_id: int) -> HttpResponseBase:
    template = selectors.access_template(membership, template_id)
    form = forms.TemplateForm(request.POST if request.method == "POST" else None, prefix=f"t{template.pk}")
    if request.method != "POST":
        form = forms.TemplateForm(
            initial={"questions": forms.TemplateForm.initial_text(_questions(template))},
            prefix=f"t{template.pk}",
        )
    done = submit(
        form, lambda: services.template_edit(actor=membership, template=template, questions=form.question_list())
    )
    if done.ok:
        messages.success(request, f"Saved version {done.result.number} of “{template}”.")
        return redirect(reverse("checkins:templates", kwargs={"org_slug": membership.organisation.slug}))
    status = 400 if request.method == "POST" else 200
    return render_page(
        request,
        "checkins/template_edit.html",
        {"template": template, "form": form, "section": "checkins"},
        status=status,
    )


@tenant_view(Role.ADMIN)
def cadence(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    current = selectors.cadence_for(membership.organisation_id)
    initial = {
        "frequency": current.frequency,
        "weekday": current.weekday,
        "send_hour": current.send_hour,
        "grace_days": current.grace_days,
        "escalation": current.escalation,
    }
    form = forms.CadenceForm(request.POST if request.method == "POST" else None, initial=initial)
    done = submit(
        form, lambda: services.cadence_update(actor=membership, data=services.CadenceData(**form.cleaned_data))
    )
    if done.ok:
        messages.success(request, "Cadence saved. The next reminders follow it.")
        return redirect(reverse("checkins:cadence", kwargs={"org_slug": membership.organisation.slug}))
    status = 400 if request.method == "POST" else 200
    return render_page(request, "checkins/cadence.html", {"form": form, "section": "checkins"}, status=status)


@tenant_view(Role.ADMIN)
def overview(request: TenantRequest, membership: Membership) -> HttpResponse:
    rows = selectors.completion_overview(membership, membership.organisation.today())
    labels = dict(CheckinKind.choices)
    return render_page(request, "checkins/overview.html", {"rows": rows, "labels": labels, "section": "checkins"})


@tenant_view(Role.ADMIN)
def deliveries(request: TenantRequest, membership: Membership) -> HttpResponse:
    query = parse_query(request, forms.DeliveryQuery)
    data = query.cleaned_data
    rows = selectors.delivery_list(
        membership, kind=data["kind"] or "", status=data["status"] or "", membership_id=data["membership"]
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {"page": page, "query": query, "section": "checkins"}
    return render_page(request, "checkins/deliveries.html", context, region="delivery-list")
