"""Demo OKRs for Acme and Globex (run by ``manage.py seed_demo`` after the people seed).

What it builds, per organisation, for the quarter that contains today:

* the fiscal year's cycles (``services.cycles_generate_year``), so the current quarter is active;
* Acme: a one-vision-one-focus company objective whose key results mostly take their progress
  from aligned children, a departmental objective in every department, a thematic objective
  shared by several functions (controlling expenses), team and individual objectives aligned to
  parent key results (employee@acme.test → manager@'s Platform team → Engineering → the focus:
  four levels), a private objective, and a quarter of progress history with a mix of on-track,
  at-risk, off-track and stale (no update for 20+ days) objectives; for manager@acme.test's
  alignment review, one report objective that supports nothing, one key result nobody supports,
  one objective sent back with a comment, and every other objective approved by its owner's
  manager;
* Globex: a small set of the same shape.

Idempotent: an organisation whose focus objective already exists in the current quarter is
left alone, and the fiscal year's cycles are generated only when missing, so running the seed
twice creates nothing new. (A later quarter gets its own set the first time the seed runs in it.)

Everything goes through okrs.services except the back-dated history, which no service can
write: ``ProgressUpdate.created_at`` is ``auto_now_add`` (Django overwrites any given value, in
``create`` and ``bulk_create`` alike) and the table is append-only (a trigger refuses UPDATE,
so rows cannot be back-dated after the fact). The seed therefore INSERTs the past rows with an
explicit ``created_at`` in SQL, and then makes the key result's stored state agree with its
latest row: through ``services.progress_update_create`` when that row is today's, or, for the
deliberately stale key results whose latest update lies weeks back, by storing that update's
value, confidence and time on the key result and rolling up with ``okrs.rollup`` under the
organisation's roll-up lock, exactly as the service does.

Most of its 700 lines are the demo's data (the objective plans of Acme and Globex), which read
best whole, top to bottom.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from django.db import connection
from django.utils import timezone

from okrs import rollup, rules, services
from okrs.fiscal import fiscal_start_year
from okrs.models import (
    Cycle,
    CycleKind,
    KeyResult,
    KeyResultKind,
    KeyResultSource,
    Milestone,
    Objective,
    ObjectiveKind,
    ObjectiveSource,
    Status,
)
from okrs.services import KeyResultData, ObjectiveData
from organisations import rls
from organisations.models import Membership, Organisation, Team

#: Final progress and confidence of a key result, by profile, given the elapsed fraction ``e``
#: of the quarter. The confidence always matches (or is worse than) the pace, so the statuses
#: the demo shows do not depend on the day it is seeded.
PROFILES: dict[str, tuple[Decimal, Decimal, Status]] = {
    # name: (offset from expected, floor, confidence)
    "ahead": (Decimal("0.20"), Decimal(0), Status.ON_TRACK),
    "on": (Decimal("0.05"), Decimal(0), Status.ON_TRACK),
    "risk": (Decimal("-0.20"), Decimal(0), Status.AT_RISK),
    "off": (Decimal("-0.45"), Decimal(0), Status.OFF_TRACK),
}

NOTES = {
    Status.ON_TRACK: ["Good week, moving as planned.", "Shipped what we promised.", "Steady progress."],
    Status.AT_RISK: ["Slipping a little: waiting on another team.", "Scope grew, watching closely."],
    Status.OFF_TRACK: ["Blocked: need a decision.", "We are well behind; replanning next week."],
}


@dataclass(frozen=True)
class KR:
    title: str
    kind: str = KeyResultKind.NUMBER
    start: str = "0"
    target: str = "1"
    unit: str = ""
    currency: str = ""
    owner: str = ""  # e-mail; empty: the objective's owner
    aligned: bool = False  # progress from the objectives aligned to it
    milestones: tuple[str, ...] = ()
    profile: str = "on"
    weight: str = "1"


@dataclass(frozen=True)
class Obj:
    key: str
    title: str
    owner: str
    team: str  # team path under the company ("" = the company)
    level: str
    krs: tuple[KR, ...]
    kind: str = ObjectiveKind.STANDARD
    description: str = ""
    source: str = ObjectiveSource.KEY_RESULTS
    visibility: str = "organisation"
    contributors: tuple[str, ...] = ()
    #: (parent objective key, index of its key result or None for the objective itself, weight, counts)
    parent: tuple[str, int | None, str, bool] | None = None
    stale: bool = False  # last update 20+ days ago
    tags: tuple[str, ...] = field(default=())
    #: The manager's comment when they sent it back; every other objective is approved.
    sent_back: str = ""


ACME_FOCUS = "Become the go-to platform for mid-market teams"
GLOBEX_FOCUS = "Run the leanest operations in the region"


def _acme_plan() -> list[Obj]:
    return [
        Obj(
            "focus",
            ACME_FOCUS,
            "owner@acme.test",
            "",
            "company",
            kind=ObjectiveKind.FOCUS,
            description="One vision, one focus: every team rallies behind self-serve growth this quarter.",
            krs=(
                KR("Ship the self-serve platform", aligned=True, weight="2"),
                KR("Raise net revenue retention from 100 % to 110 %", aligned=True),
                KR(
                    "Grow ARR from €4.0M to €5.0M",
                    kind=KeyResultKind.CURRENCY,
                    start="4000000",
                    target="5000000",
                    currency="EUR",
                    owner="sales.lead@acme.test",
                    profile="on",
                ),
                KR("Win 40 new mid-market customers", aligned=True),
            ),
        ),
        Obj(
            "engineering",
            "Deliver a reliable self-serve platform",
            "eng.lead@acme.test",
            "Engineering",
            "department",
            kind=ObjectiveKind.DEPARTMENTAL,
            parent=("focus", 0, "2", True),
            krs=(
                KR("Platform launch readiness", aligned=True, weight="2"),
                KR("Self-serve onboarding on mobile", aligned=True),
                KR(
                    "Uptime from 99.5 % to 99.95 %",
                    kind=KeyResultKind.PERCENTAGE,
                    start="99.5",
                    target="99.95",
                    unit="%",
                    profile="ahead",
                ),
            ),
        ),
        Obj(
            "product",
            "Make onboarding effortless",
            "product.lead@acme.test",
            "Product",
            "department",
            kind=ObjectiveKind.DEPARTMENTAL,
            parent=("focus", 0, "1", True),
            krs=(
                KR("Cut time to first value from 14 to 3 days", start="14", target="3", unit="days", profile="risk"),
                KR("Run 20 customer interviews", start="0", target="20", unit="interviews", profile="on"),
            ),
        ),
        Obj(
            "sales",
            "Build a predictable mid-market pipeline",
            "sales.lead@acme.test",
            "Sales",
            "department",
            kind=ObjectiveKind.DEPARTMENTAL,
            parent=("focus", 3, "1", True),
            krs=(
                KR(
                    "Qualified pipeline from €0 to €3M",
                    kind=KeyResultKind.CURRENCY,
                    start="0",
                    target="3000000",
                    currency="EUR",
                    profile="off",
                ),
                KR("New mid-market customers", aligned=True),
            ),
        ),
        Obj(
            "cs",
            "Turn customers into advocates",
            "cs.lead@acme.test",
            "Customer Success",
            "department",
            kind=ObjectiveKind.DEPARTMENTAL,
            parent=("focus", 1, "1", True),
            krs=(
                KR(
                    "Monthly gross churn from 3.0 % to 1.5 %",
                    kind=KeyResultKind.PERCENTAGE,
                    start="3.0",
                    target="1.5",
                    unit="%",
                    profile="risk",
                ),
                KR("NPS from 32 to 45", start="32", target="45", unit="points", profile="on"),
                KR("Save at-risk renewals", aligned=True),
            ),
        ),
        Obj(
            "people",
            "Grow a team that wants to stay",
            "hr@acme.test",
            "People",
            "department",
            kind=ObjectiveKind.DEPARTMENTAL,
            parent=("focus", None, "1", False),
            stale=True,
            krs=(
                KR("Engagement score from 7.1 to 8.0", start="7.1", target="8.0", profile="on"),
                KR(
                    "Regretted attrition from 9 % to 5 %",
                    kind=KeyResultKind.PERCENTAGE,
                    start="9",
                    target="5",
                    unit="%",
                    profile="risk",
                ),
            ),
        ),
        Obj(
            "expenses",
            "Keep spending under control",
            "hr@acme.test",
            "",
            "company",
            kind=ObjectiveKind.THEMATIC,
            description="A theme shared by every function: overhead, overtime and tooling spend.",
            contributors=("eng.lead@acme.test", "sales.lead@acme.test", "cs.lead@acme.test", "product.lead@acme.test"),
            tags=("expenses", "finance"),
            krs=(
                KR(
                    "Reduce overhead by 2 %",
                    kind=KeyResultKind.PERCENTAGE,
                    start="0",
                    target="2",
                    unit="%",
                    owner="owner@acme.test",
                    profile="off",
                ),
                KR(
                    "Limit overtime to 400 hours a quarter (from 650)",
                    start="650",
                    target="400",
                    unit="hours",
                    owner="eng.lead@acme.test",
                    profile="risk",
                ),
                KR(
                    "Cut software licences from €120k to €100k",
                    kind=KeyResultKind.CURRENCY,
                    start="120000",
                    target="100000",
                    currency="EUR",
                    owner="cs.lead@acme.test",
                    profile="on",
                ),
            ),
        ),
        Obj(
            "platform",
            "Launch the self-serve platform",
            "manager@acme.test",
            "Engineering/Platform",
            "team",
            parent=("engineering", 0, "1", True),
            krs=(
                KR("Public API complete", aligned=True, weight="2"),
                KR(
                    "Launch checklist",
                    kind=KeyResultKind.MILESTONES,
                    milestones=("Design review", "Private beta", "Security review", "General availability"),
                    profile="ahead",
                ),
                KR("API p95 latency from 450 ms to 200 ms", start="450", target="200", unit="ms", profile="on"),
                # Fed by aligned objectives, and nobody's supports it yet: the team view lists it.
                KR("Partner sandbox adopted by 10 teams", aligned=True),
            ),
        ),
        Obj(
            "mobile",
            "Bring self-serve onboarding to mobile",
            "mobile.lead@acme.test",
            "Engineering/Mobile",
            "team",
            source=ObjectiveSource.BOTH,
            parent=("engineering", 1, "1", True),
            krs=(
                KR("App store rating from 3.9 to 4.5", start="3.9", target="4.5", unit="stars", profile="risk"),
                KR("Onboarding flow live on iOS and Android", kind=KeyResultKind.BOOLEAN, profile="risk"),
            ),
        ),
        Obj(
            "emea",
            "Open the EMEA mid-market",
            "emea.lead@acme.test",
            "Sales/EMEA",
            "team",
            source=ObjectiveSource.BOTH,
            parent=("sales", 1, "1", True),
            krs=(
                KR("New EMEA customers from 0 to 15", start="0", target="15", unit="customers", profile="off"),
                KR("Sign 3 reseller partners", start="0", target="3", unit="partners", profile="risk"),
            ),
        ),
        Obj(
            "emma",
            "Ship the public API v1",
            "employee@acme.test",
            "Engineering/Platform",
            "individual",
            parent=("platform", 0, "1", True),
            krs=(
                KR("Endpoints live from 0 to 24", start="0", target="24", unit="endpoints", profile="on"),
                KR("Reference docs pages from 0 to 40", start="0", target="40", unit="pages", profile="on"),
                KR(
                    "Integration test coverage from 40 % to 85 %",
                    kind=KeyResultKind.PERCENTAGE,
                    start="40",
                    target="85",
                    unit="%",
                    profile="ahead",
                ),
            ),
        ),
        Obj(
            "emma-private",
            "Grow toward a tech-lead role",
            "employee@acme.test",
            "Engineering/Platform",
            "individual",
            visibility="private",
            # Growth that serves the launch's design review, without counting toward its progress.
            parent=("platform", None, "1", False),
            krs=(KR("Lead 2 design reviews", start="0", target="2", unit="reviews", profile="on"),),
        ),
        Obj(
            "platform-engineer",
            "Harden the platform for launch",
            "@Engineering/Platform",
            "Engineering/Platform",
            "individual",
            parent=("platform", None, "1", False),
            sent_back=(
                "This supports the launch but does not count toward it yet. Could the load test become a "
                "key result of the launch checklist, and the incident target a weekly number?"
            ),
            krs=(
                KR("Incidents a month from 6 to 2", start="6", target="2", unit="incidents", profile="on"),
                KR("Load test at 5,000 requests/s passed", kind=KeyResultKind.BOOLEAN, profile="ahead"),
            ),
        ),
        Obj(
            # Supports nothing: the one unaligned objective of manager@acme.test's team.
            "platform-runbook",
            "Write the on-call runbook",
            "@Engineering/Platform",
            "Engineering/Platform",
            "individual",
            krs=(KR("Runbook pages from 0 to 12", start="0", target="12", unit="pages", profile="on"),),
        ),
        Obj(
            "mobile-engineer",
            "Polish the onboarding screens",
            "@Engineering/Mobile",
            "Engineering/Mobile",
            "individual",
            parent=("mobile", None, "1", True),
            krs=(KR("Usability issues fixed from 0 to 18", start="0", target="18", unit="issues", profile="on"),),
        ),
        Obj(
            "account-executive",
            "Close five EMEA deals",
            "@Sales/EMEA",
            "Sales/EMEA",
            "individual",
            parent=("emea", None, "1", True),
            krs=(KR("Deals closed from 0 to 5", start="0", target="5", unit="deals", profile="off"),),
        ),
        Obj(
            "csm",
            "Rescue the renewals at risk",
            "@Customer Success",
            "Customer Success",
            "individual",
            parent=("cs", 2, "1", True),
            stale=True,
            krs=(KR("At-risk accounts renewed from 0 to 8", start="0", target="8", unit="accounts", profile="risk"),),
        ),
    ]


def _globex_plan() -> list[Obj]:
    return [
        Obj(
            "focus",
            GLOBEX_FOCUS,
            "owner@globex.test",
            "",
            "company",
            kind=ObjectiveKind.FOCUS,
            krs=(
                KR("Order-to-delivery from 9 to 5 days", start="9", target="5", unit="days", profile="on"),
                KR("Automate the back office", aligned=True),
            ),
        ),
        Obj(
            "operations",
            "Automate the back office",
            "ops.lead@globex.test",
            "Operations",
            "department",
            kind=ObjectiveKind.DEPARTMENTAL,
            parent=("focus", 1, "1", True),
            krs=(
                KR("Processes automated from 0 to 12", start="0", target="12", unit="processes", profile="on"),
                KR("Invoice errors a month from 40 to 10", start="40", target="10", unit="errors", profile="risk"),
            ),
        ),
        Obj(
            "analyst",
            "Map every order process",
            "analyst@globex.test",
            "Operations",
            "individual",
            parent=("operations", None, "1", False),
            krs=(KR("Processes documented from 0 to 30", start="0", target="30", unit="processes", profile="off"),),
        ),
        Obj(
            "design",
            "Refresh the customer portal",
            "owner@globex.test",
            "Design",
            "department",
            kind=ObjectiveKind.DEPARTMENTAL,
            stale=True,
            krs=(KR("Portal usability score from 60 to 80", start="60", target="80", profile="risk"),),
        ),
    ]


# ---------------------------------------------------------------- building blocks


def _ensure_cycles(organisation: Organisation, admin: Membership, today: date) -> Cycle:
    start_year = fiscal_start_year(organisation, today)
    start = date(start_year, organisation.fiscal_year_start_month, 1)
    if not Cycle.objects.in_organisation(organisation.pk).filter(kind=CycleKind.YEAR, start_date=start).exists():
        services.cycles_generate_year(actor=admin, start_year=start_year, today=today)
    services.cycles_advance(organisation_id=organisation.pk, today=today)
    return Cycle.objects.in_organisation(organisation.pk).get(
        kind=CycleKind.QUARTER, start_date__lte=today, end_date__gte=today
    )


def _value_for(kr: KeyResult, progress: Decimal) -> Decimal:
    """A round value of ``kr`` whose measured progress is close to ``progress``."""
    span = kr.target_value - kr.start_value
    whole = (
        kr.start_value == kr.start_value.to_integral_value() and kr.target_value == kr.target_value.to_integral_value()
    )
    if kr.kind == KeyResultKind.NUMBER and whole:
        step = Decimal(1)  # counted in whole units: "1 review of 2", never "1.4 reviews of 2"
    else:
        step = Decimal(1) if abs(span) >= 20 else Decimal("0.01") if abs(span) < 2 else Decimal("0.1")
    return (kr.start_value + span * progress).quantize(step, rounding=ROUND_HALF_EVEN)


@dataclass
class Reading:
    """One point of a key result's history."""

    at: datetime
    value: Decimal | None
    done: list[int]  # milestone ids done (milestones kind)
    progress: Decimal
    confidence: str
    note: str


