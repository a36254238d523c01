"""Reads for tenancy and people. Every read is scoped to one organisation.

``access_<entity>(actor, id)`` returns one object of the actor's organisation or raises
Http404 — the same answer for an object of another organisation as for one that does not
exist, so ids cannot be probed across tenants.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from organisations import rls
from organisations.errors import NotAllowed
from organisations.models import ApiToken, Invitation, Membership, Organisation, OrganisationActivity, Role, Team, User
from organisations.tokens import hash_token


def enter_organisation(user: AbstractBaseUser | AnonymousUser, slug: str) -> tuple[Organisation, Membership]:
    """Resolve ``slug`` for ``user``, set the tenant and the user for this transaction, return org
    and membership.

    Raises Http404 for an unknown organisation and for one the user is not an active member of.
    """
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None or not user.is_authenticated:
        raise Http404("No such organisation")
    # The user with the tenant, for the policies that admit a row by its author (survey answers):
    # a Bearer token is authenticated after the middleware has run, so pages and the API both
    # set it here.
    rls.set_tenant(organisation.pk, user_id=user.pk)
    membership = (
        Membership.objects.select_related("user", "team")
        .filter(organisation=organisation, user_id=user.pk, is_active=True)
        .first()
    )
    if membership is None:
        rls.set_tenant(None)
        raise Http404("No such organisation")
    membership.organisation = organisation
    return organisation, membership


def require_role(actor: Membership, role: Role) -> None:
    if not actor.has_role(role):
        raise NotAllowed(f"This needs the {Role(role).label} role.")


def user_memberships(user: User | AbstractBaseUser | AnonymousUser) -> list[Membership]:
    """The user's active memberships in every organisation (RLS policy ``own_rows``)."""
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.select_related("organisation")
        .filter(user_id=user.pk, is_active=True)
        .order_by("organisation__name")
    )


def member_list(
    *,
    actor: Membership,
    search: str = "",
    team_id: int | None = None,
    role: str = "",
    status: str = "active",
) -> QuerySet[Membership]:
    qs = Membership.objects.for_actor(actor).select_related("user", "team", "manager__user")
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    if search:
        qs = qs.filter(
            Q(user__full_name__icontains=search) | Q(user__email__icontains=search) | Q(job_title__icontains=search)
        )
    if team_id:
        qs = qs.filter(team_id=team_id)
    if role:
        qs = qs.filter(role=role)
    return qs.annotate(report_count=Count("direct_reports", filter=Q(direct_reports__is_active=True))).order_by(
        "user__full_name", "id"
    )


#: The most people a picker's search offers at once: type more to narrow it.
PEOPLE_SEARCH_LIMIT = 20


def pickable_members(*, actor: Membership, scope: str = "") -> QuerySet[Membership]:
    """The active members a person picker may offer the actor: the whole organisation, or with
    ``scope="line"`` the actor's reporting line (a manager asking a report to align)."""
    members = Membership.objects.for_actor(actor).filter(is_active=True)
    if scope == "line":
        members = members.filter(pk__in=_reports_sql(actor))
    return members.select_related("user", "team")


def member_search(*, actor: Membership, query: str, scope: str = "") -> list[Membership]:
    """What a person picker offers the actor as one types ``query`` (``pickable_members``)."""
    return search_members(pickable_members(actor=actor, scope=scope), query)


def search_members(members: QuerySet[Membership], query: str, limit: int = PEOPLE_SEARCH_LIMIT) -> list[Membership]:
    """Those of ``members`` whose name or e-mail contains ``query``, by name, at most ``limit``
    (nothing for an empty query: 10,000 names are no choice). One query."""
    query = query.strip()
    if not query:
        return []
    return list(
        members.filter(Q(user__full_name__icontains=query) | Q(user__email__icontains=query))
        .select_related("user", "team")
        .order_by("user__full_name", "id")[:limit]
    )


def member_choice(*, actor: Membership, membership_id: int | None) -> Membership | None:
    """The member a picker holds (a filter's value), to show by name; None if there is none."""
    if membership_id is None:
        return None
    return Membership.objects.for_actor(actor).select_related("user", "team").filter(pk=membership_id).first()


