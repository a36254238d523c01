"""Every write of surveys: the bank, building, launching, answering and closing a survey.

Closing runs the aggregation step (``surveys.aggregation``) in the same transaction, so a closed
survey always has its stored results. Invitations are an outbox job enqueued with the launch
(``surveys.tasks.send_invitations``); they and the "results are ready" notices go through
``notifications.notify`` with a key, so a retried launch, job or close notifies each person once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from goals.models import Goal, GoalCategory, GoalVisibility
from goals.services import GoalData, goal_create
from notifications.services import notify
from organisations.errors import Conflict
from organisations.models import Membership, Organisation, Team
from surveys import aggregation, selectors
from surveys.bank import THEMES
from surveys.models import (
    MAX_THRESHOLD,
    MIN_THRESHOLD,
    Action,
    ActionAudience,
    AdoptedAction,
    Answer,
    Audience,
    PlanScope,
    PlanSettings,
    Question,
    Response,
    Survey,
    SurveyQuestion,
    SurveyState,
    SurveyTeam,
    Theme,
)
from surveys.permissions import require_manage


@transaction.atomic
def bank_ensure(*, organisation_id: int) -> bool:
    """Give an organisation the seeded themes and question bank once (True when it created them)."""
    if Theme.objects.in_organisation(organisation_id).exists():
        return False
    for position, seed in enumerate(THEMES):
        theme = Theme.objects.create(
            organisation_id=organisation_id, name=seed.name, description=seed.description, position=position
        )
        Question.objects.bulk_create(
            [
                Question(organisation_id=organisation_id, theme=theme, statement=text, reverse_scored=reverse)
                for text, reverse in seed.questions
            ]
        )
    from surveys.plans import library_ensure

    library_ensure(organisation_id=organisation_id)
    return True


@dataclass
class SurveyData:
    title: str
    opens_at: datetime
    closes_at: datetime
    questions: list[Question]
    description: str = ""
    audience: str = Audience.EVERYONE
    teams: list[Team] = field(default_factory=list)
    anonymity_threshold: int = 5


def _validate(actor: Membership, data: SurveyData) -> None:
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = "Give the survey a title."
    if data.closes_at <= data.opens_at:
        errors["closes_at"] = "The survey must close after it opens."
    if not MIN_THRESHOLD <= data.anonymity_threshold <= MAX_THRESHOLD:
        errors["anonymity_threshold"] = f"Between {MIN_THRESHOLD} and {MAX_THRESHOLD} responses."
    if not data.questions:
        errors["questions"] = "Pick at least one question."
    if data.audience not in Audience.values:
        errors["audience"] = "Choose everyone or chosen teams."
    elif data.audience == Audience.TEAMS and not data.teams:
        errors["teams"] = "Choose at least one team, or send the survey to everyone."
    for obj in [*data.questions, *data.teams]:
        if obj.organisation_id != actor.organisation_id:
            errors["questions" if isinstance(obj, Question) else "teams"] = "That belongs to another organisation."
    if errors:
        raise ValidationError(errors)


def _write(survey: Survey, data: SurveyData) -> None:
    survey.title = data.title.strip()
    survey.description = data.description.strip()
    survey.audience = data.audience
    survey.opens_at = data.opens_at
    survey.closes_at = data.closes_at
    survey.anonymity_threshold = data.anonymity_threshold
    survey.save()
    org = survey.organisation_id
    SurveyQuestion.objects.for_actor(survey).filter(survey=survey).delete()
    SurveyQuestion.objects.bulk_create(
        [
            SurveyQuestion(organisation_id=org, survey=survey, question=q, position=i)
            for i, q in enumerate(data.questions)
        ]
    )
    SurveyTeam.objects.for_actor(survey).filter(survey=survey).delete()
    if data.audience == Audience.TEAMS:
        SurveyTeam.objects.bulk_create([SurveyTeam(organisation_id=org, survey=survey, team=t) for t in data.teams])


@transaction.atomic
def survey_create(*, actor: Membership, data: SurveyData) -> Survey:
    require_manage(actor)
    _validate(actor, data)
    survey = Survey(organisation_id=actor.organisation_id, created_by=actor)
    _write(survey, data)
    return survey


def _locked(survey: Survey) -> Survey:
    return Survey.objects.for_actor(survey).select_for_update().get(pk=survey.pk)


@transaction.atomic
def survey_update(*, actor: Membership, survey: Survey, data: SurveyData) -> Survey:
    require_manage(actor)
    survey = _locked(survey)
    if survey.state != SurveyState.DRAFT:
        raise Conflict("A survey can be changed only while it is a draft.")
    _validate(actor, data)
    _write(survey, data)
    return survey


@transaction.atomic
def survey_delete(*, actor: Membership, survey: Survey) -> None:
    require_manage(actor)
    survey = _locked(survey)
    if survey.state != SurveyState.DRAFT:
        raise Conflict("Only a draft can be deleted; close an open survey instead.")
    survey.delete()


def _survey_url(survey: Survey, name: str) -> str:
    slug = Organisation.objects.only("slug").get(pk=survey.organisation_id).slug
    return reverse(f"surveys:{name}", kwargs={"org_slug": slug, "survey_id": survey.pk})


@transaction.atomic
def survey_launch(*, actor: Membership, survey: Survey) -> Survey:
    """Open a draft and invite its audience, in the app and by e-mail (each person once)."""
    require_manage(actor)
    survey = _locked(survey)
    if survey.state != SurveyState.DRAFT:
        raise Conflict("This survey has been launched already.")
    now = timezone.now()
    if survey.closes_at <= now:
        raise ValidationError({"closes_at": "The close date has passed: move it later, then launch."})
    if not SurveyQuestion.objects.for_actor(survey).filter(survey=survey).exists():
        raise ValidationError({"questions": "Pick at least one question before launching."})
    members = list(selectors.audience_members(survey))
    survey.state = SurveyState.OPEN
    survey.launched_at = now
    survey.invited = len(members)
    survey.save(update_fields=["state", "launched_at", "invited"])
    from outbox.services import enqueue
    from surveys.tasks import INVITATIONS_TASK

    enqueue(
        INVITATIONS_TASK,
        organisation_id=survey.organisation_id,
        kwargs={"survey_id": survey.pk, "organisation_id": survey.organisation_id},
        key=f"survey-invite:{survey.pk}",
    )
    return survey


def survey_invite(*, survey_id: int) -> int:
    """Invite every member of an open survey's audience (idempotent per person by its key)."""
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None or survey.state != SurveyState.OPEN:
        return 0
    url = _survey_url(survey, "take")
    sent = 0
    for member in selectors.audience_members(survey):
        done = notify(
            recipient=member,
            kind="survey_invitation",
            title=f"Survey: {survey.title}",
            body=f"Your answers are anonymous. Open until {timezone.localtime(survey.closes_at):%d %b %Y %H:%M}.",
            url=url,
            key=f"survey-invite:{survey.pk}",
            email=True,
        )
        sent += done is not None
    return sent


