"""Every write of check-ins: templates (versioned), cadence settings, drafts, submission,
completion, calendar feeds. Each write locks the row it changes (``select_for_update``) and
re-reads its state under the lock, so two tabs or two people cannot interleave a submit with a
draft save or complete a check-in twice."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from checkins import permissions
from checkins.models import (
    CadenceSettings,
    CalendarFeed,
    Checkin,
    CheckinKind,
    CheckinState,
    CheckinTemplate,
    TemplateVersion,
)
from checkins.questions import DEFAULT_QUESTIONS
from notifications.services import notify
from organisations.errors import Conflict
from organisations.models import Membership
from organisations.tokens import hash_token

MAX_ANSWER = 5000
MAX_QUESTIONS = 20


# ---------------------------------------------------------------- templates


@transaction.atomic
def templates_ensure(*, organisation_id: int) -> dict[str, CheckinTemplate]:
    """Every kind's template of the organisation, creating the seeded ones that are missing."""
    found = {
        t.kind: t for t in CheckinTemplate.objects.in_organisation(organisation_id).select_related("current_version")
    }
    for kind in CheckinKind.values:
        if kind in found and found[kind].current_version_id:
            continue
        template, _ = CheckinTemplate.objects.get_or_create(organisation_id=organisation_id, kind=kind)
        version = TemplateVersion.objects.create(
            organisation_id=organisation_id, template=template, number=1, questions=DEFAULT_QUESTIONS[kind]
        )
        template.current_version = version
        template.save(update_fields=["current_version", "updated_at"])
        found[kind] = template
    return found