def _reading(
    kr: KeyResult, milestones: list[Milestone], at: datetime, progress: Decimal, confidence: str, note: str
) -> Reading:
    if kr.kind == KeyResultKind.MILESTONES:
        count = int((progress * len(milestones)).to_integral_value(rounding=ROUND_HALF_EVEN))
        done = [m.pk for m in milestones[:count]]
        measured = rules.measured_progress(
            kr.kind,
            start=kr.start_value,
            target=kr.target_value,
            current=kr.current_value,
            milestones=[(m.weight, m.pk in done) for m in milestones],
        )
        return Reading(at, None, done, measured, confidence, note)
    value = (Decimal(1) if progress >= Decimal("0.5") else Decimal(0)) if kr.kind == KeyResultKind.BOOLEAN else None
    if value is None:
        value = _value_for(kr, progress)
    measured = rules.measured_progress(kr.kind, start=kr.start_value, target=kr.target_value, current=value)
    return Reading(at, value, [], measured, confidence, note)


def _history(
    kr: KeyResult, milestones: list[Milestone], spec: KR, quarter: Cycle, today: date, *, stale: bool
) -> list[Reading]:
    """Weekly readings from the start of the window to the last update, rising toward the
    profile's final progress (seeded by the title, so every run draws the same numbers)."""
    rng = random.Random(f"{quarter.organisation_id}:{kr.title}")
    offset, floor, confidence = PROFILES[spec.profile]
    # A young quarter has little past: the first readings are the baselines set while planning.
    window_start = min(quarter.start_date, today - timedelta(days=27))
    last_day = today - timedelta(days=21 + rng.randint(0, 4)) if stale else today
    expected = rules.expected_progress(quarter.start_date, quarter.end_date, last_day)
    final = rules.clamp01(max(floor, expected + offset))
    days = max((last_day - window_start).days, 1)
    readings = []
    day = window_start + timedelta(days=2)
    while day < last_day:
        share = Decimal((day - window_start).days) / Decimal(days)
        wobble = Decimal(rng.randint(-3, 3)) / Decimal(100)
        progress = rules.clamp01(final * share + wobble)
        mood = confidence if share > Decimal("0.6") else Status.ON_TRACK
        readings.append(
            _reading(
                kr, milestones, _at(day, rng), progress, mood, rng.choice(NOTES[mood]) if rng.random() < 0.6 else ""
            )
        )
        day += timedelta(days=7)
    readings.append(_reading(kr, milestones, _at(last_day, rng), final, confidence, rng.choice(NOTES[confidence])))
    return readings


