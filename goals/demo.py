"""Demo goals for Acme (run by ``manage.py seed_demo`` after the people seed): goals of every
category and every visibility, in every state, some measured by milestones (part ticked) and some
by hand, with a log that has the manager's comments — so My goals, a goal's page, Shared with me
(manager@acme.test sees employee@'s shared goals; eng.lead@ sees them as an indirect manager) and
My work all have something to show. Private goals are there too: nobody but their owner sees them.

Everything goes through goals.services. Idempotent: a person who already has goals is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from goals import services
from goals.models import Goal, GoalCategory, GoalVisibility, ProgressMode
from goals.services import GoalData
from organisations import rls
from organisations.models import Membership, Organisation

C = GoalCategory
V = GoalVisibility


@dataclass
class Plan:
    owner: str
    title: str
    category: str
    visibility: str
    due_in_days: int | None
    milestones: list[str] = field(default_factory=list)
    ticked: int = 0
    manual: float | None = None
    state: str = "active"
    comments: list[tuple[str, str]] = field(default_factory=list)  # (author e-mail, text)
    description: str = ""


PLANS = [
    Plan(
        "employee@acme.test",
        "Give a talk at the engineering all-hands",
        C.PROFESSIONAL_DEVELOPMENT,
        V.MANAGER,
        45,
        ["Pick a topic", "Write the outline", "Dry run with the team", "Give the talk"],
        ticked=2,
        comments=[
            ("manager@acme.test", "Great topic. Happy to be your dry-run audience."),
            ("employee@acme.test", "Thanks! Booked us a slot next Thursday."),
        ],
        description="Share what we learned migrating the billing service.",
    ),
    Plan(
        "employee@acme.test",
        "Walk at lunchtime three days a week",
        C.WELLBEING,
        V.PRIVATE,
        30,
        manual=0.5,
        description="Away from the screen, whatever the weather.",
    ),
    Plan(
        "employee@acme.test",
        "Finish the PostgreSQL performance course",
        C.PERSONAL_DEVELOPMENT,
        V.ORGANISATION,
        10,
        ["Indexes", "Query plans", "Partitioning", "Final exercise"],
        ticked=3,
    ),
    Plan(
        "employee@acme.test",
        "Hold a weekly no-meeting focus morning",
        C.ACTION_PLAN,
        V.MANAGER,
        60,
        ["Agree the morning with the team", "Block the calendar", "Review after a month"],
        ticked=1,
        description="From the Headspace theme of the last engagement survey.",
    ),
    Plan(
        "employee@acme.test",
        "Learn conversational Spanish",
        C.PERSONAL_DEVELOPMENT,
        V.PRIVATE,
        None,
        manual=0.2,
        state="abandoned",
    ),
    Plan(
        "employee@acme.test",
        "Get the AWS Solutions Architect certificate",
        C.PROFESSIONAL_DEVELOPMENT,
        V.ORGANISATION,
        None,
        ["Course", "Practice exams", "The exam"],
        ticked=3,
        state="completed",
    ),
    Plan(
        "manager@acme.test",
        "Run a skip-level conversation with every report's report",
        C.PROFESSIONAL_DEVELOPMENT,
        V.MANAGER,
        75,
        ["List the people", "Book the slots", "Write up the themes"],
        ticked=1,
        comments=[("eng.lead@acme.test", "Share the themes with me when you have them.")],
    ),
    Plan(
        "manager@acme.test",
        "Recognise one team member's work every week",
        C.ACTION_PLAN,
        V.ORGANISATION,
        90,
        manual=0.3,
        description="From the Recognition theme of the last engagement survey.",
    ),
    Plan("manager@acme.test", "Sleep before midnight on weekdays", C.WELLBEING, V.PRIVATE, 21, manual=0.6),
    Plan(
        "hr@acme.test",
        "Become a certified coach",
        C.PROFESSIONAL_DEVELOPMENT,
        V.MANAGER,
        180,
        ["Choose a programme", "Complete 20 practice hours", "Assessment"],
        ticked=1,
    ),
    Plan("hr@acme.test", "Swim once a week", C.WELLBEING, V.ORGANISATION, None, manual=0.4),
]


def _members(organisation: Organisation) -> dict[str, Membership]:
    return {
        m.user.email: m
        for m in Membership.objects.in_organisation(organisation.pk).select_related("user", "organisation")
    }


def _seed_plan(plan: Plan, members: dict[str, Membership], organisation: Organisation) -> Goal:
    owner = members[plan.owner]
    today = organisation.today()
    goal = services.goal_create(
        actor=owner,
        data=GoalData(
            title=plan.title,
            description=plan.description,
            category=plan.category,
            visibility=plan.visibility,
            due_date=today + timedelta(days=plan.due_in_days) if plan.due_in_days is not None else None,
            milestones=plan.milestones,
            progress_mode=ProgressMode.MILESTONES if plan.milestones else ProgressMode.MANUAL,
        ),
    )
    for milestone in list(goal.milestones.order_by("position"))[: plan.ticked]:
        services.milestone_toggle(actor=owner, milestone=milestone, done=True)
    if plan.manual is not None:
        goal = services.goal_progress_set(actor=owner, goal=goal, progress=plan.manual)
    for author, text in plan.comments:
        services.goal_comment(actor=members[author], goal=goal, text=text)
    if plan.state == "completed":
        goal = services.goal_complete(actor=owner, goal=goal, note="Done!")
    elif plan.state == "abandoned":
        goal = services.goal_abandon(actor=owner, goal=goal, note="Not the right time; maybe next year.")
    return goal


def seed_goals() -> int:
    """Seed Acme's demo goals; returns how many were created (0 when they exist already)."""
    organisation = Organisation.objects.get(slug="acme")
    created = 0
    with rls.tenant_context(organisation.pk):
        members = _members(organisation)
        seeded_owners = set(
            Goal.objects.in_organisation(organisation.pk).values_list("owner__user__email", flat=True).distinct()
        )
        for plan in PLANS:
            if plan.owner in seeded_owners or plan.owner not in members:
                continue
            _seed_plan(plan, members, organisation)
            created += 1
    return created


def seed() -> list[str]:
    """``demo_seed`` of the goals app (after the people)."""
    created = seed_goals()
    return [f"Goals for acme: {created} seeded" if created else "Goals for acme: already there"]
