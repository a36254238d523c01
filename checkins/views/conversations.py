"""The conversation pages: my check-ins, one check-in (answers with autosave, key results,
submit; the manager's notes and completion), a pair's history, a manager's board, and the
personal calendar link."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from checkins import forms, permissions, selectors, services
from checkins.models import Checkin
from okrs.selectors import key_result_list
from organisations.models import Membership
from organisations.selectors import access_membership
from organisations.web import TenantRequest, announce, errors_sentence, render_page, submit, tenant_view


def _detail_url(membership: Membership, checkin: Checkin) -> str:
    return reverse("checkins:detail", kwargs={"org_slug": membership.organisation.slug, "checkin_id": checkin.pk})


@tenant_view()
def home(request: TenantRequest, membership: Membership) -> HttpResponse:
    mine = selectors.my_checkins(membership, membership.organisation.today())
    context = {
        "mine": mine,
        "has_manager": membership.manager_id is not None,
        "has_reports": membership.direct_reports.filter(is_active=True).exists(),
        "feed_url": request.session.pop("checkins_feed_url", ""),
        "section": "checkins",
    }
    return render_page(request, "checkins/home.html", context)


def _detail_context(request: TenantRequest, membership: Membership, checkin: Checkin, **extra: Any) -> dict[str, Any]:
    can_answer = permissions.can_answer(membership, checkin)
    key_results = []
    if can_answer:
        key_results = list(
            key_result_list(actor=membership).filter(owner=checkin.employee, objective__cycle__state="active")[:20]
        )
    questions = checkin.template_version.employee_questions()
    return {
        "checkin": checkin,
        "can_answer": can_answer,
        "can_complete": permissions.can_complete(membership, checkin),
        "answers_form": extra.pop("answers_form", None) or forms.AnswersForm(checkin=checkin),
        "complete_form": extra.pop("complete_form", None) or forms.CompleteForm(),
        "answered": [(q, checkin.answers.get(q["key"], "")) for q in questions],
        "manager_questions": checkin.template_version.manager_questions(),
        "key_results": key_results,
        "overdue": selectors.is_overdue(checkin, membership.organisation.today()),
        "section": "checkins",
        **extra,
    }


@tenant_view()
def detail(request: TenantRequest, membership: Membership, checkin_id: int) -> HttpResponse:
    checkin = selectors.access_checkin(membership, checkin_id)
    return render_page(request, "checkins/detail.html", _detail_context(request, membership, checkin))


@tenant_view()
@require_POST
def save_draft(request: TenantRequest, membership: Membership, checkin_id: int) -> HttpResponseBase:
    """Autosave (htmx, on typing) and the "Save draft" button: answers so far, nothing required."""
    checkin = selectors.access_checkin(membership, checkin_id)
    form = forms.AnswersForm(request.POST, checkin=checkin)
    done = submit(form, lambda: services.checkin_save_draft(actor=membership, checkin=checkin, answers=form.answers()))
    if request.htmx:
        context = {"saved": done.ok, "errors": form.errors if not done.ok else {}}
        response = render_page(request, "checkins/detail.html#save-status", context)
        # The page's one live region says it (organisations.web.announce); the text stays visible.
        return announce(response, "Draft saved." if done.ok else "Draft not saved: " + errors_sentence(form))
    if done.ok:
        messages.success(request, "Draft saved.")
        return redirect(_detail_url(membership, checkin))
    context = _detail_context(request, membership, checkin, answers_form=form)
    return render_page(request, "checkins/detail.html", context, status=400)


@tenant_view()
@require_POST
def submit_answers(request: TenantRequest, membership: Membership, checkin_id: int) -> HttpResponseBase:
    checkin = selectors.access_checkin(membership, checkin_id)
    form = forms.AnswersForm(request.POST, checkin=checkin)
    done = submit(form, lambda: services.checkin_submit(actor=membership, checkin=checkin, answers=form.answers()))
    if done.ok:
        messages.success(request, "Submitted to your manager.")
        return redirect(_detail_url(membership, checkin))
    context = _detail_context(request, membership, checkin, answers_form=form)
    return render_page(request, "checkins/detail.html", context, status=400)


@tenant_view()
@require_POST
def complete(request: TenantRequest, membership: Membership, checkin_id: int) -> HttpResponseBase:
    checkin = selectors.access_checkin(membership, checkin_id)
    form = forms.CompleteForm(request.POST)
    done = submit(
        form,
        lambda: services.checkin_complete(
            actor=membership, checkin=checkin, manager_notes=form.cleaned_data["manager_notes"]
        ),
    )
    if done.ok:
        messages.success(request, "Check-in completed.")
        return redirect(_detail_url(membership, checkin))
    context = _detail_context(request, membership, checkin, complete_form=form)
    return render_page(request, "checkins/detail.html", context, status=400)


@tenant_view()
def pair(request: TenantRequest, membership: Membership, membership_id: int) -> HttpResponse:
    """The check-ins of one person that the viewer may read (their own, or a report's)."""
    employee = access_membership(membership, membership_id)
    history = selectors.pair_history(membership, employee)
    if not history and employee.pk != membership.pk:
        permissions.require_pair_view(membership, employee)
    context = {"employee": employee, "history": history, "section": "checkins"}
    return render_page(request, "checkins/pair.html", context)


@tenant_view()
def board(request: TenantRequest, membership: Membership) -> HttpResponse:
    rows = selectors.manager_board(membership, membership.organisation.today())
    return render_page(request, "checkins/board.html", {"rows": rows, "section": "checkins"})


@tenant_view()
@require_POST
def calendar_create(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    token = services.calendar_feed_create(actor=membership)
    request.session["checkins_feed_url"] = request.build_absolute_uri(
        reverse("checkins_public:calendar", kwargs={"token": token})
    )
    messages.success(request, "Your calendar link is ready. It is shown once: copy it into your calendar app now.")
    return redirect(reverse("checkins:home", kwargs={"org_slug": membership.organisation.slug}))


@tenant_view()
@require_POST
def calendar_revoke(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    services.calendar_feed_revoke(actor=membership)
    messages.success(request, "Your calendar link no longer works.")
    return redirect(reverse("checkins:home", kwargs={"org_slug": membership.organisation.slug}))


def my_work_card(request: TenantRequest, membership: Membership) -> dict[str, Any]:
    mine = selectors.my_checkins(membership, membership.organisation.today())
    return {
        "has_manager": membership.manager_id is not None,
        "next": next(iter(mine.overdue or mine.due), None),
        "overdue": len(mine.overdue),
        "to_complete": len(mine.to_complete),
    }
