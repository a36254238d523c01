"""Every read of surveys. Group results come only from the stored results the aggregation step
wrote (``ThemeResult``); a member's own scores from their own answers, which row-level security
admits to nobody else (and which are filtered by the member explicitly as well)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Window
from django.http import Http404
from django.utils import timezone

from organisations.models import Membership, Team
from surveys.anonymity import mean_score
from surveys.models import (
    Action,
    Answer,
    Audience,
    CommentResult,
    GroupKind,
    GroupResult,
    Question,
    Response,
    Survey,
    SurveyState,
    SurveyTeam,
    Theme,
    ThemeResult,
)
from surveys.permissions import can_manage

TOO_FEW = "Too few responses to protect anonymity."


def theme_list(actor: Membership) -> list[Theme]:
    return list(Theme.objects.for_actor(actor))


def question_bank(actor: Membership, *, active_only: bool = True) -> QuerySet[Question]:
    questions = Question.objects.for_actor(actor).select_related("theme")
    return questions.filter(active=True) if active_only else questions


def audience_team_ids(survey: Survey) -> set[int]:
    """Every team the survey reaches: each chosen team and the teams below it (one query)."""
    chosen = list(SurveyTeam.objects.for_actor(survey).filter(survey=survey).values_list("team_id", flat=True))
    if not chosen:
        return set()
    teams = dict(Team.objects.for_actor(survey).values_list("pk", "parent_id"))
    reached: set[int] = set()
    for team in teams:
        node: int | None = team
        seen: set[int] = set()
        while node is not None and node not in seen:
            seen.add(node)
            if node in chosen:
                reached.add(team)
                break
            node = teams.get(node)
    return reached


def audience_members(survey: Survey) -> QuerySet[Membership]:
    """The active members a survey invites."""
    members = Membership.objects.for_actor(survey).filter(is_active=True).select_related("user")
    if survey.audience == Audience.EVERYONE:
        return members
    return members.filter(team_id__in=audience_team_ids(survey))


def in_audience(actor: Membership, survey: Survey) -> bool:
    if survey.audience == Audience.EVERYONE:
        return True
    return actor.team_id is not None and actor.team_id in audience_team_ids(survey)


def _visible(actor: Membership) -> QuerySet[Survey]:
    surveys = Survey.objects.for_actor(actor)
    return surveys if can_manage(actor) else surveys.exclude(state=SurveyState.DRAFT)


def access_survey(actor: Membership, survey_id: int) -> Survey:
    """A survey of the actor's organisation (a draft only for HR), or 404."""
    survey = _visible(actor).filter(pk=survey_id).first()
    if survey is None:
        raise Http404("No such survey")
    return survey


def survey_list(actor: Membership) -> list[Survey]:
    """HR's list: every survey with its response count."""
    return list(Survey.objects.for_actor(actor).annotate(response_count=Count("responses")).order_by("-created_at"))


@dataclass(frozen=True)
class MemberSurvey:
    survey: Survey
    responded: bool
    can_take: bool


def surveys_for_member(actor: Membership) -> list[MemberSurvey]:
    """Open and closed surveys for this member: the open ones they are invited to (may they still
    answer?) and the closed ones they answered (their results)."""
    mine = Response.objects.for_actor(actor).filter(survey=OuterRef("pk"), respondent=actor)
    surveys = list(_visible(actor).annotate(responded=Exists(mine)).prefetch_related("audience_teams"))
    now = timezone.now()
    shown = []
    teams: dict[int, int | None] | None = None
    for survey in surveys:
        invited = survey.audience == Audience.EVERYONE
        if not invited and actor.team_id is not None:
            if teams is None:
                teams = dict(Team.objects.for_actor(actor).values_list("pk", "parent_id"))
            chosen = {link.team_id for link in survey.audience_teams.all()}
            node: int | None = actor.team_id
            seen: set[int] = set()
            while node is not None and node not in seen and not invited:
                seen.add(node)
                invited = node in chosen
                node = teams.get(node)
        responded = bool(survey.responded)
        if survey.state == SurveyState.OPEN and invited:
            can_take = not responded and survey.opens_at <= now < survey.closes_at
            shown.append(MemberSurvey(survey, responded, can_take))
        elif survey.state == SurveyState.CLOSED and (responded or invited):
            shown.append(MemberSurvey(survey, responded, False))
    return shown


