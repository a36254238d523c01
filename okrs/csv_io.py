"""CSV export and import of a cycle's OKRs.

Export: one row per key result, the objective's columns repeated on each (an objective without
key results has one row; an objective with more parents than key results gets extra rows that
carry only the parent). Only what the actor may see is exported. Cells of user text that a
spreadsheet would run as a formula are prefixed with an apostrophe, which the import strips.

Import (admins and managers): a dry run that previews every row with its errors, then an
all-or-nothing import that goes through okrs.services (objective_create, key_result_create,
alignment_create), so every permission and validation rule of the UI holds. Rows belong to the
same objective when they share its title and owner e-mail.

About 550 lines, kept in one module on purpose: export and import are two directions of one file
format, sharing its column table and value maps, and splitting them would put the format in two
places.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q
from django.http import StreamingHttpResponse
from django.utils.text import slugify

from okrs import selectors, services
from okrs import status as okr_status
from okrs.models import (
    Cycle,
    KeyResult,
    KeyResultKind,
    KeyResultSource,
    Level,
    Milestone,
    Objective,
    ObjectiveKind,
    Visibility,
    level_rank,
)
from okrs.permissions import Access
from okrs.services.common import MAX_WEIGHT, MILESTONE_TITLE_MAX, NumberInputError, read_number
from organisations import rls
from organisations import selectors as org_selectors
from organisations.csv_files import cell, read_table, streamed_download, write_table
from organisations.models import Membership, Role, Team, TeamKind
from organisations.selectors import require_role

MAX_ROWS = 2000

#: (key, header) in export order. The last four are informative: the import ignores them.
COLUMNS: list[tuple[str, str]] = [
    ("objective_title", "objective title"),
    ("level", "level"),
    ("kind", "kind"),
    ("owner_email", "owner email"),
    ("team_path", "team path"),
    ("visibility", "visibility"),
    ("kr_title", "key result title"),
    ("kr_kind", "key result kind"),
    ("start", "start"),
    ("target", "target"),
    ("unit", "unit"),
    ("weight", "weight"),
    ("milestones", "milestones"),
    ("kr_source", "key result source"),
    ("parent_title", "parent objective title"),
    ("parent_kr_title", "parent key result title"),
    ("current", "current"),
    ("progress", "progress %"),
    ("status", "status"),
    ("confidence", "confidence"),
]
INFORMATIVE = {"current", "progress", "status", "confidence"}
HEADERS = {header: key for key, header in COLUMNS} | {
    "objective": "objective_title",
    "owner": "owner_email",
    "team": "team_path",
    "key result": "kr_title",
    "parent objective": "parent_title",
    "parent": "parent_title",
    "parent key result": "parent_kr_title",
    "progress": "progress",
}
REQUIRED = ("objective_title", "owner_email")
MILESTONE_SEPARATOR = ";"


def _choices(enum: type[Level] | type[ObjectiveKind] | type[Visibility] | type[KeyResultKind]) -> dict[str, str]:
    """Values and labels, case-insensitive: "focus" and "One vision, one focus" both work."""
    found: dict[str, str] = {}
    for value, label in enum.choices:
        found[str(value).lower()] = str(value)
        found[str(label).lower()] = str(value)
    return found


LEVELS = _choices(Level)
KINDS = _choices(ObjectiveKind)
VISIBILITIES = _choices(Visibility) | {"everyone": Visibility.ORGANISATION, "organization": Visibility.ORGANISATION}
KR_KINDS = _choices(KeyResultKind) | {"done": KeyResultKind.BOOLEAN, "percent": KeyResultKind.PERCENTAGE}
KR_SOURCES = _choices(KeyResultSource)  # type: ignore[arg-type]


# ---------------------------------------------------------------- export


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


#: Objectives read per batch of the streamed export (with their key results, milestones and
#: parents): what bounds its memory, and 4 queries each.
EXPORT_BATCH = 1000

_OBJECTIVE_COLUMNS = (
    "pk",
    "title",
    "level",
    "kind",
    "owner__user__email",
    "team_id",
    "visibility",
    "measured",
    "progress",
    "worst_key_result_progress",
    "worst_confidence",
    "level_rank",
)
_KEY_RESULT_COLUMNS = (
    "objective_id",
    "title",
    "kind",
    "start_value",
    "target_value",
    "currency",
    "unit",
    "weight",
    "milestone_titles",
    "progress_source",
    "current_value",
    "progress",
    "confidence",
    "measured",
)


@dataclass
class _Export:
    """What every batch of one export shares: the reader, the cycle, the date and the teams."""

    actor: Membership
    cycle: Cycle
    access: Access
    today: date
    teams: dict[int, Team] | None = None


def export_rows(*, actor: Membership, cycle: Cycle) -> list[list[str]]:
    """The rows of the export (header first), all at once: for tests and small callers; the
    download streams ``export_chunks`` instead."""
    with rls.stream_batch_context(actor.organisation_id):
        return [list(row) for batch in _export_batches(actor=actor, cycle=cycle) for row in batch]


def _export_batches(*, actor: Membership, cycle: Cycle) -> Iterator[list[list[str]]]:
    """The header, then the rows of each batch of ``EXPORT_BATCH`` objectives, read by keyset
    (level rank, title, id: the order of ``selectors.by_level``). Each batch is 4 queries, whatever
    the cycle's size. The caller decides the transaction and tenant of each batch."""
    yield [[header for _, header in COLUMNS]]
    export = _Export(actor=actor, cycle=cycle, access=Access(actor), today=actor.organisation.today())
    after: tuple[int, str, int] | None = None
    while True:
        objectives = _objective_batch(export, after)
        if not objectives:
            return
        yield _batch_rows(export, objectives)
        if len(objectives) < EXPORT_BATCH:
            return
        last = objectives[-1]
        after = (last["level_rank"], last["title"], last["pk"])


