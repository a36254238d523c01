"""Who may see, change and comment on a goal: decided here once, asked by selectors, services,
pages and the API alike.

See:
- the owner always;
- ``manager`` visibility: also everyone above the owner in the reporting line (direct and
  indirect managers, through ``organisations.selectors.reporting_line``);
- ``organisation`` visibility: every member of the organisation;
- ``private``: the owner and NOBODY else — not their manager, not an HR admin, not the
  organisation's owner. A role never widens what a person sees of someone's goals.

Change (edit, milestones, progress, complete / abandon / reopen): the owner only. A goal is the
person's own; a manager coaches, they do not rewrite it.

Comment: the owner, and a manager in the owner's reporting line who can see the goal (so a
shared goal becomes a conversation). Colleagues who see an organisation-wide goal read it only.
"""

from __future__ import annotations

from django.db.models import Q

from goals.models import Goal, GoalVisibility
from organisations.errors import NotAllowed
from organisations.models import Membership
from organisations.selectors import reporting_line, reporting_line_ids

EDIT_MESSAGE = "Only the goal's owner can change it."
COMMENT_MESSAGE = "Only the goal's owner and their managers can comment on it."

#: Visibilities a manager in the owner's reporting line sees.
SHARED_WITH_MANAGERS = (GoalVisibility.MANAGER, GoalVisibility.ORGANISATION)


def visible_q(actor: Membership) -> Q:
    """The goals ``actor`` may see, as a filter (the reporting line stays a SQL subquery)."""
    return (
        Q(owner_id=actor.pk)
        | Q(visibility=GoalVisibility.ORGANISATION)
        | Q(visibility=GoalVisibility.MANAGER, owner_id__in=reporting_line(actor).values("pk"))
    )


def manages(actor: Membership, goal: Goal) -> bool:
    """``actor`` is above the goal's owner in the reporting line (one query)."""
    return goal.owner_id != actor.pk and goal.owner_id in reporting_line_ids(actor)


def can_view(actor: Membership, goal: Goal) -> bool:
    if goal.organisation_id != actor.organisation_id:
        return False
    if goal.owner_id == actor.pk or goal.visibility == GoalVisibility.ORGANISATION:
        return True
    if goal.visibility == GoalVisibility.MANAGER:
        return manages(actor, goal)
    return False


def can_edit(actor: Membership, goal: Goal) -> bool:
    return goal.organisation_id == actor.organisation_id and goal.owner_id == actor.pk


def can_comment(actor: Membership, goal: Goal) -> bool:
    if can_edit(actor, goal):
        return True
    return (
        goal.visibility in SHARED_WITH_MANAGERS
        and goal.organisation_id == actor.organisation_id
        and manages(actor, goal)
    )


def require_edit(actor: Membership, goal: Goal) -> None:
    if not can_edit(actor, goal):
        raise NotAllowed(EDIT_MESSAGE)


def require_comment(actor: Membership, goal: Goal) -> None:
    if not can_comment(actor, goal):
        raise NotAllowed(COMMENT_MESSAGE)