def has_responded(actor: Membership, survey: Survey) -> bool:
    return Response.objects.for_actor(actor).filter(survey=survey, respondent=actor).exists()


def response_count(survey: Survey) -> int:
    return Response.objects.for_actor(survey).filter(survey=survey).count()


def survey_questions(survey: Survey) -> list[Question]:
    return [
        link.question
        for link in survey.survey_questions.select_related("question__theme").order_by(
            "question__theme__position", "position", "pk"
        )
    ]


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class ThemeScore:
    theme: Theme
    score: Decimal


def own_scores(actor: Membership, survey: Survey) -> list[ThemeScore]:
    """The actor's own theme scores in ``survey`` (their own answers: RLS admits nobody else's)."""
    rows = (
        Answer.objects.for_actor(actor)
        .filter(response__survey=survey, response__respondent=actor)
        .values_list("question__theme_id", "value", "question__reverse_scored")
    )
    per_theme: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for theme, value, reverse in rows:
        per_theme[theme].append((value, reverse))
    themes = {t.pk: t for t in Theme.objects.for_actor(actor).filter(pk__in=per_theme)}
    scores = [ThemeScore(themes[t], s) for t, items in per_theme.items() if (s := mean_score(items)) is not None]
    return sorted(scores, key=lambda x: (x.theme.position, x.theme.name))


def _group_q(kind: str, ident: int | None) -> Q:
    if kind == GroupKind.TEAM:
        return Q(kind=kind, team_id=ident)
    if kind == GroupKind.MANAGER:
        return Q(kind=kind, manager_id=ident)
    return Q(kind=GroupKind.ORGANISATION)


def _theme_results(survey: Survey) -> Prefetch:
    """A group's theme results with their themes, in one query (not one for each)."""
    return Prefetch("theme_results", queryset=ThemeResult.objects.for_actor(survey).select_related("theme"))


def group_result(survey: Survey, kind: str, ident: int | None = None) -> GroupResult | None:
    """A published group of ``survey`` with its theme results, or None (too few, or suppressed)."""
    return (
        GroupResult.objects.for_actor(survey)
        .filter(_group_q(kind, ident), survey=survey)
        .prefetch_related(_theme_results(survey))
        .first()
    )


def manager_has_reports(actor: Membership) -> bool:
    return Membership.objects.for_actor(actor).filter(manager=actor).exists()


def team_results(survey: Survey) -> list[GroupResult]:
    """Every published team of a survey, with its theme results (HR)."""
    return list(
        GroupResult.objects.for_actor(survey)
        .filter(survey=survey, kind=GroupKind.TEAM)
        .select_related("team")
        .prefetch_related(_theme_results(survey))
        .order_by("team__name")
    )


#: The results page shows this many teams with the lowest scores; the heatmap shows them all.
ATTENTION_TEAMS = 10
#: Comments per screen on the results page ("Show more" reads the next ones).
COMMENTS_PAGE = 50


@dataclass(frozen=True)
class TeamsNeedingAttention:
    groups: Sequence[GroupResult]  # the lowest mean theme score first
    total: int  # every published team of the survey


def teams_needing_attention(survey: Survey, limit: int = ATTENTION_TEAMS) -> TeamsNeedingAttention:
    """The published teams whose mean theme score is lowest (HR's first question of a survey's
    results), ranked in SQL, with their theme results; and how many teams were published."""
    teams = GroupResult.objects.for_actor(survey).filter(survey=survey, kind=GroupKind.TEAM)
    lowest = list(
        teams.annotate(mean=Avg("theme_results__score"), published=Window(Count("pk")))  # the count before LIMIT
        .select_related("team")
        .prefetch_related(_theme_results(survey))
        .order_by(F("mean").asc(nulls_last=True), "team__name", "pk")[:limit]
    )
    return TeamsNeedingAttention(groups=lowest, total=lowest[0].published if lowest else 0)


@dataclass(frozen=True)
class CommentsPage:
    comments: list[CommentResult]
    next_after: int | None  # the position to read on from, None when these were the last


def comments(survey: Survey, group: GroupResult) -> list[CommentResult]:
    """A published group's comments (HR), in their stored random order, without any author."""
    return list(CommentResult.objects.for_actor(survey).filter(group=group).select_related("theme"))