def _objective_batch(export: _Export, after: tuple[int, str, int] | None) -> list[dict[str, Any]]:
    objectives = (
        selectors.visible_objectives(actor=export.actor, access=export.access)
        .filter(cycle=export.cycle)
        .annotate(level_rank=level_rank())
    )
    if after is not None:
        rank, title, pk = after
        objectives = objectives.filter(
            Q(level_rank__gt=rank) | Q(level_rank=rank, title__gt=title) | Q(level_rank=rank, title=title, pk__gt=pk)
        )
    return list(objectives.order_by("level_rank", "title", "pk").values(*_OBJECTIVE_COLUMNS)[:EXPORT_BATCH])


def _batch_rows(export: _Export, objectives: list[dict[str, Any]]) -> list[list[str]]:
    """The rows of a batch of objectives: their key results (milestone titles aggregated in the
    same query) and parents in one query each, and the teams once per export."""
    actor, cycle, today = export.actor, export.cycle, export.today
    organisation = actor.organisation
    if export.teams is None:
        export.teams = {t.pk: t for t in Team.objects.for_actor(actor).only("pk", "name", "parent_id")}
    teams = export.teams
    ids = [o["pk"] for o in objectives]
    key_results: dict[int, list[dict[str, Any]]] = {}
    milestone_titles = ArraySubquery(
        Milestone.objects.filter(key_result=OuterRef("pk")).order_by("position", "id").values("title")
    )
    for kr in (
        KeyResult.objects.for_actor(actor)
        .filter(objective_id__in=ids)
        .annotate(milestone_titles=milestone_titles)
        .order_by("objective_id", "position", "id")
        .values(*_KEY_RESULT_COLUMNS)
    ):
        key_results.setdefault(kr["objective_id"], []).append(kr)
    parents: dict[int, list[tuple[str, str]]] = {}
    for child_id, parent_kr_id, parent_kr_objective, parent_kr_title, parent_objective in (
        selectors.alignment_list(actor=actor, access=export.access)
        .filter(child_id__in=ids)
        .values_list(
            "child_id",
            "parent_key_result_id",
            "parent_key_result__objective__title",
            "parent_key_result__title",
            "parent_objective__title",
        )
    ):
        ref = (parent_kr_objective, parent_kr_title) if parent_kr_id is not None else (parent_objective, "")
        parents.setdefault(child_id, []).append(ref)
    rows = []
    for objective in objectives:
        krs = key_results.get(objective["pk"], [])
        links = parents.get(objective["pk"], [])
        team = teams.get(objective["team_id"]) if objective["team_id"] else None
        head = [
            cell(objective["title"]),
            objective["level"],
            objective["kind"],
            objective["owner__user__email"],
            cell(org_selectors.team_path(team, teams)) if team else "",
            objective["visibility"],
        ]
        for index in range(max(len(krs), len(links), 1)):
            kr = krs[index] if index < len(krs) else None
            parent_title, parent_kr = links[index] if index < len(links) else ("", "")
            if kr is not None:
                status = okr_status.key_result_status_of(
                    measured=kr["measured"],
                    progress=kr["progress"],
                    confidence=kr["confidence"],
                    cycle=cycle,
                    organisation=organisation,
                    today=today,
                )
                measure = [
                    cell(kr["title"]),
                    kr["kind"],
                    _number(kr["start_value"]),
                    _number(kr["target_value"]),
                    cell(kr["currency"] if kr["kind"] == KeyResultKind.CURRENCY else kr["unit"]),
                    _number(kr["weight"]),
                    cell(f"{MILESTONE_SEPARATOR} ".join(kr["milestone_titles"])),
                    kr["progress_source"],
                ]
                facts = [
                    _number(kr["current_value"]),
                    _number((kr["progress"] * 100).quantize(Decimal(1))),
                    status.value if status else "",
                    kr["confidence"],
                ]
            else:
                objective_status = okr_status.objective_status_of(
                    measured=objective["measured"],
                    progress=objective["progress"],
                    worst_key_result_progress=objective["worst_key_result_progress"],
                    worst_confidence=objective["worst_confidence"],
                    cycle=cycle,
                    organisation=organisation,
                    today=today,
                )
                measure = [""] * 8
                facts = [
                    "",
                    _number((objective["progress"] * 100).quantize(Decimal(1))),
                    objective_status.value if objective_status else "",
                    objective["worst_confidence"],
                ]
            rows.append([*head, *measure, cell(parent_title), cell(parent_kr), *facts])
    return rows


