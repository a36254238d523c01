"""The conversation pages: my check-ins, one check-in (answers with autosave, the employee's key
results with their inline progress update, submit; the manager's notes and completion), a pair's
history, a manager's board, and the personal calendar link."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from checkins import forms, permissions, selectors, services
from checkins.models import Checkin
from okrs import forms as okrs_forms
from okrs import services as okrs_services
from okrs.models import KeyResult
from okrs.permissions import Access
from okrs.views.key_results import progress_saved
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
    key_results: list[KeyResult] = []
    if can_answer:
        bound: tuple[int, okrs_forms.ProgressForm] | None = extra.pop("key_result_form", None)
        access = Access(membership)
        key_results = list(
            selectors.checkin_key_results(membership, checkin, access=access)[: selectors.CHECKIN_KEY_RESULTS]
        )
        for kr in key_results:
            _prepare_key_result_row(membership, checkin, access, kr, bound[1] if bound and bound[0] == kr.pk else None)
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
        "detail_url": _detail_url(membership, checkin),
        "overdue": selectors.is_overdue(checkin, membership.organisation.today()),
        "section": "checkins",
        **extra,
    }


def _prepare_key_result_row(
    membership: Membership,
    checkin: Checkin,
    access: Access,
    kr: KeyResult,
    form: okrs_forms.ProgressForm | None = None,
) -> None:
    """What ``okrs/parts.html#kr-row`` asks of a row, with its update posted to the check-in."""
    kr.can_update = access.can_update(kr.objective, kr)  # type: ignore[attr-defined]
    kr.row_form = form or okrs_forms.ProgressForm(  # type: ignore[attr-defined]
        key_result=kr, number_format=membership.organisation.number_format
    )
    kr.update_url = reverse(  # type: ignore[attr-defined]
        "checkins:key_result_progress",
        kwargs={"org_slug": membership.organisation.slug, "checkin_id": checkin.pk, "key_result_id": kr.pk},
    )


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
@require_POST
def key_result_progress(
    request: TenantRequest, membership: Membership, checkin_id: int, key_result_id: int
) -> HttpResponseBase:
    """A progress update of one of the check-in's key results, without leaving the check-in: okrs'
    form and service (``progress_update_create``: the rule, the roll-up). With htmx the answer is
    the row again, and the objective's progress out of band; invalid input keeps what was typed,
    with the error on its field. Another person's key result answers 404."""
    checkin = selectors.access_checkin(membership, checkin_id)
    permissions.require_key_result_updates(membership, checkin)
    access = Access(membership)
    kr = selectors.access_checkin_key_result(membership, checkin, key_result_id, access=access)
    number_format = membership.organisation.number_format
    form = okrs_forms.ProgressForm(request.POST, key_result=kr, number_format=number_format)
    done = submit(
        form, lambda: okrs_services.progress_update_create(actor=membership, key_result=kr, **form.service_kwargs())
    )
    if not request.htmx:
        if done.ok:
            messages.success(request, f"Updated “{kr.title}”.")
            return redirect(_detail_url(membership, checkin))
        context = _detail_context(request, membership, checkin, key_result_form=(kr.pk, form))
        return render_page(request, "checkins/detail.html", context, status=400)
    if done.ok:  # read again: its progress, history and objective after the roll-up
        kr = selectors.access_checkin_key_result(membership, checkin, key_result_id, access=access)
    _prepare_key_result_row(membership, checkin, access, kr, None if done.ok else form)
    context = {
        "kr": kr,
        "objective": kr.objective,
        "refreshed": [kr.objective] if done.ok else [],
        "variant": "list",
        "shown": "",
        "next": _detail_url(membership, checkin),
    }
    response = render(request, "okrs/key_result_progress.html#kr-update", context)
    return announce(response, progress_saved(kr) if done.ok else f"Progress not saved: {errors_sentence(form)}")


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
