"""Demo surveys for Acme (run by ``manage.py seed_demo`` after the people seed).

What it builds in Acme:

* the themes, question bank and action library;
* two closed engagement surveys ("Spring" and "Autumn") answered by the same 34 people (the
  same respondents, so comparing the two surveys reveals nobody: the cross-survey rule passes),
  with Headspace and Recognition low in spring and better in autumn — results, trends, a
  heatmap and comments to look at;
* after the autumn survey, some people adopt an action of their personal plan and the managers
  whose reporting line was published one of their team plan (action-plan goals);
* an open "Winter pulse" that employee@acme.test has not answered yet (some colleagues have).

Answers are written through ``services.response_submit`` as each respondent (the answers policy
admits only the author's own rows), then the surveys are closed through ``services.survey_close``
(which aggregates) and their dates moved into the past, which no service does. Idempotent: a
survey whose title exists is left alone.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from organisations import rls
from organisations.models import Membership, Organisation
from surveys import selectors, services
from surveys.models import Question, Survey

#: Mean answer (1..5, before reverse scoring) per theme: spring, then autumn.
MOOD = {
    "Resources": (3.6, 3.8),
    "Headspace": (2.6, 3.3),
    "Wellbeing": (3.3, 3.5),
    "Recognition": (2.8, 3.4),
    "Growth": (3.5, 3.6),
    "Purpose": (4.0, 4.1),
    "Relationships": (3.9, 4.0),
}
COMMENTS = [
    "Too many meetings leave little time to think.",
    "The new onboarding guide made a real difference.",
    "I would like clearer priorities from leadership.",
    "Great team, but we are stretched thin this quarter.",
    "More recognition for the support work, please.",
    "Flexible hours help a lot.",
]


def _value(rng: random.Random, mean: float, reverse: bool) -> int:
    v = max(1, min(5, round(rng.gauss(mean, 0.8))))
    return 6 - v if reverse else v


def _answer_all(survey: Survey, people: list[Membership], season: int, rng: random.Random) -> None:
    questions = selectors.survey_questions(survey)
    for i, person in enumerate(people):
        rls.set_current_user(person.user_id)  # the answers policy admits writes by their author only
        answers = [
            services.AnswerData(
                q,
                _value(rng, MOOD[q.theme.name][season], q.reverse_scored),
                COMMENTS[(i + j) % len(COMMENTS)] if j == 0 and i % 4 == 0 else "",
            )
            for j, q in enumerate(questions)
        ]
        services.response_submit(actor=person, survey=survey, answers=answers)
    rls.set_current_user(None)


def _survey(hr: Membership, title: str, questions: list[Question], *, days: int = 14) -> Survey:
    now = timezone.now()
    survey = services.survey_create(
        actor=hr,
        data=services.SurveyData(
            title=title,
            description="How is work going? Anonymous: only you see your answers.",
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=days),
            questions=questions,
        ),
    )
    return services.survey_launch(actor=hr, survey=survey)


def _adopt_some(survey: Survey, respondents: list[Membership], everyone: list[Membership]) -> None:
    """A few people adopt the first action of their personal plan; managers whose reporting line
    was published adopt one of their team plan."""
    from surveys.models import ActionAudience

    for person in respondents[::6]:
        rls.set_current_user(person.user_id)  # their own scores come from their own answers
        own = [(x.theme, x.score) for x in selectors.own_scores(person, survey)]
        plan = selectors.plan(person, own, ActionAudience.INDIVIDUAL)
        if plan and plan[0].actions:
            services.action_adopt(actor=person, survey=survey, action=plan[0].actions[0])
    rls.set_current_user(None)
    for manager in everyone:
        line = selectors.group_result(survey, "manager", manager.pk)
        if line is None:
            continue
        team_plan = selectors.plan(
            manager, [(r.theme, r.score) for r in line.theme_results.all()], ActionAudience.MANAGER
        )
        if team_plan and team_plan[0].actions:
            services.action_adopt(actor=manager, survey=survey, action=team_plan[0].actions[0])


def seed_surveys() -> bool:
    organisation = Organisation.objects.get(slug="acme")
    with rls.tenant_context(organisation.pk):
        services.bank_ensure(organisation_id=organisation.pk)
        if Survey.objects.in_organisation(organisation.pk).filter(title="Spring engagement").exists():
            return False
        hr = Membership.objects.select_related("organisation").get(
            organisation=organisation, user__email="hr@acme.test"
        )
        questions = list(Question.objects.for_actor(hr).order_by("theme__position", "pk"))
        everyone = list(Membership.objects.for_actor(hr).filter(is_active=True).select_related("user").order_by("pk"))
        # manager@ does not answer, so their reporting line is exactly the Platform team's other
        # members and both can be published (had they answered, the two figures would differ by
        # one person, and the line would be suppressed).
        people = [m for m in everyone if m.user.email not in ("employee@acme.test", "manager@acme.test")]
        respondents = people[:34]
        rng = random.Random(8)  # the same demo every time
        now = timezone.now()
        for season, (title, months_ago) in enumerate((("Spring engagement", 8), ("Autumn engagement", 2))):
            survey = _survey(hr, title, questions)
            _answer_all(survey, respondents, season, rng)
            services.survey_close(actor=hr, survey=survey)
            opened = now - timedelta(days=30 * months_ago)
            Survey.objects.for_actor(hr).filter(pk=survey.pk).update(
                opens_at=opened,
                closes_at=opened + timedelta(days=14),
                launched_at=opened,
                closed_at=opened + timedelta(days=14),
            )
        _adopt_some(survey, respondents, everyone)
        pulse = _survey(hr, "Winter pulse", [q for q in questions if not q.reverse_scored][:7])
        _answer_all(pulse, respondents[:9], 1, rng)
    return True


def seed() -> list[str]:
    """``demo_seed`` of the surveys app (after the people)."""
    return ["Surveys for acme: " + ("seeded" if seed_surveys() else "already there")]
