"""The scoring and anonymity rules of survey results, as pure functions (no queries).

Scoring: an answer 1..5 maps to 0..100 as (v − 1) × 25; a reverse-scored statement first becomes
6 − v. A group's theme score is the mean of its members' mapped answers to that theme's questions.

Publication (``publishable``): a group of respondents (the organisation, a team's subtree, a
manager's reporting line) is published only if

1. it has at least ``threshold`` respondents;
2. no other published group differs from it by fewer than ``threshold`` people (the symmetric
   difference is 0 — the same people — or at least the threshold), so no pair of figures, e.g.
   a parent minus its child or an audience minus a team, isolates a few answers;
3. a published group minus the union of its largest published sub-groups of one tree (the
   sibling partition: a department minus all its teams) leaves 0 or at least ``threshold``;
4. it does not differ by fewer than ``threshold`` people from the same group published by an
   earlier survey with the same audience (two surveys compared).

Whenever a rule fails, the smaller group is suppressed (the organisation, the largest, is kept
longest), and the rules run again until nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def item_score(value: int, reverse_scored: bool) -> int:
    """One answer on the 0–100 scale."""
    if not 1 <= value <= 5:
        raise ValueError(f"a Likert answer is 1..5, not {value}")
    if reverse_scored:
        value = 6 - value
    return (value - 1) * 25


def mean_score(items: Iterable[tuple[int, bool]]) -> Decimal | None:
    """The mean of ``(value, reverse_scored)`` answers on 0–100, to one decimal (None for none)."""
    scores = [item_score(v, r) for v, r in items]
    if not scores:
        return None
    return (Decimal(sum(scores)) / Decimal(len(scores))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Group:
    """A candidate group: its key ("organisation", "team:3", "manager:8"), its family (which tree
    it belongs to: "organisation", "team", "manager") and its respondents (membership ids)."""

    key: str
    family: str
    members: frozenset[int]

    @property
    def n(self) -> int:
        return len(self.members)


def _rank(group: Group) -> tuple[int, int, str]:
    """Which of two groups to keep: the larger; the organisation before others; then by key."""
    return (group.n, 1 if group.family == "organisation" else 0, group.key)


def _smaller(a: Group, b: Group) -> Group:
    return a if _rank(a) < _rank(b) else b


def maximal_subgroups(parent: Group, published: Sequence[Group], family: str) -> list[Group]:
    """The published groups of ``family`` strictly inside ``parent`` that no other such group contains."""
    inside = [g for g in published if g.family == family and g.members < parent.members]
    return [g for g in inside if not any(g.members < other.members for other in inside)]


def _disjoint(groups: Sequence[Group]) -> bool:
    seen: set[int] = set()
    for g in groups:
        if seen & g.members:
            return False
        seen |= g.members
    return True


def violation(
    published: Sequence[Group], threshold: int, earlier: Mapping[str, Sequence[frozenset[int]]]
) -> Group | None:
    """A group that must be suppressed for ``published`` to respect the rules, or None."""
    for g in published:
        if g.n < threshold:
            return g
    for g in published:
        for before in earlier.get(g.key, ()):
            if 0 < len(g.members ^ before) < threshold:
                return g
    for i, a in enumerate(published):
        for b in published[i + 1 :]:
            if 0 < len(a.members ^ b.members) < threshold:
                return _smaller(a, b)
    families = {g.family for g in published} - {"organisation"}
    for parent in published:
        for family in sorted(families):
            children = maximal_subgroups(parent, published, family)
            if not children or not _disjoint(children):
                continue
            rest = parent.members - frozenset().union(*(c.members for c in children))
            if 0 < len(rest) < threshold:
                return min(children, key=_rank)
    return None


def publishable(
    groups: Iterable[Group], threshold: int, earlier: Mapping[str, Sequence[frozenset[int]]] | None = None
) -> list[Group]:
    """The groups that may be published, suppressing until every rule holds (module docstring)."""
    if threshold < 1:
        raise ValueError("the anonymity threshold is at least 1")
    published = sorted({g.key: g for g in groups}.values(), key=lambda g: g.key)
    earlier = earlier or {}
    while (bad := violation(published, threshold, earlier)) is not None:
        published = [g for g in published if g.key != bad.key]
    return published


def candidate_groups(
    respondents: Iterable[int],
    *,
    team_of: Mapping[int, int | None],
    team_parent: Mapping[int, int | None],
    manager_of: Mapping[int, int | None],
) -> list[Group]:
    """Every group a survey could report: the organisation (all respondents), each team's subtree
    and each manager's reporting line (direct and indirect reports, not the manager: a manager
    knows their own answers, so counting them would shrink the crowd they are hidden in).

    ``team_of``: membership → team; ``team_parent``: team → parent team; ``manager_of``:
    membership → manager (membership ids of everyone, respondents or not).
    """
    who = frozenset(respondents)
    by_team: dict[int, set[int]] = {}
    by_manager: dict[int, set[int]] = {}
    for member in who:
        team = team_of.get(member)
        seen_teams: set[int] = set()
        while team is not None and team not in seen_teams:  # a corrupt cycle must not hang aggregation
            seen_teams.add(team)
            by_team.setdefault(team, set()).add(member)
            team = team_parent.get(team)
        boss = manager_of.get(member)
        seen_bosses: set[int] = {member}
        while boss is not None and boss not in seen_bosses:
            seen_bosses.add(boss)
            by_manager.setdefault(boss, set()).add(member)
            boss = manager_of.get(boss)
    groups = [Group("organisation", "organisation", who)]
    groups += [Group(f"team:{t}", "team", frozenset(m)) for t, m in by_team.items()]
    groups += [Group(f"manager:{b}", "manager", frozenset(m)) for b, m in by_manager.items()]
    return groups