def _at(day: date, rng: random.Random) -> datetime:
    moment = datetime.combine(day, time(9, rng.randint(0, 59)), tzinfo=timezone.get_current_timezone())
    return min(moment, timezone.now())


def _insert_past(kr: KeyResult, author: Membership, readings: list[Reading]) -> None:
    """Back-dated history rows. SQL, because ``created_at`` is auto_now_add (see the module
    docstring); the rows are exactly what progress_update_create would have appended then."""
    if not readings:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO okrs_progressupdate"
            " (organisation_id, key_result_id, value, progress, confidence, note, author_id, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [(kr.organisation_id, kr.pk, r.value, r.progress, r.confidence, r.note, author.pk, r.at) for r in readings],
        )


def _store_stale_state(kr: KeyResult, last: Reading) -> None:
    """The key result's stored state as its (weeks-old) latest update left it, rolled up."""
    rollup.lock_organisation(kr.organisation_id)
    if kr.kind == KeyResultKind.MILESTONES:
        Milestone.objects.for_actor(kr).filter(key_result=kr, pk__in=last.done).update(done=True)
    KeyResult.objects.for_actor(kr).filter(pk=kr.pk).update(
        current_value=kr.current_value if last.value is None else last.value,
        confidence=last.confidence,
        last_update_at=last.at,
    )
    rollup.refresh_key_result(KeyResult.objects.for_actor(kr).get(pk=kr.pk))


