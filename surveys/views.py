"""Survey pages: the list, HR's builder, launch and close, the live response rate (counts only),
taking a survey, results, trends and HR's heatmap. Results pages read only the stored group
results (``ThemeResult``) and the viewer's own answers; never anyone else's answers."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from organisations.models import Membership, Role
from organisations.web import (
    TenantRequest,
    apply_validation_error,
    attempt,
    parse_query,
    render_page,
    submit,
    tenant_view,
)
from surveys import plans, selectors, services
from surveys.charts import heat_class, trend_chart
from surveys.forms import (
    ActionForm,
    AdoptForm,
    CommentsQuery,
    HeatmapQuery,
    PlanSettingsForm,
    SurveyForm,
    TakeForm,
    TrendsQuery,
)
from surveys.models import ActionAudience, Survey, SurveyState
from surveys.permissions import can_manage


def home_url(membership: Membership) -> str:
    return reverse("surveys:home", kwargs={"org_slug": membership.organisation.slug})


def survey_url(membership: Membership, name: str, survey: Survey) -> str:
    return reverse(f"surveys:{name}", kwargs={"org_slug": membership.organisation.slug, "survey_id": survey.pk})


def _rate(survey: Survey, responses: int) -> int:
    return round(100 * responses / survey.invited) if survey.invited else 0


@tenant_view()
def home(request: TenantRequest, membership: Membership) -> HttpResponse:
    context: dict[str, Any] = {"section": "surveys", "mine": selectors.surveys_for_member(membership)}
    if can_manage(membership):
        managed = selectors.survey_list(membership)
        for s in managed:
            s.rate = _rate(s, s.response_count)  # type: ignore[attr-defined]
        context["managed"] = managed
        context["can_manage"] = True
    return render_page(request, "surveys/home.html", context)


def _survey_data(form: SurveyForm) -> services.SurveyData:
    d = form.cleaned_data
    return services.SurveyData(
        title=d["title"],
        description=d["description"],
        audience=d["audience"],
        teams=list(d["teams"]),
        opens_at=d["opens_at"],
        closes_at=d["closes_at"],
        anonymity_threshold=d["anonymity_threshold"],
        questions=list(d["questions"]),
    )


def _submit(form: SurveyForm, run: Any) -> Survey | None:
    if not form.is_bound or not form.is_valid():
        return None
    try:
        return run(_survey_data(form))
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return None


@tenant_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def survey_create(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    services.bank_ensure(organisation_id=membership.organisation_id)
    form = SurveyForm(request.POST if request.method == "POST" else None, actor=membership)
    survey = _submit(form, lambda data: services.survey_create(actor=membership, data=data))
    if survey is not None:
        messages.success(request, "Draft saved. Check it, then launch it to invite people.")
        return redirect(survey_url(membership, "detail", survey))
    return render_page(request, "surveys/form.html", {"form": form, "section": "surveys"})


@tenant_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def survey_edit(request: TenantRequest, membership: Membership, survey_id: int) -> HttpResponseBase:
    survey = selectors.access_survey(membership, survey_id)
    if survey.state != SurveyState.DRAFT:
        messages.error(request, "Only a draft can be changed.")
        return redirect(survey_url(membership, "detail", survey))
    form = SurveyForm(request.POST if request.method == "POST" else None, actor=membership, survey=survey)
    saved = _submit(form, lambda data: services.survey_update(actor=membership, survey=survey, data=data))
    if saved is not None:
        messages.success(request, "Draft saved.")
        return redirect(survey_url(membership, "detail", saved))
    context = {"form": form, "survey": survey, "section": "surveys"}
    return render_page(request, "surveys/form.html", context)


@tenant_view()
def survey_detail(request: TenantRequest, membership: Membership, survey_id: int) -> HttpResponseBase:
    """HR's page of one survey (its setup, launch and close, the live response rate); for
    everyone else, where the survey is for them: take it or see the results."""
    survey = selectors.access_survey(membership, survey_id)
    if not can_manage(membership):
        name = "results" if survey.state == SurveyState.CLOSED else "take"
        return redirect(survey_url(membership, name, survey))
    return render_page(request, "surveys/detail.html", _detail_context(survey))


def _detail_context(survey: Survey) -> dict[str, Any]:
    return {
        "survey": survey,
        "questions": selectors.survey_questions(survey),
        "teams": [link.team for link in survey.audience_teams.select_related("team")],
        "section": "surveys",
        **_progress(survey),
    }


def _progress(survey: Survey) -> dict[str, Any]:
    responses = selectors.response_count(survey)
    return {"responses": responses, "rate": _rate(survey, responses)}


@tenant_view(Role.ADMIN)
def survey_progress(request: TenantRequest, membership: Membership, survey_id: int) -> HttpResponseBase:
    """The live response-rate bar (counts only), polled by htmx while the survey is open."""
    survey = selectors.access_survey(membership, survey_id)
    htmx = getattr(request, "htmx", None)
    context = {"survey": survey, **_progress(survey)} if htmx else _detail_context(survey)
    return render_page(request, "surveys/detail.html", context, region="response-rate")


@tenant_view(Role.ADMIN)
@require_POST
def survey_launch(request: TenantRequest, membership: Membership, survey_id: int) -> HttpResponseBase:
    survey = selectors.access_survey(membership, survey_id)
    attempt(
        request,
        lambda: services.survey_launch(actor=membership, survey=survey),
        "Launched: invitations are on their way.",
    )
    return redirect(survey_url(membership, "detail", survey))


@tenant_view(Role.ADMIN)
@require_POST
def survey_close(request: TenantRequest, membership: Membership, survey_id: int) -> HttpResponseBase:
    survey = selectors.access_survey(membership, survey_id)
    attempt(request, lambda: services.survey_close(actor=membership, survey=survey), "Closed: the results are ready.")
    return redirect(survey_url(membership, "detail", survey))


@tenant_view(Role.ADMIN)
@require_POST
def survey_delete(request: TenantRequest, membership: Membership, survey_id: int) -> HttpResponseBase:
    survey = selectors.access_survey(membership, survey_id)
    if attempt(request, lambda: services.survey_delete(actor=membership, survey=survey), "Draft deleted."):
        return redirect(home_url(membership))
    return redirect(survey_url(membership, "detail", survey))


@tenant_view()
@require_http_methods(["GET", "POST"])
def survey_take(request: TenantRequest, membership: Membership, survey_id: int) -> HttpResponseBase:
    survey = selectors.access_survey(membership, survey_id)
    questions = selectors.survey_questions(survey)
    responded = selectors.has_responded(membership, survey)
    form = TakeForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and not responded and form.is_valid():
        answers = [
            services.AnswerData(q, form.cleaned_data[f"q_{q.pk}"], form.cleaned_data[f"c_{q.pk}"]) for q in questions
        ]
        try:
            services.response_submit(actor=membership, survey=survey, answers=answers)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Thank you: your answers are in. Nobody but you can see them.")
            return redirect(home_url(membership))
    context = {
        "survey": survey,
        "form": form,
        "responded": responded,
        "invited": selectors.in_audience(membership, survey),
        "section": "surveys",
    }
    return render_page(request, "surveys/take.html", context)


@tenant_view()
def survey_results(request: TenantRequest, membership: Membership, survey_id: int) -> HttpResponseBase:
    survey = selectors.access_survey(membership, survey_id)
    context: dict[str, Any] = {"survey": survey, "section": "surveys", "too_few": selectors.TOO_FEW}
    if survey.state != SurveyState.CLOSED:
        context["not_closed"] = True
        return render_page(request, "surveys/results.html", context)
    own = selectors.own_scores(membership, survey)
    context["own"] = own
    context["can_adopt"] = True
    wanted: dict[str, Any] = {ActionAudience.INDIVIDUAL: [(x.theme, x.score) for x in own]}
    if selectors.manager_has_reports(membership):
        context["is_manager"] = True
        line = selectors.group_result(survey, "manager", membership.pk)
        context["line"] = line
        if line is not None:
            wanted[ActionAudience.MANAGER] = [(r.theme, r.score) for r in line.theme_results.all()]
    found = selectors.plans(membership, wanted)  # both plans in one read
    context["own_plan"] = found[ActionAudience.INDIVIDUAL]
    context["team_plan"] = found.get(ActionAudience.MANAGER)
    if can_manage(membership):
        context["can_manage"] = True
        organisation = selectors.group_result(survey, "organisation")
        context["organisation_result"] = organisation
        # Bounded whatever the organisation's size: the teams to look at first (the heatmap has
        # every team) and the first screen of comments.
        context["attention"] = selectors.teams_needing_attention(survey)
        context["comments"] = selectors.comments_page(survey, organisation) if organisation else None
    return render_page(request, "surveys/results.html", context)


@tenant_view(Role.ADMIN)
def survey_comments(request: TenantRequest, membership: Membership, survey_id: int) -> HttpResponseBase:
    """The next screen of a closed survey's comments (HR): appended by htmx under the results
    page's list, or a page of its own without JavaScript."""
    survey = selectors.access_survey(membership, survey_id)
    organisation = selectors.group_result(survey, "organisation") if survey.state == SurveyState.CLOSED else None
    if organisation is None:
        return redirect("surveys:results", org_slug=membership.organisation.slug, survey_id=survey.pk)
    query = parse_query(request, CommentsQuery)
    page = selectors.comments_page(survey, organisation, after=query.cleaned_data.get("after"))
    context = {"survey": survey, "comments": page, "section": "surveys"}
    return render_page(request, "surveys/comments.html", context, region="comment-rows")


