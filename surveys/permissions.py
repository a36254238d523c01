"""Who may do what with surveys, decided once. HR admins (admin and owner) build, launch and close
surveys, see the organisation's and each team's published results, the heatmap and the comments,
and edit the action library. Every member takes the surveys they are invited to and sees their
own scores; a manager also sees their reporting line's published results."""

from __future__ import annotations

from organisations.errors import NotAllowed
from organisations.models import Membership, Role

HR_MESSAGE = "Only an HR admin can manage surveys."


def can_manage(actor: Membership) -> bool:
    return actor.has_role(Role.ADMIN)


def require_manage(actor: Membership) -> None:
    if not can_manage(actor):
        raise NotAllowed(HR_MESSAGE)
