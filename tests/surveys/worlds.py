"""Survey data in a test world: the bank, a draft, an open survey and a closed one that all five
members answered (threshold 3, so the organisation's results are published)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from organisations import rls
from organisations.models import Membership
from surveys import services
from surveys.models import Question, Survey
from tests.conftest import World


@contextmanager
def as_member(m: Membership) -> Iterator[None]:
    """A block inside ``m``'s organisation, as ``m``'s user (what a request of theirs sets)."""
    with rls.tenant_context(m.organisation_id):
        previous = rls._get(rls.USER_SETTING)
        rls.set_current_user(m.user_id)
        try:
            yield
        finally:
            rls.set_current_user(int(previous) if previous else None)


@dataclass
class SurveyWorld:
    questions: list[Question]
    draft: Survey
    open: Survey
    closed: Survey


def answer(m: Membership, survey: Survey, values: dict[int, int], comment: str = "") -> None:
    """``m`` answers every question of ``survey`` (``values``: question id → 1..5, default 4)."""
    with as_member(m):
        from surveys import selectors

        questions = selectors.survey_questions(survey)
        services.response_submit(
            actor=m,
            survey=survey,
            answers=[
                services.AnswerData(q, values.get(q.pk, 4), comment if i == 0 else "") for i, q in enumerate(questions)
            ],
        )


def make_survey(w: World, title: str, questions: list[Question], *, threshold: int = 3, launch: bool = True) -> Survey:
    now = timezone.now()
    with w.tenant():
        survey = services.survey_create(
            actor=w.admin,
            data=services.SurveyData(
                title=title,
                opens_at=now - timedelta(days=1),
                closes_at=now + timedelta(days=7),
                questions=questions,
                anonymity_threshold=threshold,
            ),
        )
        if launch:
            survey = services.survey_launch(actor=w.admin, survey=survey)
    return survey


def build_surveys(w: World) -> SurveyWorld:
    with w.tenant():
        services.bank_ensure(organisation_id=w.org.pk)
        questions = list(Question.objects.for_actor(w.owner).order_by("theme__position", "pk")[:6])
    draft = make_survey(w, f"{w.org.name} draft", questions, launch=False)
    open_ = make_survey(w, f"{w.org.name} pulse", questions)
    closed = make_survey(w, f"{w.org.name} engagement", questions)
    for i, m in enumerate(w.members):
        answer(m, closed, {q.pk: 1 + (i + j) % 5 for j, q in enumerate(questions)}, comment=f"comment {i}")
    with w.tenant():
        closed = services.survey_close(actor=w.admin, survey=closed)
    return SurveyWorld(questions, draft, open_, closed)