class _Build:
    def __init__(self, organisation: Organisation, admin: Membership, quarter: Cycle, today: date) -> None:
        self.organisation, self.admin, self.quarter, self.today = organisation, admin, quarter, today
        members = Membership.objects.filter(organisation_id=organisation.pk, is_active=True).select_related("user")
        self.by_email = {m.user.email: m for m in members}
        self.teams: dict[str, Team] = {}
        for team in Team.objects.filter(organisation_id=organisation.pk).select_related("parent__parent"):
            names = [team.name]
            parent = team.parent
            while parent is not None and parent.parent_id is not None:
                names.insert(0, parent.name)
                parent = parent.parent
            self.teams["" if team.parent_id is None else "/".join(names)] = team
        self.members_by_team: dict[str, list[Membership]] = {}
        for member in sorted(members, key=lambda m: m.pk):
            for team_path, team in self.teams.items():
                if member.team_id == team.pk and member.manager_id is not None:
                    self.members_by_team.setdefault(team_path, []).append(member)
        self.objectives: dict[str, Objective] = {}
        self.key_results: dict[str, list[KeyResult]] = {}

    def person(self, ref: str) -> Membership:
        """An e-mail, or ``@team path`` for the first individual contributor of that team (a
        generated demo person, whose address is not fixed)."""
        if ref.startswith("@"):
            leads = {m.pk for m in self.by_email.values() if m.user.email.split("@")[0].endswith("lead")}
            candidates = [
                m
                for m in self.members_by_team.get(ref[1:], [])
                if m.pk not in leads and m.role == "employee" and m.user.email != "employee@acme.test"
            ]
            return candidates[0]
        return self.by_email[ref]

    def objective(self, spec: Obj) -> None:
        objective = services.objective_create(
            actor=self.admin,
            data=ObjectiveData(
                title=spec.title,
                cycle=self.quarter,
                owner=self.person(spec.owner),
                level=spec.level,
                kind=spec.kind,
                description=spec.description,
                team=self.teams[spec.team],
                visibility=spec.visibility,
                progress_source=spec.source,
                tags=list(spec.tags),
                contributors=[self.person(c) for c in spec.contributors],
            ),
        )
        self.objectives[spec.key] = objective
        self.key_results[spec.key] = [
            services.key_result_create(
                actor=self.admin,
                objective=objective,
                data=KeyResultData(
                    title=kr.title,
                    owner=self.person(kr.owner or spec.owner),
                    kind=kr.kind,
                    start_value=kr.start,
                    target_value=kr.target,
                    unit=kr.unit,
                    currency=kr.currency,
                    weight=kr.weight,
                    progress_source=KeyResultSource.ALIGNED_CHILDREN if kr.aligned else KeyResultSource.MANUAL,
                    milestones=list(kr.milestones) or None,
                ),
            )
            for kr in spec.krs
        ]

    def align(self, spec: Obj) -> None:
        if spec.parent is None:
            return
        parent_key, kr_index, weight, counts = spec.parent
        services.alignment_create(
            actor=self.admin,
            child=self.objectives[spec.key],
            parent_objective=self.objectives[parent_key] if kr_index is None else None,
            parent_key_result=None if kr_index is None else self.key_results[parent_key][kr_index],
            weight=weight,
            counts_toward_progress=counts,
        )

    def review(self, spec: Obj) -> None:
        """The owner's manager approves the objective, or sends it back with ``spec.sent_back``
        (the objectives of people without a manager need no approval)."""
        objective = self.objectives[spec.key]
        reviewer = next((m for m in self.by_email.values() if m.pk == objective.owner.manager_id), None)
        if reviewer is None:
            return
        if spec.sent_back:
            services.objective_request_changes(actor=reviewer, objective=objective, comment=spec.sent_back)
        else:
            services.objective_approve(actor=reviewer, objective=objective)

    def progress(self, spec: Obj) -> None:
        for kr_spec, kr in zip(spec.krs, self.key_results[spec.key], strict=True):
            if kr_spec.aligned:
                continue
            owner = self.person(kr_spec.owner or spec.owner)
            milestones = list(Milestone.objects.for_actor(kr).filter(key_result=kr))
            readings = _history(kr, milestones, kr_spec, self.quarter, self.today, stale=spec.stale)
            if spec.stale:
                _insert_past(kr, owner, readings)
                _store_stale_state(kr, readings[-1])
            else:
                _insert_past(kr, owner, readings[:-1])
                last = readings[-1]
                services.progress_update_create(
                    actor=owner,
                    key_result=kr,
                    value=None if kr.kind == KeyResultKind.MILESTONES else last.value,
                    milestones_done=last.done,
                    confidence=last.confidence,
                    note=last.note,
                )