def clean_questions(questions: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """Validate an edited question list: text required, keys unique, ``for`` employee or manager."""
    cleaned: list[dict[str, str]] = []
    keys: set[str] = set()
    for index, question in enumerate(questions, start=1):
        text = str(question.get("text", "")).strip()
        if not text:
            continue
        key = str(question.get("key", "")).strip()[:40] or f"q{index}"
        if key in keys:
            raise ValidationError({"questions": f"Two questions share the key “{key}”."})
        who = question.get("for", "employee")
        if who not in ("employee", "manager"):
            raise ValidationError({"questions": "A question is for the employee or for the manager."})
        keys.add(key)
        cleaned.append({"key": key, "text": text[:500], "for": who})
    if not any(q["for"] == "employee" for q in cleaned):
        raise ValidationError({"questions": "A template needs at least one question for the employee."})
    if len(cleaned) > MAX_QUESTIONS:
        raise ValidationError({"questions": f"A template has at most {MAX_QUESTIONS} questions."})
    return cleaned


@transaction.atomic
def template_edit(*, actor: Membership, template: CheckinTemplate, questions: list[dict[str, str]]) -> TemplateVersion:
    """A new version of ``template`` (HR). Check-ins already created keep the version they used."""
    permissions.require_hr(actor)
    cleaned = clean_questions(questions)
    locked = CheckinTemplate.objects.for_actor(actor).select_for_update().get(pk=template.pk)
    latest = TemplateVersion.objects.for_actor(actor).filter(template=locked).order_by("-number").first()
    if latest is not None and latest.questions == cleaned:
        return latest
    version = TemplateVersion.objects.create(
        organisation_id=actor.organisation_id,
        template=locked,
        number=(latest.number if latest else 0) + 1,
        questions=cleaned,
        created_by=actor,
    )
    locked.current_version = version
    locked.save(update_fields=["current_version", "updated_at"])
    template.current_version = version
    return version


# ---------------------------------------------------------------- cadence


@dataclass(frozen=True)
class CadenceData:
    frequency: str
    weekday: int
    send_hour: int
    grace_days: int
    escalation: bool


@transaction.atomic
def cadence_update(*, actor: Membership, data: CadenceData) -> CadenceSettings:
    permissions.require_hr(actor)
    errors: dict[str, str] = {}
    if not 7 <= data.send_hour <= 20:
        errors["send_hour"] = "Reminders go out between 07:00 and 20:00 local time (21:00–07:00 is quiet)."
    if not 0 <= data.weekday <= 4:
        errors["weekday"] = "Choose a working day, Monday to Friday."
    if not 1 <= data.grace_days <= 30:
        errors["grace_days"] = "Grace is between 1 and 30 days."
    if data.frequency not in ("weekly", "biweekly", "monthly"):
        errors["frequency"] = "Choose weekly, every other week or monthly."
    if errors:
        raise ValidationError(errors)
    settings, _ = CadenceSettings.objects.select_for_update().get_or_create(organisation_id=actor.organisation_id)
    settings.frequency = data.frequency
    settings.weekday = data.weekday
    settings.send_hour = data.send_hour
    settings.grace_days = data.grace_days
    settings.escalation = data.escalation
    settings.save()
    return settings


# ---------------------------------------------------------------- check-ins


@dataclass(frozen=True)
class Due:
    """A check-in that falls due (what the dispatcher and the demo open)."""

    employee: Membership
    kind: str
    period_key: str
    due_date: date
    cycle_id: int | None = None


@transaction.atomic
def checkins_open(*, organisation_id: int, due: list[Due]) -> dict[tuple[int, str, str], Checkin]:
    """Open the check-ins that fall due (existing ones are left as they are, whoever races):
    returns every one of them by (employee, kind, period_key). Written by ``checkins_open_many``,
    the one place that decides what an opened check-in holds."""
    ids = checkins_open_many(
        organisation_id=organisation_id,
        due=[DueRow(d.employee.pk, d.employee.manager_id, d.kind, d.period_key, d.due_date, d.cycle_id) for d in due],
    )
    rows = Checkin.objects.in_organisation(organisation_id).filter(pk__in=sorted(ids.values()))
    return {(c.employee_id, c.kind, c.period_key): c for c in rows}


@dataclass(frozen=True)
class DueRow:
    """A check-in that falls due, by ids (what the dispatcher opens for thousands of members)."""

    employee_id: int
    manager_id: int | None
    kind: str
    period_key: str
    due_date: date
    cycle_id: int | None = None


@transaction.atomic
def checkins_open_many(*, organisation_id: int, due: list[DueRow]) -> dict[tuple[int, str, str], int]:
    """Open the check-ins that fall due, by ids, in one statement (``ON CONFLICT DO NOTHING`` on
    the check-in's unique key, so existing ones are left as they are, whoever races): each with the
    employee's manager at creation and its kind's current template version. Returns every one of
    them as ids by (employee, kind, period_key) — no model instance per member, which is what made
    the dispatcher's tick over 10,000 members slow."""
    if not due:
        return {}
    templates = templates_ensure(organisation_id=organisation_id)
    versions = {kind: t.current_version_id for kind, t in templates.items()}
    now = timezone.now()
    table = Checkin._meta.db_table
    columns = "(employee_id, manager_id, kind, period_key, due_date, cycle_id, version)"
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" (organisation_id, employee_id, manager_id, kind, period_key, due_date,'  # noqa: S608
            " cycle_id, template_version_id, state, answers, manager_notes, created_at, updated_at)"
            " SELECT %s, d.employee_id, d.manager_id, d.kind, d.period_key, d.due_date, d.cycle_id, d.version,"
            " %s, '{}'::jsonb, '', %s, %s"
            " FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::date[], %s::bigint[], %s::bigint[])"
            f" AS d{columns} ON CONFLICT (organisation_id, employee_id, kind, period_key) DO NOTHING",
            [
                organisation_id,
                CheckinState.DUE,
                now,
                now,
                [d.employee_id for d in due],
                [d.manager_id for d in due],
                [d.kind for d in due],
                [d.period_key for d in due],
                [d.due_date for d in due],
                [d.cycle_id for d in due],
                [versions[d.kind] for d in due],
            ],
        )
        cursor.execute(
            f'SELECT c.id, c.employee_id, c.kind, c.period_key FROM "{table}" c'  # noqa: S608
            " JOIN unnest(%s::bigint[], %s::text[], %s::text[]) AS d(employee_id, kind, period_key)"
            " ON c.employee_id = d.employee_id AND c.kind = d.kind AND c.period_key = d.period_key"
            " WHERE c.organisation_id = %s",
            [[d.employee_id for d in due], [d.kind for d in due], [d.period_key for d in due], organisation_id],
        )
        return {(int(e), str(k), str(p)): int(pk) for pk, e, k, p in cursor.fetchall()}


def _clean_answers(checkin: Checkin, answers: dict[str, str]) -> dict[str, str]:
    keys = {q["key"] for q in checkin.template_version.employee_questions()}
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, value in answers.items():
        if key not in keys:
            continue  # a question of another version, or a forged field: ignored, never stored
        text = str(value).strip()
        if len(text) > MAX_ANSWER:
            errors[key] = f"Keep an answer under {MAX_ANSWER} characters."
        cleaned[key] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def _lock(actor: Membership, checkin: Checkin) -> Checkin:
    return (
        Checkin.objects.for_actor(actor)
        .select_for_update(of=("self",))
        .select_related(
            "template_version", "employee__user", "employee__manager__organisation", "manager__organisation"
        )
        .get(pk=checkin.pk)
    )


