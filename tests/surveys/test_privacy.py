"""Anonymity below the application: row-level security on answers, proven as the application's
own database role in raw SQL, and the one module allowed to lift it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from organisations import rls
from surveys import aggregation
from surveys.models import Answer, Response, SurveyState
from tests.conftest import World
from tests.surveys.worlds import SurveyWorld, as_member

ROOT = Path(__file__).resolve().parents[2]

#: The only code that may read every answer of a survey (by naming the aggregation setting).
ANSWER_READERS: dict[str, str] = {
    "surveys/aggregation.py": "the one aggregation step: answers → stored group results",
    "surveys/migrations/0001_initial.py": "the policy that admits the aggregation step",
}


def answer_rows() -> list[tuple[int, ...]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM surveys_answer")
        return list(cursor.fetchall())


def answer_response_ids() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT response_id FROM surveys_answer")
        return {row[0] for row in cursor.fetchall()}


def responses_of(w: World, survey_id: int) -> dict[int, int]:
    """respondent membership → response id (Response rows are visible to the tenant)."""
    with w.tenant():
        return dict(Response.objects.filter(survey_id=survey_id).values_list("respondent_id", "id"))


@pytest.mark.django_db
def test_the_application_role_reads_only_its_own_answers_in_raw_sql(a: World, s: SurveyWorld) -> None:
    mine = responses_of(a, s.closed.pk)
    assert len(mine) == 5
    for member in a.members:
        with as_member(member):
            assert answer_response_ids() == {mine[member.pk]}, f"{member} sees others' answers"
            assert len(answer_rows()) == len(s.questions)
            assert Answer.objects.count() == len(s.questions)


@pytest.mark.django_db
def test_without_a_user_or_a_tenant_no_answer_is_visible(a: World, s: SurveyWorld) -> None:
    with a.tenant():
        assert Response.objects.filter(survey=s.closed).count() == 5  # the data exists
        assert answer_rows() == []  # the tenant alone (an admin's shell in the tenant) sees none
    assert answer_rows() == []


@pytest.mark.django_db
def test_an_hr_admin_who_did_not_answer_sees_no_answer(a: World, s: SurveyWorld) -> None:
    with a.tenant():
        Response.objects.filter(survey=s.closed, respondent=a.admin).delete()  # its answers go with it
    with as_member(a.admin):
        assert answer_rows() == []
    with as_member(a.employee):
        assert len(answer_rows()) == len(s.questions)


@pytest.mark.django_db
def test_all_tenants_mode_does_not_lift_the_author_policy(a: World, s: SurveyWorld) -> None:
    with rls.dangerously_all_tenants("test: the author policy is separate"):
        assert answer_rows() == []


@pytest.mark.django_db
def test_nobody_writes_an_answer_into_someone_elses_response(a: World, s: SurveyWorld) -> None:
    response_id = responses_of(a, s.closed.pk)[a.employee.pk]
    with (
        as_member(a.manager),
        pytest.raises(DatabaseError, match="row-level security"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO surveys_answer (organisation_id, response_id, question_id, value, comment)"
            " VALUES (%s, %s, %s, 5, '')",
            [a.org.pk, response_id, s.questions[0].pk],
        )


@pytest.mark.django_db
def test_the_aggregation_setting_admits_only_a_closed_survey(a: World, s: SurveyWorld) -> None:
    """Naming an open survey in the aggregation setting reveals nothing: the policy also asks
    that the survey is closed."""
    from tests.surveys.worlds import answer

    answer(a.employee, s.open, {})
    answer(a.report, s.open, {})
    with a.tenant():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.aggregating_survey', %s, true)", [str(s.open.pk)])
        assert s.open.state == SurveyState.OPEN
        assert answer_rows() == []
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.aggregating_survey', %s, true)", [str(s.closed.pk)])
        assert len(answer_rows()) == 5 * len(s.questions)  # the closed one: exactly its answers
        assert answer_response_ids() == set(responses_of(a, s.closed.pk).values())
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.aggregating_survey', '', true)")


@pytest.mark.django_db
def test_aggregation_leaves_the_setting_cleared(a: World, s: SurveyWorld) -> None:
    with a.tenant():
        aggregation.survey_aggregate(survey=s.closed)
        assert rls._get("app.aggregating_survey") == ""
        assert answer_rows() == []


def test_only_the_aggregation_step_names_the_setting_that_reads_every_answer() -> None:
    found = set()
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith((".venv/", "tests/", ".local/")):
            continue
        if re.search(r"aggregating_survey", path.read_text(encoding="utf-8", errors="ignore")):
            found.add(rel)
    assert found == set(ANSWER_READERS), f"new readers of every answer: {found - set(ANSWER_READERS)}"
