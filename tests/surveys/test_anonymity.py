"""Scoring math and the anonymity rules (surveys.anonymity), with property tests: for random team
trees, reporting lines, audiences and thresholds, no published figure and no pair of published
figures narrows a group of respondents below the threshold."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.anonymity import Group, candidate_groups, item_score, mean_score, publishable


def test_item_scores_map_one_to_five_onto_zero_to_a_hundred() -> None:
    assert [item_score(v, False) for v in range(1, 6)] == [0, 25, 50, 75, 100]


def test_reverse_scored_items_count_six_minus_the_answer() -> None:
    assert [item_score(v, True) for v in range(1, 6)] == [100, 75, 50, 25, 0]


def test_item_score_refuses_values_outside_the_scale() -> None:
    with pytest.raises(ValueError, match="Likert"):
        item_score(0, False)
    with pytest.raises(ValueError, match="Likert"):
        item_score(6, True)


def test_mean_score_mixes_normal_and_reverse_items() -> None:
    # 4 → 75, reverse 2 → 4 → 75, 5 → 100: mean 83.3
    assert mean_score([(4, False), (2, True), (5, False)]) == Decimal("83.3")
    assert mean_score([(1, False), (2, False)]) == Decimal("12.5")
    assert mean_score([]) is None


def g(key: str, family: str, members: range | set[int]) -> Group:
    return Group(key, family, frozenset(members))


def keys(groups: list[Group]) -> set[str]:
    return {x.key for x in groups}


def test_a_group_under_the_threshold_is_not_published() -> None:
    assert keys(publishable([g("organisation", "organisation", range(4))], 5)) == set()
    assert keys(publishable([g("organisation", "organisation", range(5))], 5)) == {"organisation"}


def test_a_child_whose_parent_differs_by_fewer_than_the_threshold_is_suppressed() -> None:
    parent = g("team:1", "team", range(12))
    child = g("team:2", "team", range(9))  # parent − child = 3 people
    assert keys(publishable([parent, child], 5)) == {"team:1"}
    child = g("team:2", "team", range(7))  # parent − child = 5 people
    assert keys(publishable([parent, child], 5)) == {"team:1", "team:2"}


def test_the_same_people_in_two_groups_reveal_nothing_more() -> None:
    assert keys(publishable([g("organisation", "organisation", range(6)), g("team:1", "team", range(6))], 5)) == {
        "organisation",
        "team:1",
    }


def test_siblings_that_cover_all_but_a_few_of_their_parent_lose_the_smallest() -> None:
    parent = g("team:1", "team", range(20))
    a = g("team:2", "team", range(0, 9))
    b = g("team:3", "team", range(9, 18))  # parent − a − b = 2 people
    published = publishable([parent, a, b], 5)
    assert "team:1" in keys(published)
    assert len(keys(published) & {"team:2", "team:3"}) == 1


def test_an_earlier_survey_with_nearly_the_same_people_suppresses_the_group() -> None:
    now = g("organisation", "organisation", range(11))
    assert keys(publishable([now], 5, {"organisation": [frozenset(range(10))]})) == set()
    assert keys(publishable([now], 5, {"organisation": [frozenset(range(11))]})) == {"organisation"}
    assert keys(publishable([now], 5, {"organisation": [frozenset(range(6))]})) == {"organisation"}


def test_candidate_groups_follow_team_subtrees_and_reporting_lines_without_the_manager() -> None:
    # teams: 1 company > 2 department > 3 team; people 10 (boss) > 11 > 12, 13
    groups = {
        x.key: x.members
        for x in candidate_groups(
            [10, 11, 12, 13],
            team_of={10: 1, 11: 2, 12: 3, 13: 3},
            team_parent={1: None, 2: 1, 3: 2},
            manager_of={10: None, 11: 10, 12: 11, 13: 11},
        )
    }
    assert groups["organisation"] == {10, 11, 12, 13}
    assert groups["team:1"] == {10, 11, 12, 13}
    assert groups["team:2"] == {11, 12, 13}
    assert groups["team:3"] == {12, 13}
    assert groups["manager:10"] == {11, 12, 13}
    assert groups["manager:11"] == {12, 13}
    assert "manager:12" not in groups


# ---------------------------------------------------------------- properties


@st.composite
def organisations(
    draw: st.DrawFn,
) -> tuple[list[int], dict[int, int | None], dict[int, int | None], dict[int, int | None]]:
    """A random team tree, people placed in it with a random reporting tree, and an audience."""
    n_teams = draw(st.integers(1, 8))
    team_parent: dict[int, int | None] = {0: None}
    for t in range(1, n_teams):
        team_parent[t] = draw(st.integers(0, t - 1))
    n_people = draw(st.integers(0, 45))
    team_of: dict[int, int | None] = {}
    manager_of: dict[int, int | None] = {}
    for p in range(n_people):
        team_of[p] = draw(st.one_of(st.none(), st.integers(0, n_teams - 1)))
        manager_of[p] = draw(st.one_of(st.none(), st.integers(0, p - 1))) if p else None
    respondents = sorted(draw(st.sets(st.integers(0, max(n_people - 1, 0)), max_size=n_people)) if n_people else [])
    return respondents, team_of, team_parent, manager_of


def assert_no_narrowing(published: list[Group], threshold: int, earlier: dict[str, list[frozenset[int]]]) -> None:
    for x in published:
        assert x.n >= threshold, f"{x.key} published with {x.n} < {threshold}"
        for before in earlier.get(x.key, []):
            d = len(x.members ^ before)
            assert d == 0 or d >= threshold, f"{x.key} differs from the earlier survey by {d}"
    for i, x in enumerate(published):
        for y in published[i + 1 :]:
            d = len(x.members ^ y.members)
            assert d == 0 or d >= threshold, f"{x.key} and {y.key} differ by {d} people"
    # The sibling partition: a group minus its largest published sub-groups of one tree.
    for parent in published:
        for family in ("team", "manager"):
            inside = [c for c in published if c.family == family and c.members < parent.members]
            top = [c for c in inside if not any(c.members < o.members for o in inside)]
            if not top:
                continue
            union: frozenset[int] = frozenset().union(*(c.members for c in top))
            if sum(c.n for c in top) != len(union):
                continue  # overlapping sub-groups are not a partition (pairs still hold above)
            rest = len(parent.members - union)
            assert rest == 0 or rest >= threshold, f"{parent.key} minus its {family} sub-groups leaves {rest}"


@settings(max_examples=300, deadline=None)
@given(world=organisations(), threshold=st.integers(2, 7))
def test_no_published_figure_or_pair_narrows_a_group_below_the_threshold(
    world: tuple[list[int], dict[int, int | None], dict[int, int | None], dict[int, int | None]], threshold: int
) -> None:
    respondents, team_of, team_parent, manager_of = world
    groups = candidate_groups(respondents, team_of=team_of, team_parent=team_parent, manager_of=manager_of)
    published = publishable(groups, threshold)
    assert_no_narrowing(published, threshold, {})
    # The organisation is published whenever it alone is big enough: suppression starts small.
    assert ("organisation" in keys(published)) == (len(respondents) >= threshold)


@settings(max_examples=200, deadline=None)
@given(
    world=organisations(),
    threshold=st.integers(2, 7),
    dropped=st.sets(st.integers(0, 44), max_size=8),
    added=st.sets(st.integers(45, 50), max_size=3),
)
def test_two_surveys_with_the_same_audience_never_differ_by_a_few_people(
    world: tuple[list[int], dict[int, int | None], dict[int, int | None], dict[int, int | None]],
    threshold: int,
    dropped: set[int],
    added: set[int],
) -> None:
    respondents, team_of, team_parent, manager_of = world
    first = publishable(
        candidate_groups(respondents, team_of=team_of, team_parent=team_parent, manager_of=manager_of), threshold
    )
    earlier = {x.key: [x.members] for x in first}
    team_of = {**team_of, **{p: 0 for p in added}}
    again = (set(respondents) - dropped) | added
    second = publishable(
        candidate_groups(again, team_of=team_of, team_parent=team_parent, manager_of=manager_of), threshold, earlier
    )
    assert_no_narrowing(second, threshold, earlier)