@tenant_view()
def trends(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    """Theme trends across closed surveys: one's own, a manager's reporting line, and (HR) the
    organisation's; each a small chart with its numbers in a table beside it."""
    sections = [("Your own scores", selectors.own_trends(membership))]
    if selectors.manager_has_reports(membership):
        sections.append(("Your reporting line", selectors.group_trends(membership, "manager", membership.pk)))
    teams: list[Any] = []
    chosen = None
    if can_manage(membership):
        sections.append(("The organisation", selectors.group_trends(membership, "organisation")))
        teams = selectors.team_choices(membership)
        query = parse_query(request, TrendsQuery)
        chosen = next((t for t in teams if t.pk == query.cleaned_data.get("team")), None)
        if chosen is not None:
            sections.append((f"Team: {chosen.name}", selectors.group_trends(membership, "team", chosen.pk)))
    shown = [
        (title, [(theme, points, trend_chart([p.score for p in points])) for theme, points in data.items()])
        for title, data in sections
    ]
    context = {"sections": shown, "teams": teams, "chosen": chosen, "section": "surveys"}
    return render_page(request, "surveys/trends.html", context)


@tenant_view(Role.ADMIN)
def heatmap(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    query = parse_query(request, HeatmapQuery)
    closed = list(reversed(selectors.closed_surveys(membership)))
    chosen = query.cleaned_data.get("survey")
    survey = next((s for s in closed if s.pk == chosen), closed[0] if closed else None)
    themes, rows = selectors.heatmap(survey) if survey else ([], [])
    # Each cell's class and figure made here, once: 200 teams × their themes through template
    # filters was most of the page's time.
    cells = [(group, [(heat_class(score), _whole(score)) for score in scores]) for group, scores in rows]
    context = {"closed": closed, "survey": survey, "themes": themes, "rows": cells, "section": "surveys"}
    return render_page(request, "surveys/heatmap.html", context)


def _whole(score: Decimal | None) -> str:
    """A score as the pages print it (``floatformat:0``: half up), or a dash when not shown."""
    return "—" if score is None else str(score.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def my_work_card(request: TenantRequest, membership: Membership) -> dict[str, Any] | None:
    """*My work*: the open surveys this member can still take (none: no card)."""
    open_ = [item for item in selectors.surveys_for_member(membership) if item.can_take]
    return {"open": open_} if open_ else None


# ---------------------------------------------------------------- the action library (HR)


def library_url(membership: Membership) -> str:
    return reverse("surveys:library", kwargs={"org_slug": membership.organisation.slug})


def _action_data(form: ActionForm) -> services.ActionData:
    d = form.cleaned_data
    return services.ActionData(theme=d["theme"], audience=d["audience"], title=d["title"], description=d["description"])


@tenant_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def library(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    """The action library: every suggested action by theme, a form to add one, and the score
    under which a theme is suggested."""
    services.bank_ensure(organisation_id=membership.organisation_id)
    posted = request.POST if request.method == "POST" else None
    which = request.POST.get("form") if posted is not None else None
    form = ActionForm(posted if which == "action" else None, actor=membership)
    settings_form = PlanSettingsForm(
        posted if which == "settings" else None, initial={"low_score": plans.low_score(membership.organisation_id)}
    )
    if which == "action" and submit(form, lambda: services.action_create(actor=membership, data=_action_data(form))).ok:
        messages.success(request, "Action added to the library.")
        return redirect(library_url(membership))
    if (
        which == "settings"
        and submit(
            settings_form,
            lambda: services.plan_settings_update(actor=membership, low_score=settings_form.cleaned_data["low_score"]),
        ).ok
    ):
        messages.success(request, "Saved: plans suggest themes under that score.")
        return redirect(library_url(membership))
    actions = selectors.action_list(membership)
    themes: dict[Any, list[Any]] = {}
    for action in actions:
        themes.setdefault(action.theme, []).append(action)
    context = {"form": form, "settings_form": settings_form, "themes": themes, "section": "surveys"}
    return render_page(request, "surveys/library.html", context)


@tenant_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def action_edit(request: TenantRequest, membership: Membership, action_id: int) -> HttpResponseBase:
    action = selectors.access_action(membership, action_id)
    form = ActionForm(request.POST if request.method == "POST" else None, actor=membership, action=action)
    if submit(form, lambda: services.action_update(actor=membership, action=action, data=_action_data(form))).ok:
        messages.success(request, "Action saved.")
        return redirect(library_url(membership))
    context = {"form": form, "action": action, "section": "surveys"}
    return render_page(request, "surveys/action_form.html", context)


@tenant_view(Role.ADMIN)
@require_POST
def action_toggle(request: TenantRequest, membership: Membership, action_id: int) -> HttpResponseBase:
    action = selectors.access_action(membership, action_id)
    active = not action.active
    attempt(
        request,
        lambda: services.action_set_active(actor=membership, action=action, active=active),
        "Suggested again." if active else "No longer suggested.",
    )
    return redirect(library_url(membership))


@tenant_view()
@require_POST
def adopt(request: TenantRequest, membership: Membership, survey_id: int) -> HttpResponseBase:
    """Adopt a suggested action of this survey's plan as a goal, then go to My goals."""
    survey = selectors.access_survey(membership, survey_id)
    form = AdoptForm(request.POST, actor=membership)
    if not form.is_valid():
        messages.error(request, "Choose one of the suggested actions.")
        return redirect(survey_url(membership, "results", survey))
    action = form.cleaned_data["action"]
    if attempt(
        request,
        lambda: services.action_adopt(actor=membership, survey=survey, action=action),
        f"“{action.title}” is now one of your goals (private until you share it).",
    ):
        return redirect(reverse("goals:home", kwargs={"org_slug": membership.organisation.slug}))
    return redirect(survey_url(membership, "results", survey))


def goal_panel(request: TenantRequest, membership: Membership, goal: Any) -> dict[str, Any] | None:
    """``goal_panels`` on a goal's page: the survey theme score it came from and, once a later
    survey has closed, the new score. A personal plan's scores are shown to its owner only."""
    origin = selectors.goal_origin(membership, goal)
    if origin is None:
        return None
    return {"origin": origin}