def export_chunks(*, actor: Membership, cycle: Cycle) -> Iterator[str]:
    """The export's CSV text in pieces, one per batch, each batch read in its own tenant context:
    the body of a streamed download is produced after the view (and its transaction) ended."""
    batches = _export_batches(actor=actor, cycle=cycle)
    while True:
        with rls.stream_batch_context(actor.organisation_id):
            batch = next(batches, None)
        if batch is None:
            return
        yield write_table(batch)


def export_cycle(*, actor: Membership, cycle: Cycle) -> str:
    return "".join(export_chunks(actor=actor, cycle=cycle))


def csv_response(actor: Membership, cycle: Cycle) -> StreamingHttpResponse:
    """The cycle's export as a download streamed in constant memory."""
    return streamed_download(export_chunks(actor=actor, cycle=cycle), f"okrs-{slugify(cycle.name) or cycle.pk}.csv")


# ---------------------------------------------------------------- import


@dataclass
class RowResult:
    line: int
    objective: str
    key_result: str
    actions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    rows: list[RowResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dry_run: bool = True
    objectives: int = 0
    key_results: int = 0
    alignments: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and all(not row.errors for row in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(len(row.errors) for row in self.rows)


@dataclass
class _KeyResultPlan:
    row: RowResult
    data: services.KeyResultData


@dataclass
class _ObjectivePlan:
    key: tuple[str, str]  # (title lower-cased, owner e-mail)
    row: RowResult  # its first row
    title: str
    owner: Membership
    level: str
    kind: str
    team: Team | None
    visibility: str
    key_results: list[_KeyResultPlan] = field(default_factory=list)
    kr_titles: dict[str, int] = field(default_factory=dict)  # title lower → line
    parents: list[tuple[RowResult, str, str]] = field(default_factory=list)  # (row, parent title, kr title)
    created: Objective | None = None


def _parse(csv_text: str, result: ImportResult) -> list[tuple[int, dict[str, str]]]:
    table = read_table(
        csv_text,
        headers=HEADERS,
        required=[(key, header) for key, header in COLUMNS if key in REQUIRED],
        expected=", ".join(header for key, header in COLUMNS if key not in INFORMATIVE),
        max_rows=MAX_ROWS,
        empty_message="The file has a header but no objectives.",
    )
    result.errors += table.errors
    return table.rows


def _decimal(raw: str, label: str, row: RowResult, default: str) -> Decimal:
    # The file is a machine format: dots for decimals, as the export writes them, whatever the
    # organisation types on its pages.
    try:
        return read_number(raw or default)
    except NumberInputError as exc:
        problem = "is not a number of reasonable size" if exc.too_large else "is not a number"
        hint = f" (use a dot for decimals: did you mean {exc.suggestion}?)" if exc.suggestion else ""
        row.errors.append(f"{label} “{raw}” {problem}{hint}.")
        return Decimal(default)


def _choice(raw: str, choices: dict[str, str], default: str, label: str, row: RowResult) -> str:
    if not raw:
        return default
    value = choices.get(raw.lower())
    if value is None:
        allowed = ", ".join(sorted({v for v in choices.values()}))
        row.errors.append(f"Unknown {label} “{raw}”: use {allowed}.")
        return default
    return value


def _team_lookup(actor: Membership) -> dict[str, Team]:
    """Teams by path, with and without the company's name in front, lower-cased."""
    teams = {t.pk: t for t in org_selectors.team_list(actor=actor)}
    found: dict[str, Team] = {}
    for team in teams.values():
        path = org_selectors.team_path(team, teams)
        parts = [p.strip().lower() for p in path.split(" / ")]
        found[" / ".join(parts)] = team
        root = teams.get(team.parent_id) if team.parent_id else None
        if team.kind != TeamKind.COMPANY and (root is not None or len(parts) > 1):
            found.setdefault(" / ".join(parts[1:]), team)
    return found


def _message(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, PermissionDenied):
        return str(exc) or "You may not do that."
    return " ".join(exc.messages)


def import_cycle(*, actor: Membership, cycle: Cycle, csv_text: str, dry_run: bool) -> ImportResult:
    """Check every row, then (unless ``dry_run`` or any row is wrong) import them all or nothing."""
    require_role(actor, Role.MANAGER)
    result = ImportResult(dry_run=dry_run)
    raw_rows = _parse(csv_text, result)
    if result.errors:
        return result
    plans, existing = _plan(actor=actor, cycle=cycle, raw_rows=raw_rows, result=result)
    if not result.ok:
        return result
    with transaction.atomic():
        _apply(actor=actor, cycle=cycle, plans=plans, existing=existing, result=result)
        # A dry run runs the services too (so it finds what only they know, e.g. who may own
        # what), then rolls everything back; so does a real import with any row in error.
        if dry_run or not result.ok:
            transaction.set_rollback(True)
    if not result.ok:
        result.objectives = result.key_results = result.alignments = 0
    return result


def _plan(
    *, actor: Membership, cycle: Cycle, raw_rows: list[tuple[int, dict[str, str]]], result: ImportResult
) -> tuple[list[_ObjectivePlan], dict[str, list[Objective]]]:
    members = selectors.members_by_email(actor=actor)
    teams = _team_lookup(actor)
    plans: dict[tuple[str, str], _ObjectivePlan] = {}
    for line, raw in raw_rows:
        title = raw.get("objective_title", "")
        row = RowResult(line=line, objective=title, key_result=raw.get("kr_title", ""))
        result.rows.append(row)
        if not title:
            row.errors.append("The objective title is empty.")
        elif len(title) > 200:
            row.errors.append("The objective title is longer than 200 characters.")
        email = raw.get("owner_email", "").lower()
        owner = members.get(email)
        if not email:
            row.errors.append("The owner e-mail is empty.")
        elif owner is None:
            row.errors.append(f"Unknown owner e-mail “{email}”: not a member of this organisation.")
        elif not owner.is_active:
            row.errors.append(f"The owner {email} is deactivated.")
        level = _choice(raw.get("level", ""), LEVELS, Level.INDIVIDUAL, "level", row)
        kind = _choice(raw.get("kind", ""), KINDS, ObjectiveKind.STANDARD, "kind", row)
        visibility = _choice(raw.get("visibility", ""), VISIBILITIES, Visibility.ORGANISATION, "visibility", row)
        team_raw = raw.get("team_path", "")
        team = None
        if team_raw:
            path = " / ".join(p.strip().lower() for p in team_raw.replace(">", "/").split("/") if p.strip())
            team = teams.get(path)
            if team is None:
                row.errors.append(f"Unknown team “{team_raw}”.")
        if owner is None or not title:
            continue
        key = (title.lower(), email)
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = _ObjectivePlan(
                key=key,
                row=row,
                title=title,
                owner=owner,
                level=level,
                kind=kind,
                team=team,
                visibility=visibility,
            )
            row.actions.append("new objective")
        else:
            for label, given, value, planned in (
                ("level", raw.get("level"), level, plan.level),
                ("kind", raw.get("kind"), kind, plan.kind),
                ("visibility", raw.get("visibility"), visibility, plan.visibility),
                ("team", team_raw, team, plan.team),
            ):
                if given and value != planned:
                    row.errors.append(f"The {label} differs from line {plan.row.line} for the same objective.")
        _plan_key_result(raw, row, plan, owner)
        parent_title, parent_kr = raw.get("parent_title", ""), raw.get("parent_kr_title", "")
        if parent_kr and not parent_title:
            row.errors.append("A parent key result needs its parent objective title.")
        elif parent_title:
            if any(p[1].lower() == parent_title.lower() and p[2].lower() == parent_kr.lower() for p in plan.parents):
                continue  # the same parent repeated on the objective's rows
            plan.parents.append((row, parent_title, parent_kr))
    existing = _check_existing_and_parents(actor=actor, cycle=cycle, plans=list(plans.values()))
    return list(plans.values()), existing


def _plan_key_result(raw: dict[str, str], row: RowResult, plan: _ObjectivePlan, owner: Membership) -> None:
    kr_title = raw.get("kr_title", "")
    if not kr_title:
        if any(raw.get(k) for k in ("kr_kind", "start", "target", "unit", "milestones")):
            row.errors.append("The key result title is empty but the row has key result columns.")
        return
    if len(kr_title) > 200:
        row.errors.append("The key result title is longer than 200 characters.")
    previous = plan.kr_titles.get(kr_title.lower())
    if previous is not None:
        row.errors.append(f"Duplicate key result: “{kr_title}” is also on line {previous} for this objective.")
        return
    plan.kr_titles[kr_title.lower()] = row.line
    kind = _choice(raw.get("kr_kind", ""), KR_KINDS, KeyResultKind.NUMBER, "key result kind", row)
    source = _choice(raw.get("kr_source", ""), KR_SOURCES, KeyResultSource.MANUAL, "key result source", row)
    start = _decimal(raw.get("start", ""), "Start", row, "0")
    target = _decimal(raw.get("target", ""), "Target", row, "1")
    weight = _decimal(raw.get("weight", ""), "Weight", row, "1")
    if weight < 0:
        row.errors.append(f"Weight “{raw.get('weight')}” cannot be negative.")
    elif weight > MAX_WEIGHT:
        row.errors.append(f"Weight “{raw.get('weight')}” is above the largest weight, {MAX_WEIGHT}.")
    unit = raw.get("unit", "")
    milestones = [m.strip() for m in raw.get("milestones", "").split(MILESTONE_SEPARATOR) if m.strip()]
    if any(len(m) > MILESTONE_TITLE_MAX for m in milestones):
        row.errors.append(f"A milestone is longer than {MILESTONE_TITLE_MAX} characters.")
    row.actions.append("new key result")
    plan.key_results.append(
        _KeyResultPlan(
            row=row,
            data=services.KeyResultData(
                title=kr_title,
                owner=owner,
                kind=kind,
                start_value=start,
                target_value=target,
                unit="" if kind == KeyResultKind.CURRENCY else unit[:20],
                currency=unit if kind == KeyResultKind.CURRENCY else "",
                weight=weight,
                progress_source=source,
                milestones=milestones,
            ),
        )
    )


def _check_existing_and_parents(
    *, actor: Membership, cycle: Cycle, plans: list[_ObjectivePlan]
) -> dict[str, list[Objective]]:
    """Flag objectives already in the cycle and unknown parents; return the existing objectives
    (of the cycle and the cycles containing it) that parents may be, by lower-cased title."""
    access = Access(actor)
    visible = selectors.objectives_with_key_results(selectors.visible_objectives(actor=actor, access=access))
    containing = [c.pk for c in selectors.cycles_containing(actor=actor, cycle=cycle)]
    candidates = list(visible.filter(cycle_id__in=containing))
    for plan in plans:
        for objective in candidates:
            if (
                objective.cycle_id == cycle.pk
                and objective.title.lower() == plan.key[0]
                and objective.owner_id == plan.owner.pk
            ):
                plan.row.errors.append(
                    f"“{plan.title}” owned by {plan.key[1]} already exists in {cycle.name}: remove it from the file."
                )
    in_file: dict[str, list[_ObjectivePlan]] = {}
    for plan in plans:
        in_file.setdefault(plan.key[0], []).append(plan)
    existing: dict[str, list[Objective]] = {}
    for objective in candidates:
        existing.setdefault(objective.title.lower(), []).append(objective)
    for plan in plans:
        for row, parent_title, parent_kr in plan.parents:
            wanted = parent_title.lower()
            if wanted == plan.key[0] and len(in_file.get(wanted, [])) == 1:
                row.errors.append("An objective cannot align to itself.")
                continue
            file_matches = in_file.get(wanted, [])
            db_matches = existing.get(wanted, [])
            if len(file_matches) > 1 or (not file_matches and len(db_matches) > 1):
                row.errors.append(f"Several objectives are called “{parent_title}”: the parent is ambiguous.")
            elif file_matches:
                if parent_kr and parent_kr.lower() not in file_matches[0].kr_titles:
                    row.errors.append(f"Unknown parent key result “{parent_kr}” of “{parent_title}”.")
                else:
                    row.actions.append(f"align to {parent_title}" + (f" → {parent_kr}" if parent_kr else ""))
            elif db_matches:
                if parent_kr and not any(
                    kr.title.lower() == parent_kr.lower() for kr in db_matches[0].key_results.all()
                ):
                    row.errors.append(f"Unknown parent key result “{parent_kr}” of “{parent_title}”.")
                else:
                    row.actions.append(f"align to {parent_title}" + (f" → {parent_kr}" if parent_kr else ""))
            else:
                row.errors.append(
                    f"Unknown parent objective “{parent_title}”: not in this file, {cycle.name} or a cycle containing it."
                )
    return existing


def _apply(
    *,
    actor: Membership,
    cycle: Cycle,
    plans: list[_ObjectivePlan],
    existing: dict[str, list[Objective]],
    result: ImportResult,
) -> None:
    for plan in plans:
        try:
            plan.created = services.objective_create(
                actor=actor,
                data=services.ObjectiveData(
                    title=plan.title,
                    cycle=cycle,
                    owner=plan.owner,
                    level=plan.level,
                    kind=plan.kind,
                    team=plan.team,
                    visibility=plan.visibility,
                ),
            )
        except (ValidationError, PermissionDenied) as exc:
            plan.row.errors.append(_message(exc))
            continue
        result.objectives += 1
    created_krs: dict[tuple[tuple[str, str], str], KeyResult] = {}
    for plan in plans:
        if plan.created is None:
            continue
        for kr_plan in plan.key_results:
            try:
                kr = services.key_result_create(actor=actor, objective=plan.created, data=kr_plan.data)
            except (ValidationError, PermissionDenied) as exc:
                kr_plan.row.errors.append(_message(exc))
                continue
            created_krs[(plan.key, kr_plan.data.title.lower())] = kr
            result.key_results += 1
    by_title: dict[str, list[_ObjectivePlan]] = {}
    for plan in plans:
        by_title.setdefault(plan.key[0], []).append(plan)
    for plan in plans:
        if plan.created is None:
            continue
        for row, parent_title, parent_kr in plan.parents:
            wanted = parent_title.lower()
            parent_objective = None
            parent_key_result = None
            if wanted in by_title:
                parent_plan = by_title[wanted][0]
                if parent_plan.created is None:
                    continue  # its own error is reported on its row
                if parent_kr:
                    parent_key_result = created_krs.get((parent_plan.key, parent_kr.lower()))
                    if parent_key_result is None:
                        continue
                else:
                    parent_objective = parent_plan.created
            else:
                parent = existing[wanted][0]
                if parent_kr:
                    parent_key_result = next(
                        kr for kr in parent.key_results.all() if kr.title.lower() == parent_kr.lower()
                    )
                else:
                    parent_objective = parent
            try:
                services.alignment_create(
                    actor=actor,
                    child=plan.created,
                    parent_objective=parent_objective,
                    parent_key_result=parent_key_result,
                )
            except (ValidationError, PermissionDenied) as exc:
                row.errors.append(_message(exc))
                continue
            result.alignments += 1