def direct_reports(*, actor: Membership) -> list[Membership]:
    return list(
        Membership.objects.for_actor(actor)
        .filter(manager=actor, is_active=True)
        .select_related("user", "team")
        .order_by("user__full_name")
    )


def access_membership(actor: Membership, membership_id: int) -> Membership:
    membership = (
        Membership.objects.select_related("user", "team", "manager__user")
        .filter(organisation_id=actor.organisation_id, pk=membership_id)
        .first()
    )
    if membership is None:
        raise Http404("No such person")
    return membership


def team_list(*, actor: Membership) -> QuerySet[Team]:
    return Team.objects.for_actor(actor).annotate(member_count=Count("members", filter=Q(members__is_active=True)))


def team_tree(*, actor: Membership) -> list[tuple[Team, int]]:
    """Teams in depth-first order with their depth, from one query."""
    teams = list(team_list(actor=actor).order_by("name"))
    children: dict[int | None, list[Team]] = {}
    for team in teams:
        children.setdefault(team.parent_id, []).append(team)
    ordered: list[tuple[Team, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for team in children.get(parent_id, []):
            ordered.append((team, depth))
            walk(team.pk, depth + 1)

    walk(None, 0)
    return ordered


def team_path(team: Team, teams_by_id: dict[int, Team]) -> str:
    parts = [team.name]
    parent_id = team.parent_id
    while parent_id is not None and parent_id in teams_by_id:
        parent = teams_by_id[parent_id]
        parts.append(parent.name)
        parent_id = parent.parent_id
    return " / ".join(reversed(parts))


def access_team(actor: Membership, team_id: int) -> Team:
    team = Team.objects.for_actor(actor).filter(pk=team_id).first()
    if team is None:
        raise Http404("No such team")
    return team


def organisation_activity(*, actor: Membership, limit: int = 10) -> list[OrganisationActivity]:
    """The latest entries of the organisation's activity log (settings changes), newest first."""
    return list(OrganisationActivity.objects.for_actor(actor).select_related("actor__user")[:limit])


def invitation_list(*, actor: Membership) -> QuerySet[Invitation]:
    return Invitation.objects.for_actor(actor).select_related("team", "invited_by__user")


def invitation_list_with_email_state(*, actor: Membership) -> list[Invitation]:
    """The invitations, each with ``email_state``: the state of its latest e-mail job (pending,
    sent, failed, or "" when none was asked for), in two queries whatever the count."""
    from organisations.tasks import INVITATION_EMAIL_TASK
    from outbox.selectors import latest_jobs_by_kwarg

    invitations = list(invitation_list(actor=actor)[:200])
    jobs = latest_jobs_by_kwarg(
        organisation_id=actor.organisation_id,
        task=INVITATION_EMAIL_TASK,
        kwarg="invitation_id",
        values=[i.pk for i in invitations],
    )
    for invitation in invitations:
        job = jobs.get(invitation.pk)
        invitation.email_state = job.state if job is not None else ""  # type: ignore[attr-defined]
    return invitations


def access_invitation(actor: Membership, invitation_id: int) -> Invitation:
    invitation = invitation_list(actor=actor).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404("No such invitation")
    return invitation


def invitation_by_token(organisation: Organisation, raw_token: str) -> Invitation | None:
    """The invitation a raw token opens; the caller has set ``organisation`` as the tenant."""
    return (
        Invitation.objects.select_related("organisation", "team")
        .filter(organisation=organisation, token_hash=hash_token(raw_token))
        .first()
    )


def api_token_list(*, user: User | AbstractBaseUser) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user_id=user.pk, revoked_at__isnull=True)


# ---------------------------------------------------------------- reporting lines and team subtrees
# Answered inside SQL (recursive CTEs as subqueries), so a caller filters by them without shipping
# id lists back to the database; goals, check-ins and OKR visibility all use these.


def _reports_sql(manager: Membership) -> RawSQL:
    return RawSQL(
        """
        WITH RECURSIVE down(id) AS (
            SELECT id FROM organisations_membership WHERE manager_id = %s AND organisation_id = %s
            UNION
            SELECT m.id FROM organisations_membership m JOIN down ON m.manager_id = down.id
             WHERE m.organisation_id = %s
        ) SELECT id FROM down
        """,
        [manager.pk, manager.organisation_id, manager.organisation_id],
    )


def reporting_line(manager: Membership) -> QuerySet[Membership]:
    """Everyone who reports to ``manager``, directly or indirectly (active or not)."""
    return Membership.objects.for_actor(manager).filter(pk__in=_reports_sql(manager))


def member_only(*, actor: Membership, membership_id: int) -> QuerySet[Membership]:
    """One member as a queryset (for selectors that take ``owners`` as a subquery)."""
    return Membership.objects.for_actor(actor).filter(pk=membership_id)


def page_by_name(
    members: QuerySet[Membership], *, after: Membership | None, limit: int
) -> tuple[list[Membership], bool]:
    """``members`` by name (then id), the ``limit`` after ``after`` (keyset: the hundredth screen
    costs what the first does), and whether more follow. The lists of people that page (the
    team view's reports, the adoption report's people) share this one order."""
    members = members.select_related("user", "team", "manager__user").order_by("user__full_name", "id")
    if after is not None:
        name = after.user.full_name
        members = members.filter(Q(user__full_name__gt=name) | Q(user__full_name=name, pk__gt=after.pk))
    page = list(members[: limit + 1])
    return page[:limit], len(page) > limit


def reporting_line_subquery(manager: Membership) -> RawSQL:
    """The ids of ``reporting_line(manager)`` as a bare SQL subquery (``field__in=``): the
    recursive CTE alone, scoped to the organisation inside, without the outer membership scan
    that ``reporting_line(...).values("pk")`` adds."""
    return _reports_sql(manager)


def reporting_line_ids(manager: Membership) -> set[int]:
    """Ids of ``reporting_line(manager)``, for checks on one object at a time."""
    return set(reporting_line(manager).values_list("pk", flat=True))


def team_subtree(actor: Membership, team_id: int | None) -> QuerySet[Team]:
    """The team and every team below it (none for no team)."""
    if team_id is None:
        return Team.objects.none()
    below = RawSQL(
        """
        WITH RECURSIVE below(id) AS (
            SELECT %s::bigint
            UNION
            SELECT t.id FROM organisations_team t JOIN below ON t.parent_id = below.id
             WHERE t.organisation_id = %s
        ) SELECT id FROM below
        """,
        [team_id, actor.organisation_id],
    )
    return Team.objects.for_actor(actor).filter(pk__in=below)


def team_ancestry(actor: Membership, team_id: int | None) -> QuerySet[Team]:
    """The team and every team above it, up to the company (none for no team)."""
    if team_id is None:
        return Team.objects.none()
    above = RawSQL(
        """
        WITH RECURSIVE above(id, parent_id) AS (
            SELECT t.id, t.parent_id FROM organisations_team t WHERE t.id = %s AND t.organisation_id = %s
            UNION
            SELECT t.id, t.parent_id FROM organisations_team t JOIN above ON t.id = above.parent_id
             WHERE t.organisation_id = %s
        ) SELECT id FROM above
        """,
        [team_id, actor.organisation_id, actor.organisation_id],
    )
    return Team.objects.for_actor(actor).filter(pk__in=above)


def access_reporting_line_of(actor: Membership, manager_id: int | None) -> Membership:
    """Whose reports ``actor`` may look at: their own; anyone's for HR admins (404 outside the
    organisation, 403 for a member asking for someone else's)."""
    if manager_id is None or manager_id == actor.pk:
        return actor
    if not actor.is_admin:
        raise NotAllowed("Only HR admins look at another manager's team.")
    return access_membership(actor, manager_id)


def manager_chain_ids(membership: Membership) -> list[int]:
    """Ids of the membership's managers, nearest first (one recursive query)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE chain(id, manager_id, depth) AS (
                SELECT id, manager_id, 0 FROM organisations_membership
                 WHERE id = %s AND organisation_id = %s
                UNION ALL
                SELECT m.id, m.manager_id, c.depth + 1
                  FROM organisations_membership m JOIN chain c ON m.id = c.manager_id
                 WHERE m.organisation_id = %s AND c.depth < 1000
            ) CYCLE id SET is_cycle USING path
            SELECT id FROM chain WHERE id <> %s AND NOT is_cycle ORDER BY depth
            """,
            [membership.pk, membership.organisation_id, membership.organisation_id, membership.pk],
        )
        return [row[0] for row in cursor.fetchall()]