def comments_page(
    survey: Survey, group: GroupResult, *, after: int | None = None, limit: int = COMMENTS_PAGE
) -> CommentsPage:
    """``comments`` a screen at a time: keyset on the stored position, so the hundredth screen
    costs what the first does."""
    found = CommentResult.objects.for_actor(survey).filter(group=group).select_related("theme").order_by("position")
    if after is not None:
        found = found.filter(position__gt=after)
    rows = list(found[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return CommentsPage(comments=rows, next_after=rows[-1].position if more else None)


def closed_surveys(actor: Membership) -> list[Survey]:
    return list(Survey.objects.for_actor(actor).filter(state=SurveyState.CLOSED).order_by("closes_at", "pk"))


@dataclass(frozen=True)
class TrendPoint:
    survey: Survey
    score: Decimal | None  # None: not published for this group in that survey


def group_trends(actor: Membership, kind: str, ident: int | None = None) -> dict[Theme, list[TrendPoint]]:
    """Per theme, a published group's score in each closed survey (oldest first)."""
    surveys = closed_surveys(actor)
    results = ThemeResult.objects.for_actor(actor).filter(
        group__in=GroupResult.objects.for_actor(actor).filter(_group_q(kind, ident))
    )
    by_key = {(r.survey_id, r.theme_id): r.score for r in results}
    trends: dict[Theme, list[TrendPoint]] = {}
    for theme in theme_list(actor):
        points = [TrendPoint(s, by_key.get((s.pk, theme.pk))) for s in surveys]
        if any(p.score is not None for p in points):
            trends[theme] = points
    return trends


def own_trends(actor: Membership) -> dict[Theme, list[TrendPoint]]:
    """Per theme, the actor's own score in each closed survey they answered."""
    rows = (
        Answer.objects.for_actor(actor)
        .filter(response__respondent=actor, response__survey__state=SurveyState.CLOSED)
        .values_list("response__survey_id", "question__theme_id", "value", "question__reverse_scored")
    )
    per: dict[tuple[int, int], list[tuple[int, bool]]] = defaultdict(list)
    for survey_id, theme_id, value, reverse in rows:
        per[(survey_id, theme_id)].append((value, reverse))
    surveys = [s for s in closed_surveys(actor) if any(k[0] == s.pk for k in per)]
    trends: dict[Theme, list[TrendPoint]] = {}
    for theme in theme_list(actor):
        points = [TrendPoint(s, mean_score(per.get((s.pk, theme.pk), []))) for s in surveys]
        if any(p.score is not None for p in points):
            trends[theme] = points
    return trends


def heatmap(survey: Survey) -> tuple[list[Theme], list[tuple[GroupResult, list[Decimal | None]]]]:
    """HR's heatmap of a survey: published teams × themes (every shown cell passed the rules)."""
    themes = list(Theme.objects.for_actor(survey))
    groups = list(
        GroupResult.objects.for_actor(survey)
        .filter(survey=survey, kind=GroupKind.TEAM)
        .select_related("team")
        .order_by("team__name", "pk")
    )
    # The cells as plain values: a team × theme grid needs no model per cell.
    scores: dict[tuple[int, int], Decimal] = {
        (group_id, theme_id): score
        for group_id, theme_id, score in ThemeResult.objects.for_actor(survey)
        .filter(survey=survey, group__kind=GroupKind.TEAM)
        .values_list("group_id", "theme_id", "score")
        .order_by()
    }
    return themes, [(group, [scores.get((group.pk, t.pk)) for t in themes]) for group in groups]


# ---------------------------------------------------------------- action library and plans


def action_list(actor: Membership, *, active_only: bool = False) -> list[Action]:
    actions = Action.objects.for_actor(actor).select_related("theme")
    return list(actions.filter(active=True) if active_only else actions)


def access_action(actor: Membership, action_id: int) -> Action:
    action = Action.objects.for_actor(actor).select_related("theme").filter(pk=action_id).first()
    if action is None:
        raise Http404("No such action")
    return action


@dataclass(frozen=True)
class PlanTheme:
    theme: Theme
    score: Decimal
    actions: list[Action]


def plan(actor: Membership, scores: list[tuple[Theme, Decimal]], audience: str) -> list[PlanTheme]:
    """A plan: the low themes of ``scores`` (plans.plan_themes) with the library's active
    actions for ``audience``."""
    return plans(actor, {audience: scores})[audience]


def plans(actor: Membership, scores_by_audience: dict[str, list[tuple[Theme, Decimal]]]) -> dict[str, list[PlanTheme]]:
    """``plan`` for several audiences at once (a manager's results page shows their own plan and
    their line's): the threshold and the actions read once, two queries however many plans."""
    from surveys.plans import low_score, plan_themes

    threshold = low_score(actor.organisation_id)
    chosen = {audience: plan_themes(scores, threshold) for audience, scores in scores_by_audience.items()}
    wanted = Q()
    for audience, themes in chosen.items():
        wanted |= Q(audience=audience, theme_id__in=[t.pk for t, _ in themes])
    by_theme: dict[tuple[str, int], list[Action]] = defaultdict(list)
    if any(chosen.values()):
        for action in Action.objects.for_actor(actor).filter(wanted, active=True):
            by_theme[(action.audience, action.theme_id)].append(action)
    return {
        audience: [PlanTheme(theme, score, by_theme.get((audience, theme.pk), [])) for theme, score in themes]
        for audience, themes in chosen.items()
    }


@dataclass(frozen=True)
class GoalOrigin:
    survey: Survey
    theme: Theme
    scope: str
    baseline: Decimal | None  # None: not for this viewer (a personal plan shown to someone else)
    later: Survey | None
    now: Decimal | None
    shows_scores: bool

    @property
    def change(self) -> Decimal | None:
        if self.baseline is None or self.now is None:
            return None
        return self.now - self.baseline


def _own_theme_score(actor: Membership, survey: Survey, theme: Theme) -> Decimal | None:
    return next((x.score for x in own_scores(actor, survey) if x.theme.pk == theme.pk), None)


def goal_origin(viewer: Membership, goal: Any) -> GoalOrigin | None:
    """Where an action-plan goal came from, and what the next closed survey says now. A personal
    plan's scores are the owner's own (from their answers), so only the owner sees them; a team
    plan's are its reporting line's published results."""
    from surveys.models import AdoptedAction, PlanScope

    origin = AdoptedAction.objects.for_actor(viewer).select_related("survey", "theme").filter(goal_id=goal.pk).first()
    if origin is None:
        return None
    later = (
        Survey.objects.for_actor(viewer)
        .filter(state=SurveyState.CLOSED)
        .filter(
            Q(closes_at__gt=origin.survey.closes_at) | Q(closes_at=origin.survey.closes_at, pk__gt=origin.survey.pk)
        )
        .order_by("closes_at", "pk")
    )
    if origin.scope == PlanScope.PERSONAL:
        if viewer.pk != origin.owner_id:
            return GoalOrigin(origin.survey, origin.theme, origin.scope, None, None, None, False)
        answered = later.filter(responses__respondent=viewer).first()
        return GoalOrigin(
            origin.survey,
            origin.theme,
            origin.scope,
            _own_theme_score(viewer, origin.survey, origin.theme),
            answered,
            _own_theme_score(viewer, answered, origin.theme) if answered else None,
            True,
        )
    next_result = (
        ThemeResult.objects.for_actor(viewer)
        .filter(
            theme=origin.theme,
            group__kind=GroupKind.MANAGER,
            group__manager_id=origin.owner_id,
            survey__in=later,
        )
        .select_related("survey")
        .order_by("survey__closes_at", "survey_id")
        .first()
    )
    return GoalOrigin(
        origin.survey,
        origin.theme,
        origin.scope,
        origin.baseline,
        next_result.survey if next_result else None,
        next_result.score if next_result else None,
        True,
    )


def team_choices(actor: Membership) -> list[Team]:
    return list(Team.objects.for_actor(actor).order_by("name"))


def survey_queryset(actor: Membership) -> QuerySet[Survey]:
    """The API's surveys: drafts for HR only, with what the serializer reads prefetched."""
    return _visible(actor).prefetch_related("audience_teams", "survey_questions")


def action_queryset(actor: Membership) -> QuerySet[Action]:
    return Action.objects.for_actor(actor).select_related("theme")