def _refresh(target: Checkin, source: Checkin) -> Checkin:
    for field in ("state", "answers", "manager_notes", "submitted_at", "completed_at", "updated_at"):
        setattr(target, field, getattr(source, field))
    return target


@transaction.atomic
def checkin_save_draft(*, actor: Membership, checkin: Checkin, answers: dict[str, str]) -> Checkin:
    """Keep the employee's answers so far (autosave). Only while the check-in is open."""
    permissions.require_answer(actor, checkin)
    locked = _lock(actor, checkin)
    if not locked.is_open:
        raise Conflict("This check-in has been submitted; its answers can no longer change.")
    locked.answers = {**locked.answers, **_clean_answers(locked, answers)}
    locked.state = CheckinState.DRAFT
    locked.save(update_fields=["answers", "state", "updated_at"])
    return _refresh(checkin, locked)


@transaction.atomic
def checkin_submit(*, actor: Membership, checkin: Checkin, answers: dict[str, str]) -> Checkin:
    """Submit the answers to the manager: every question for the employee needs an answer."""
    permissions.require_answer(actor, checkin)
    locked = _lock(actor, checkin)
    if not locked.is_open:
        raise Conflict("This check-in has been submitted already.")
    merged = {**locked.answers, **_clean_answers(locked, answers)}
    missing = {
        q["key"]: "Answer this question before you submit."
        for q in locked.template_version.employee_questions()
        if not merged.get(q["key"], "").strip()
    }
    if missing:
        raise ValidationError(missing)
    locked.answers = merged
    locked.state = CheckinState.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["answers", "state", "submitted_at", "updated_at"])
    _tell_the_manager(locked)
    return _refresh(checkin, locked)


def _tell_the_manager(checkin: Checkin) -> None:
    """The pair's manager hears that answers wait for their notes: in-app, and by e-mail (an
    outbox job in this transaction, so a broker that is down delays the e-mail, never the submit)."""
    manager = checkin.manager if checkin.manager is not None and checkin.manager.is_active else None
    manager = manager or checkin.employee.manager
    if manager is None:
        return
    employee = checkin.employee.user.full_name
    notify(
        recipient=manager,
        kind="checkins.submitted",
        title=f"{employee} submitted their check-in",
        body=f"{CheckinKind(checkin.kind).label}: read the answers, add your notes and complete it.",
        url=reverse("checkins:detail", kwargs={"org_slug": manager.organisation.slug, "checkin_id": checkin.pk}),
        key=f"checkins.submitted:{checkin.pk}",
        email=True,
    )


@transaction.atomic
def checkin_complete(*, actor: Membership, checkin: Checkin, manager_notes: str) -> Checkin:
    """The manager's notes, and the conversation marked done (once it is submitted)."""
    permissions.require_complete(actor, checkin)
    locked = _lock(actor, checkin)
    if locked.state == CheckinState.COMPLETED:
        raise Conflict("This check-in is completed already.")
    if locked.state != CheckinState.SUBMITTED:
        raise ValidationError({"manager_notes": "The employee has not submitted this check-in yet."})
    notes = manager_notes.strip()
    if len(notes) > MAX_ANSWER:
        raise ValidationError({"manager_notes": f"Keep the notes under {MAX_ANSWER} characters."})
    locked.manager_notes = notes
    locked.state = CheckinState.COMPLETED
    locked.completed_at = timezone.now()
    locked.save(update_fields=["manager_notes", "state", "completed_at", "updated_at"])
    return _refresh(checkin, locked)


# ---------------------------------------------------------------- calendar feed


@transaction.atomic
def calendar_feed_create(*, actor: Membership) -> str:
    """A new secret feed URL token for the actor (the previous one stops working). Returned once;
    only its hash is kept. The organisation's id leads the token so the feed can find its tenant."""
    calendar_feed_revoke(actor=actor)
    raw = f"{actor.organisation_id}.{secrets.token_urlsafe(32)}"
    CalendarFeed.objects.create(organisation_id=actor.organisation_id, membership=actor, token_hash=hash_token(raw))
    return raw


@transaction.atomic
def calendar_feed_revoke(*, actor: Membership) -> int:
    return (
        CalendarFeed.objects.for_actor(actor)
        .filter(membership=actor, revoked_at__isnull=True)
        .update(revoked_at=timezone.now())
    )