def _seed(organisation: Organisation, admin_email: str, focus_title: str, plan: list[Obj], today: date) -> bool:
    """Seed one organisation's OKRs for the current quarter; False if they were already there."""
    with rls.tenant_context(organisation.pk):
        admin = Membership.objects.select_related("user").get(organisation_id=organisation.pk, user__email=admin_email)
        quarter = _ensure_cycles(organisation, admin, today)
        if Objective.objects.filter(organisation_id=organisation.pk, cycle=quarter, title=focus_title).exists():
            return False
        build = _Build(organisation, admin, quarter, today)
        for spec in plan:
            build.objective(spec)
        for spec in plan:
            build.align(spec)
        for spec in plan:
            build.progress(spec)
        for spec in plan:
            build.review(spec)
        return True


def seed_okrs(today: date | None = None) -> dict[str, bool]:
    """Seed the demo OKRs of Acme and Globex (run after organisations.demo.seed_demo).
    Returns, per organisation slug, whether anything was created."""
    done: dict[str, bool] = {}
    for slug, admin_email, focus, plan in (
        ("acme", "hr@acme.test", ACME_FOCUS, _acme_plan()),
        ("globex", "owner@globex.test", GLOBEX_FOCUS, _globex_plan()),
    ):
        organisation = Organisation.objects.get(slug=slug)
        # Each organisation's own date, like every other "today" (not the server's).
        done[slug] = _seed(organisation, admin_email, focus, plan, today or organisation.today())
    return done


def seed() -> list[str]:
    """``demo_seed`` of the OKR app (after the people): what was seeded, per organisation."""
    return [f"OKRs for {slug}: {'seeded' if created else 'already there'}" for slug, created in seed_okrs().items()]
