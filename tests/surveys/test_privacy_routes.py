"""No individual answer is ever shown to anyone but its author: every survey page and API read,
the My work and notification pages, and the e-mails, for every role, are searched for a comment
written in a group too small to publish, and non-HR roles for the comments HR may read."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from organisations.models import Membership
from outbox.models import OutboxJob
from outbox.tasks import run_job
from surveys import services
from tests.conftest import World, login
from tests.kit import isolation
from tests.surveys import sweep
from tests.surveys.worlds import SurveyWorld, answer, make_survey

pytestmark = pytest.mark.django_db

SECRET = "SECRET-7f3a-only-the-author"


def _pages(w: World) -> list[str]:
    urls = [
        reverse(case.url_name, kwargs={"org_slug": w.org.slug, **case.ids(w)})
        for case in sweep.HTML_CASES
        if "get" in case.methods
    ]
    urls += [
        isolation._api_url(path, w.org.slug, ids(w))
        for (path, method), ids in sweep.API_CASES.items()
        if method == "get"
    ]
    urls += [
        reverse("organisations:my_work", kwargs={"org_slug": w.org.slug}),
        reverse("notifications:centre", kwargs={"org_slug": w.org.slug}),
    ]
    return urls


@pytest.fixture
def tiny(a: World, s: SurveyWorld) -> Any:
    """A closed survey two people answered (under its threshold of 3), with a secret comment."""
    survey = make_survey(a, "Tiny", s.questions)
    answer(a.employee, survey, {q.pk: 1 for q in s.questions}, comment=SECRET)
    answer(a.report, survey, {q.pk: 5 for q in s.questions}, comment=SECRET + "-2")
    with a.tenant():
        return services.survey_close(actor=a.admin, survey=survey)


def _read_everything(a: World, who: Membership) -> str:
    client = login(Client(), who)
    seen = []
    for url in _pages(a):
        response = client.get(url)
        assert response.status_code in (200, 302, 403), (url, response.status_code)
        seen.append(response.content.decode(errors="ignore"))
    return "\n".join(seen)


def test_no_page_api_read_or_email_shows_an_unpublished_answer(a: World, s: SurveyWorld, tiny: Any) -> None:
    for who in a.members:
        text = _read_everything(a, who)
        assert SECRET not in text, f"{who} sees an individual comment"
        assert "Too few responses to protect anonymity." in text or who.role == "employee"
    with a.tenant():
        jobs = list(OutboxJob.objects.values_list("pk", flat=True))
    for job in jobs:  # invitations, their e-mails, results notices: run them all
        run_job(job, a.org.pk)
    with a.tenant():
        jobs = list(OutboxJob.objects.filter(state="pending").values_list("pk", flat=True))
    for job in jobs:
        run_job(job, a.org.pk)
    assert mail.outbox, "the e-mails were sent (so the check below reads something)"
    for message in mail.outbox:
        assert SECRET not in message.body
        assert all(SECRET not in str(alt[0]) for alt in getattr(message, "alternatives", []))


def test_only_hr_reads_the_published_comments(a: World, s: SurveyWorld) -> None:
    assert "comment 3" in _read_everything(a, a.admin)
    for who in (a.manager, a.employee, a.report):
        assert "comment 3" not in _read_everything(a, who), f"{who} sees a comment"


def test_the_api_has_no_field_for_an_individual_answer(a: World, s: SurveyWorld) -> None:
    client = login(Client(), a.owner)
    for (path, method), ids in sweep.API_CASES.items():
        if method != "get":
            continue
        body = client.get(isolation._api_url(path, a.org.slug, ids(a))).content.decode()
        assert '"value"' not in body, path
        assert '"respondent' not in body, path