@dataclass(frozen=True)
class AnswerData:
    question: Question
    value: int
    comment: str = ""


@transaction.atomic
def response_submit(*, actor: Membership, survey: Survey, answers: list[AnswerData]) -> Response:
    """One submission per member, while the survey is open and they are in its audience."""
    survey = Survey.objects.for_actor(actor).select_for_update().get(pk=survey.pk)
    now = timezone.now()
    if survey.state != SurveyState.OPEN or not survey.opens_at <= now < survey.closes_at:
        raise Conflict("This survey is not open for answers.")
    if not selectors.in_audience(actor, survey):
        raise Conflict("This survey is not for your team.")
    wanted = {q.pk for q in selectors.survey_questions(survey)}
    given = {a.question.pk: a for a in answers}
    errors = {}
    for pk in wanted:
        a = given.get(pk)
        if a is None:
            errors[f"q_{pk}"] = "Choose an answer."
        elif not 1 <= a.value <= 5:
            errors[f"q_{pk}"] = "Choose one of the five answers."
    if set(given) - wanted:
        errors["__all__"] = "An answer was for a question that is not in this survey."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            response = Response.objects.create(
                organisation_id=actor.organisation_id, survey=survey, respondent=actor, submitted_at=now
            )
    except IntegrityError:
        raise Conflict("You have answered this survey already: one submission per person.") from None
    Answer.objects.bulk_create(
        [
            Answer(
                organisation_id=actor.organisation_id,
                response=response,
                question=given[pk].question,
                value=given[pk].value,
                comment=given[pk].comment.strip()[:2000],
            )
            for pk in sorted(wanted)
        ]
    )
    return response


@transaction.atomic
def survey_close(*, actor: Membership | None, survey: Survey) -> Survey:
    """Close an open survey (by hand: HR; by date: the beat task, ``actor`` None), compute its
    stored results and tell the respondents their results are ready."""
    if actor is not None:
        require_manage(actor)
    survey = _locked(survey)
    if survey.state != SurveyState.OPEN:
        raise Conflict("Only an open survey can be closed.")
    survey.state = SurveyState.CLOSED
    survey.closed_at = timezone.now()
    survey.save(update_fields=["state", "closed_at"])
    aggregation.survey_aggregate(survey=survey)
    url = _survey_url(survey, "results")
    respondents = Membership.objects.for_actor(survey).filter(
        pk__in=Response.objects.for_actor(survey).filter(survey=survey).values("respondent_id")
    )
    for member in respondents:
        notify(
            recipient=member,
            kind="survey_results",
            title=f"Results of {survey.title}",
            body="Your own scores and suggested actions are ready.",
            url=url,
            key=f"survey-results:{survey.pk}",
        )
    return survey


