"""Engagement surveys: themes, a question bank, surveys, who responded, what they answered, and
the stored group results that already apply the anonymity rules (DESIGN.md, Survey privacy).

Privacy lives in the tables, not in the views:

- ``Response`` says *who* responded to a survey (one per member), never what.
- ``Answer`` says *what*, and its table carries, besides the tenant policy, a restrictive
  row-level-security policy (migration 0001) that admits only the rows whose response belongs to
  the request's user (``app.user_id``). The one exception is ``surveys.aggregation``, which sets a
  transaction-local setting (named there only) to read the answers of one *closed* survey.
- ``GroupResult``/``ThemeResult``/``CommentResult`` are written only by ``surveys.aggregation``
  and only for groups that pass the threshold and the differencing rules; every page and API
  response about a group reads these, never ``Answer``.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower

from organisations.models import Membership, Team, TenantModel

LIKERT = [
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neither agree nor disagree"),
    (4, "Agree"),
    (5, "Strongly agree"),
]


class Theme(TenantModel):
    """What a group of questions measures (Resources, Headspace, …)."""

    name = models.CharField(max_length=60)
    description = models.CharField(max_length=240, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint("organisation", Lower("name"), name="survey_theme_unique_name")]

    def __str__(self) -> str:
        return self.name


class Question(TenantModel):
    """A Likert statement of the bank (1 strongly disagree … 5 strongly agree). A reverse-scored
    statement is worded so that agreeing is bad ("I often feel overwhelmed"): it scores 6 − v."""

    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="questions")
    statement = models.CharField(max_length=240)
    reverse_scored = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["theme__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                "organisation", "theme", Lower("statement"), name="survey_question_unique_statement"
            )
        ]
        indexes = [models.Index(fields=["organisation", "theme"], name="survey_question_org_theme_idx")]

    def __str__(self) -> str:
        return self.statement


class Audience(models.TextChoices):
    EVERYONE = "everyone", "Everyone"
    TEAMS = "teams", "Chosen teams"


class SurveyState(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


MIN_THRESHOLD = 3
MAX_THRESHOLD = 50


class Survey(TenantModel):
    """A survey: questions from the bank, an audience, dates (entered in the organisation's time
    zone, stored as instants), an anonymity threshold, and its state."""

    title = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.EVERYONE)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    anonymity_threshold = models.PositiveSmallIntegerField(default=5)
    state = models.CharField(max_length=8, choices=SurveyState.choices, default=SurveyState.DRAFT)
    #: How many members were invited at launch: the denominator of the response rate.
    invited = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    aggregated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opens_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "state"], name="survey_org_state_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="survey_dates_ordered"),
            models.CheckConstraint(
                condition=models.Q(anonymity_threshold__gte=MIN_THRESHOLD, anonymity_threshold__lte=MAX_THRESHOLD),
                name="survey_threshold_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SurveyTeam(TenantModel):
    """A team of a survey's chosen audience (its whole subtree is invited)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="audience_teams")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "survey", "team"], name="survey_team_unique")]


class SurveyQuestion(TenantModel):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="survey_questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "survey", "question"], name="survey_question_once")
        ]


class Response(TenantModel):
    """That a member responded (one submission per member), and when. Never what: see ``Answer``."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "survey", "respondent"], name="survey_one_response")
        ]


class Answer(TenantModel):
    """One member's answer to one question: readable only by its author (row-level security)."""

    # The database also deletes answers with their response (ON DELETE CASCADE, migration 0001):
    # the ORM's collector cannot see them to delete them (row-level security hides them).
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(choices=LIKERT)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "response", "question"], name="survey_answer_once"),
            models.CheckConstraint(condition=models.Q(value__gte=1, value__lte=5), name="survey_answer_likert"),
        ]


class GroupKind(models.TextChoices):
    ORGANISATION = "organisation", "Organisation"
    TEAM = "team", "Team"
    MANAGER = "manager", "Reporting line"


class GroupResult(TenantModel):
    """A group of respondents whose results were published (it passed the threshold and the
    differencing rules). ``respondents`` are membership ids, kept so a later survey can be checked
    against this one; no page or API shows them."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="groups")
    kind = models.CharField(max_length=12, choices=GroupKind.choices)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    manager = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    n = models.PositiveIntegerField()
    respondents = ArrayField(models.BigIntegerField(), default=list)

    class Meta:
        indexes = [models.Index(fields=["organisation", "survey"], name="survey_group_org_survey_idx")]

    @property
    def key(self) -> str:
        if self.kind == GroupKind.TEAM:
            return f"team:{self.team_id}"
        if self.kind == GroupKind.MANAGER:
            return f"manager:{self.manager_id}"
        return "organisation"


class ThemeResult(TenantModel):
    """A published group's score on one theme, 0–100."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="theme_results")
    group = models.ForeignKey(GroupResult, on_delete=models.CASCADE, related_name="theme_results")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(max_digits=4, decimal_places=1)
    n = models.PositiveIntegerField()

    class Meta:
        ordering = ["theme__position", "theme__name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "group", "theme"], name="survey_theme_result_once")
        ]


class CommentResult(TenantModel):
    """A free-text comment of a published group, for HR only: no author, stored in a random order."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="comment_results")
    group = models.ForeignKey(GroupResult, on_delete=models.CASCADE, related_name="comments")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        indexes = [models.Index(fields=["organisation", "group"], name="survey_comment_org_group_idx")]


class ActionAudience(models.TextChoices):
    INDIVIDUAL = "individual", "For a person"
    MANAGER = "manager", "For a manager's team"


class Action(TenantModel):
    """A suggested action of the organisation's library, for a theme, for a person or a manager."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="actions")
    audience = models.CharField(max_length=12, choices=ActionAudience.choices)
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["theme__position", "audience", "pk"]
        indexes = [models.Index(fields=["organisation", "theme", "audience"], name="survey_action_org_theme_idx")]

    def __str__(self) -> str:
        return self.title


class PlanSettings(TenantModel):
    """The organisation's action-plan rule: themes scoring under ``low_score`` are suggested."""

    low_score = models.PositiveSmallIntegerField(default=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation"], name="survey_plan_settings_once"),
            models.CheckConstraint(condition=models.Q(low_score__lte=100), name="survey_plan_low_score_range"),
        ]


class PlanScope(models.TextChoices):
    PERSONAL = "personal", "Personal plan"
    TEAM = "team", "Team plan"


class AdoptedAction(TenantModel):
    """A goal born of an action plan: which survey, theme and action it came from. A team plan's
    baseline is its reporting line's published score; a personal plan stores no score (it would
    be one person's result in a table others can read): the owner's own answers give it."""

    goal = models.OneToOneField("goals.Goal", on_delete=models.CASCADE, related_name="survey_origin")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="+")
    action = models.ForeignKey(Action, null=True, on_delete=models.SET_NULL, related_name="+")
    owner = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=10, choices=PlanScope.choices)
    baseline = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "survey", "action", "owner"], name="survey_action_adopted_once"
            )
        ]
