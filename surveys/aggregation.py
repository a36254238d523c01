"""The one aggregation step: the only code that reads every answer of a survey.

Row-level security on ``surveys_answer`` admits a row only to its author (migration 0001) or,
for a *closed* survey, inside a transaction that names that survey in ``app.aggregating_survey``.
Only this module sets that (``tests/surveys/test_privacy.py`` fails if another one does). It
turns the answers into stored ``GroupResult``/``ThemeResult``/``CommentResult`` rows for the
groups that pass the threshold and the differencing rules (``surveys.anonymity``); everything
that shows a group's result reads those rows and never the answers.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone

from organisations.models import Membership, Team
from surveys.anonymity import Group, candidate_groups, mean_score, publishable
from surveys.models import (
    Answer,
    Audience,
    CommentResult,
    GroupKind,
    GroupResult,
    Response,
    Survey,
    SurveyState,
    ThemeResult,
)

_AGGREGATING = "app.aggregating_survey"


@contextmanager
def _reading_every_answer_of(survey: Survey) -> Iterator[None]:
    """Let this transaction read all answers of one closed survey, and only for this block."""
    if not connection.in_atomic_block:
        raise RuntimeError("aggregation must run inside a transaction (the setting is transaction-local)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [_AGGREGATING, str(int(survey.pk))])
    try:
        yield
    finally:
        if not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, '', true)", [_AGGREGATING])


def audience_key(survey: Survey) -> str:
    """Two surveys have the same audience when both are for everyone or for the same teams."""
    if survey.audience == Audience.EVERYONE:
        return "everyone"
    teams = sorted(link.team_id for link in survey.audience_teams.all())
    return "teams:" + ",".join(str(t) for t in teams)


def _earlier_groups(survey: Survey) -> dict[str, list[frozenset[int]]]:
    """Respondents of each group published by earlier closed surveys with the same audience."""
    key = audience_key(survey)
    earlier: dict[str, list[frozenset[int]]] = defaultdict(list)
    others = (
        Survey.objects.for_actor(survey)
        .filter(state=SurveyState.CLOSED, aggregated_at__isnull=False)
        .exclude(pk=survey.pk)
        .prefetch_related("audience_teams")
    )
    same = [s.pk for s in others if audience_key(s) == key]
    for group in GroupResult.objects.for_actor(survey).filter(survey_id__in=same):
        earlier[group.key].append(frozenset(group.respondents))
    return earlier


def _group_row(survey: Survey, group: Group) -> GroupResult:
    kind, _, ident = group.key.partition(":")
    return GroupResult(
        organisation_id=survey.organisation_id,
        survey=survey,
        kind=kind,
        team_id=int(ident) if kind == GroupKind.TEAM else None,
        manager_id=int(ident) if kind == GroupKind.MANAGER else None,
        n=group.n,
        respondents=sorted(group.members),
    )


@transaction.atomic
def survey_aggregate(*, survey: Survey) -> list[GroupResult]:
    """(Re)compute the stored results of a closed survey. Idempotent: a re-run replaces them."""
    survey = Survey.objects.for_actor(survey).select_for_update().get(pk=survey.pk)
    if survey.state != SurveyState.CLOSED:
        raise ValueError("only a closed survey is aggregated")
    with _reading_every_answer_of(survey):
        answers = list(
            Answer.objects.for_actor(survey)
            .filter(response__survey=survey)
            .values_list(
                "response__respondent_id", "question__theme_id", "value", "question__reverse_scored", "comment"
            )
        )
    respondents = set(Response.objects.for_actor(survey).filter(survey=survey).values_list("respondent_id", flat=True))
    people = Membership.objects.for_actor(survey).values_list("pk", "team_id", "manager_id")
    teams = dict(Team.objects.for_actor(survey).values_list("pk", "parent_id"))
    groups = candidate_groups(
        respondents,
        team_of={pk: team for pk, team, _ in people},
        team_parent=teams,
        manager_of={pk: boss for pk, _, boss in people},
    )
    published = publishable(groups, survey.anonymity_threshold, _earlier_groups(survey))

    GroupResult.objects.for_actor(survey).filter(survey=survey).delete()
    rows = GroupResult.objects.bulk_create([_group_row(survey, g) for g in published])
    by_person: dict[int, list[tuple[int, int, bool, str]]] = defaultdict(list)
    for person, theme, value, reverse, comment in answers:
        by_person[person].append((theme, value, reverse, comment))
    shuffle = random.SystemRandom()
    theme_rows: list[ThemeResult] = []
    comment_rows: list[CommentResult] = []
    for group, row in zip(published, rows, strict=True):
        per_theme: dict[int, list[tuple[int, bool]]] = defaultdict(list)
        comments: list[tuple[int, str]] = []
        for person in group.members:
            for theme, value, reverse, comment in by_person.get(person, []):
                per_theme[theme].append((value, reverse))
                if comment.strip():
                    comments.append((theme, comment.strip()))
        for theme, items in per_theme.items():
            score = mean_score(items)
            assert score is not None
            theme_rows.append(
                ThemeResult(
                    organisation_id=survey.organisation_id,
                    survey=survey,
                    group=row,
                    theme_id=theme,
                    score=score,
                    n=group.n,
                )
            )
        if row.kind != GroupKind.MANAGER:  # comments go to HR only, who sees the organisation and teams
            shuffle.shuffle(comments)
            comment_rows += [
                CommentResult(
                    organisation_id=survey.organisation_id, survey=survey, group=row, theme_id=t, text=text, position=i
                )
                for i, (t, text) in enumerate(comments)
            ]
    ThemeResult.objects.bulk_create(theme_rows)
    CommentResult.objects.bulk_create(comment_rows)
    Survey.objects.for_actor(survey).filter(pk=survey.pk).update(aggregated_at=timezone.now())
    return rows