def surveys_close_due(*, organisation_id: int, now: datetime) -> int:
    """Close every open survey of an organisation whose close time has passed (beat)."""
    due = list(
        Survey.objects.in_organisation(organisation_id)
        .filter(state=SurveyState.OPEN, closes_at__lte=now)
        .order_by("pk")
    )
    for survey in due:
        survey_close(actor=None, survey=survey)
    return len(due)


# ---------------------------------------------------------------- the action library


@dataclass(frozen=True)
class ActionData:
    theme: Theme
    audience: str
    title: str
    description: str = ""


def _validate_action(actor: Membership, data: ActionData) -> None:
    errors = {}
    if not data.title.strip():
        errors["title"] = "Say what the action is."
    if data.theme.organisation_id != actor.organisation_id:
        errors["theme"] = "That belongs to another organisation."
    if data.audience not in ActionAudience.values:
        errors["audience"] = "For a person or for a manager's team."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def action_create(*, actor: Membership, data: ActionData) -> Action:
    require_manage(actor)
    _validate_action(actor, data)
    return Action.objects.create(
        organisation_id=actor.organisation_id,
        theme=data.theme,
        audience=data.audience,
        title=data.title.strip(),
        description=data.description.strip(),
    )


@transaction.atomic
def action_update(*, actor: Membership, action: Action, data: ActionData) -> Action:
    require_manage(actor)
    _validate_action(actor, data)
    action = Action.objects.for_actor(actor).select_for_update().get(pk=action.pk)
    action.theme = data.theme
    action.audience = data.audience
    action.title = data.title.strip()
    action.description = data.description.strip()
    action.save()
    return action


@transaction.atomic
def action_set_active(*, actor: Membership, action: Action, active: bool) -> Action:
    """Retire an action from the suggestions (goals already adopted from it stay) or bring it back."""
    require_manage(actor)
    Action.objects.for_actor(actor).filter(pk=action.pk).update(active=active)
    action.active = active
    return action


@transaction.atomic
def plan_settings_update(*, actor: Membership, low_score: int) -> PlanSettings:
    require_manage(actor)
    if not 0 <= low_score <= 100:
        raise ValidationError({"low_score": "A score from 0 to 100."})
    settings, _ = (
        PlanSettings.objects.for_actor(actor)
        .select_for_update()
        .get_or_create(organisation_id=actor.organisation_id, defaults={"low_score": low_score})
    )
    if settings.low_score != low_score:
        settings.low_score = low_score
        settings.save(update_fields=["low_score"])
    return settings


# ---------------------------------------------------------------- adopting an action as a goal


@transaction.atomic
def action_adopt(*, actor: Membership, survey: Survey, action: Action) -> Goal:
    """Adopt a suggested action of a closed survey's plan as the actor's own goal (category
    action plan), linked to the survey and theme. A person's plan: a theme of their own scores'
    plan; a manager's team plan: a theme of their published reporting line's plan."""
    survey = Survey.objects.for_actor(actor).get(pk=survey.pk)
    if survey.state != SurveyState.CLOSED:
        raise Conflict("Plans are made once the survey has closed.")
    if action.organisation_id != actor.organisation_id or not action.active:
        raise ValidationError({"action": "That action is not in the library."})
    baseline = None
    if action.audience == ActionAudience.INDIVIDUAL:
        own = [(x.theme, x.score) for x in selectors.own_scores(actor, survey)]
        if not own:
            raise Conflict("You did not answer this survey, so it has no personal plan for you.")
        planned = {item.theme.pk for item in selectors.plan(actor, own, ActionAudience.INDIVIDUAL)}
        scope = PlanScope.PERSONAL
    else:
        line = selectors.group_result(survey, "manager", actor.pk)
        if line is None:
            raise Conflict("Your reporting line's results are not shown (too few responses), so it has no team plan.")
        scores = [(r.theme, r.score) for r in line.theme_results.all()]
        planned = {item.theme.pk for item in selectors.plan(actor, scores, ActionAudience.MANAGER)}
        baseline = next((score for theme, score in scores if theme.pk == action.theme_id), None)
        scope = PlanScope.TEAM
    if action.theme_id not in planned:
        raise ValidationError({"action": "That action is for a theme your plan does not suggest."})
    if AdoptedAction.objects.for_actor(actor).filter(survey=survey, action=action, owner=actor).exists():
        raise Conflict("You have adopted this action already: find it in My goals.")
    theme = action.theme
    goal = goal_create(
        actor=actor,
        data=GoalData(
            title=action.title,
            description=(action.description + "\n\n" if action.description else "")
            + f"From the action plan of “{survey.title}”, theme {theme.name}.",
            category=GoalCategory.ACTION_PLAN,
            visibility=GoalVisibility.PRIVATE,
        ),
    )
    AdoptedAction.objects.create(
        organisation_id=actor.organisation_id,
        goal=goal,
        survey=survey,
        theme=theme,
        action=action,
        owner=actor,
        scope=scope,
        baseline=baseline,
    )
    return goal
