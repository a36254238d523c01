"""The surveys part of the scale seed (``organisations.scale_seed``): the question bank and one
closed engagement survey of the whole organisation, answered by ``Sizes.survey_responses``
people, with its stored results computed by ``surveys.aggregation`` (the one step that reads every
answer) — so the results pages read what a real close would have left.

Answers can only be written as their author (the restrictive ``author_only`` policy of migration
0001 checks ``app.user_id`` on every row), so they are inserted respondent by respondent, each
after setting that respondent as the current user, in one psycopg pipeline (no round trip each).
The survey is created through ``services.survey_create`` and then put straight into its closed
state: launching it would queue 10,000 invitations and closing it through the service would
notify 8,000 people, which a seed must not do.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from organisations import rls
from organisations.scale_seed import WRITTEN, SeededOrg, copy_rows, reserve_ids
from surveys import aggregation, services
from surveys.models import Answer, CommentResult, GroupResult, Question, Response, Survey, SurveyState, ThemeResult

COMMENTS = [
    "Too many meetings leave little time to think.",
    "The new onboarding guide made a real difference.",
    "I would like clearer priorities from leadership.",
    "Great team, but we are stretched thin this quarter.",
    "More recognition for the support work, please.",
]


def seed(org: SeededOrg) -> str:
    rng, org_id = org.rng, org.organisation.pk
    services.bank_ensure(organisation_id=org_id)
    hr = org.membership(org.hr)
    questions = list(Question.objects.for_actor(hr).filter(active=True).order_by("theme__position", "pk"))
    now = timezone.now()
    opened = now - timedelta(days=40)
    survey = services.survey_create(
        actor=hr,
        data=services.SurveyData(
            title="Autumn engagement",
            description="How is work going? Anonymous: only you see your answers.",
            opens_at=opened,
            closes_at=opened + timedelta(days=14),
            questions=questions,
        ),
    )
    everyone = org.everyone
    Survey.objects.for_actor(hr).filter(pk=survey.pk).update(
        state=SurveyState.CLOSED, invited=len(everyone), launched_at=opened, closed_at=opened + timedelta(days=14)
    )
    respondents = sorted(
        rng.sample(everyone, min(org.sizes.survey_responses, len(everyone))), key=lambda p: p.membership_id
    )
    response_ids = reserve_ids(Response, len(respondents))
    copy_rows(
        Response,
        (
            {"id": rid, "organisation_id": org_id, "survey_id": survey.pk, "respondent_id": p.membership_id,
             "submitted_at": opened + timedelta(hours=rng.randint(1, 300))}
            for rid, p in zip(response_ids, respondents, strict=True)
        ),
    )  # fmt: skip
    # Each team leans its own way, so the heatmap and the by-team results differ.
    lean = {team: rng.gauss(0, 0.4) for team in {p.team_id for p in everyone}}
    # One short statement per respondent (arrays, not 21 rows of placeholders): psycopg parses and
    # caches it once instead of splitting a long query 8,000 times.
    insert = (
        "INSERT INTO surveys_answer (organisation_id, response_id, question_id, value, comment)"
        " SELECT %s, %s, unnest(%s::bigint[]), unnest(%s::smallint[]), unnest(%s::text[])"
    )
    question_ids = [q.pk for q in questions]
    raw = connection.connection
    assert raw is not None
    with raw.pipeline(), raw.cursor() as cursor:
        for n, (rid, person) in enumerate(zip(response_ids, respondents, strict=True)):
            values: list[int] = []
            comments: list[str] = []
            for j, q in enumerate(questions):
                v = max(1, min(5, round(rng.gauss(3.5 + lean[person.team_id], 0.9))))
                values.append(6 - v if q.reverse_scored else v)
                comments.append(COMMENTS[n % len(COMMENTS)] if j == 0 and n % 8 == 0 else "")
            cursor.execute("SELECT set_config(%s, %s, true)", [rls.USER_SETTING, str(person.user_id)])
            cursor.execute(insert, [org_id, rid, question_ids, values, comments])
    rls.set_current_user(None)
    aggregation.survey_aggregate(survey=survey)
    WRITTEN.update(m._meta.db_table for m in (Answer, GroupResult, ThemeResult, CommentResult))  # for ANALYZE
    groups = GroupResult.objects.for_actor(hr).filter(survey=survey).count()
    return f"a closed survey, {len(respondents)} responses × {len(questions)} questions, {groups} published groups"
