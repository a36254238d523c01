"""Server-rendered OKR widgets: progress bars, status badges, value labels, a sparkline and a
history chart, all as inline SVG (no script, no style attribute: the CSP forbids both; sizes
go in SVG geometry attributes and colours in classes from static/css/okrs.css)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince

from okrs import rules
from okrs import status as okr_status
from okrs.models import Cycle, KeyResult, KeyResultKind, KeyResultSource, Objective, ProgressUpdate, Status
from organisations.models import Organisation, local_today

register = template.Library()

STATUS_LABELS = dict(Status.choices)


def _organisation(context: template.Context) -> Organisation | None:
    organisation = context.get("organisation")
    return organisation if isinstance(organisation, Organisation) else None


def _today(context: template.Context) -> date:
    """Today in the organisation's time zone; a view may pin it with ``today`` in the context."""
    today = context.get("today")
    if isinstance(today, date):
        return today
    organisation = _organisation(context)
    return organisation.today() if organisation else local_today("UTC")


def _pace(context: template.Context, progress: Decimal, cycle: Cycle) -> Status:
    return okr_status.pace(progress, cycle, organisation=_organisation(context), today=_today(context))


@register.filter
def pct(value: Decimal | float | None) -> str:
    """0.4 → "40%" (whole percent: finer is noise on a progress bar)."""
    if value is None:
        return "—"
    return f"{round(Decimal(value) * 100):.0f}%"


@register.filter
def num(value: Decimal | None) -> str:
    """A stored value without trailing zeros, with thousands separators: 12500.5000 → 12,500.5."""
    if value is None:
        return "—"
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value.normalize():,f}"


@register.simple_tag
def kr_value(kr: KeyResult) -> str:
    """Where a key result stands, in its own terms."""
    if kr.progress_source == KeyResultSource.ALIGNED_CHILDREN:
        return "From the objectives aligned to it"
    if kr.kind == KeyResultKind.BOOLEAN:
        return "Done" if kr.current_value >= 1 else "Not done yet"
    if kr.kind == KeyResultKind.MILESTONES:
        milestones = list(kr.milestones.all())
        done = sum(1 for m in milestones if m.done)
        return f"{done} of {len(milestones)} milestones done"
    if kr.kind == KeyResultKind.CURRENCY:
        return f"{kr.currency} {num(kr.current_value)} of {num(kr.target_value)}"
    unit = "%" if kr.kind == KeyResultKind.PERCENTAGE and not kr.unit else kr.unit
    suffix = unit if unit == "%" else f" {unit}" if unit else ""
    return f"{num(kr.current_value)}{suffix} of {num(kr.target_value)}{suffix} (from {num(kr.start_value)})"


@register.simple_tag
def progress_bar(progress: Decimal | None, status: str = "", label: str = "Progress") -> SafeString:
    """A horizontal bar as SVG: the fill's width is a geometry attribute, which the CSP allows."""
    fraction = rules.clamp01(Decimal(progress or 0))
    width = f"{fraction * 100:.1f}"
    return format_html(
        '<svg class="okr-bar" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" aria-label="{}: {}">'
        '<rect class="okr-bar-track" width="100" height="8" rx="4"/>'
        '<rect class="okr-bar-fill st-{}" width="{}" height="8" rx="4"/></svg>',
        label,
        pct(fraction),
        status or "none",
        width,
    )


def _badge(status: str, prefix: str, title: str) -> SafeString:
    if not status:
        return format_html('<span class="badge st-none" title="{}">{}: —</span>', title, prefix)
    return format_html(
        '<span class="badge st-{}" title="{}">{}: {}</span>', status, title, prefix, STATUS_LABELS.get(status, status)
    )


@register.simple_tag
def confidence_badge(status: str) -> SafeString:
    return _badge(status, "Confidence", "The confidence the owner gave in the latest update")


@register.simple_tag(takes_context=True)
def kr_pace(context: template.Context, kr: KeyResult, cycle: Cycle) -> str:
    """The key result's pace for the bar's class; blank when it has nothing to measure yet."""
    found = okr_status.key_result_pace(kr, cycle, organisation=_organisation(context), today=_today(context))
    return found or ""


@register.simple_tag(takes_context=True)
def pace_badge(context: template.Context, progress: Decimal, cycle: Cycle) -> SafeString:
    expected = okr_status.expected(cycle, _today(context))
    return _badge(
        _pace(context, progress, cycle),
        "Pace",
        f"{pct(progress)} done while {pct(expected)} of {cycle.name} has passed",
    )


@register.simple_tag(takes_context=True)
def objective_status(context: template.Context, objective: Objective) -> str:
    """The objective's status (okrs.status.objective_status) for the badge's class."""
    found = okr_status.objective_status(objective, organisation=_organisation(context), today=_today(context))
    return found or ""


@register.simple_tag(takes_context=True)
def status_badge(context: template.Context, objective: Objective) -> SafeString:
    status = objective_status(context, objective)
    return _badge(status, "Status", "Its worst key result: the slower of pace and the owner's confidence")


def _ordered(updates: Iterable[ProgressUpdate]) -> list[ProgressUpdate]:
    return sorted(updates, key=lambda u: (u.created_at, u.pk))


@register.simple_tag
def sparkline(updates: Iterable[ProgressUpdate] | None, label: str = "") -> SafeString:
    """The recent progress of a key result, evenly spaced, 0 % at the bottom and 100 % at the top."""
    points = _ordered(updates or [])
    if not points:
        return format_html('<span class="okr-spark-empty muted">{}</span>', "No updates yet")
    width, height, pad = 80.0, 20.0, 2.0
    if len(points) == 1:
        points = [points[0], points[0]]  # a flat line reads better than a lone dot
    step = (width - 2 * pad) / (len(points) - 1)
    coords = [(pad + i * step, pad + (height - 2 * pad) * (1 - float(u.progress))) for i, u in enumerate(points)]
    polyline = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    last_x, last_y = coords[-1]
    return format_html(
        '<svg class="okr-spark" viewBox="0 0 {} {}" role="img" aria-label="{}">'
        '<polyline class="okr-spark-line" points="{}"/><circle class="okr-spark-dot" cx="{}" cy="{}" r="2"/>'
        "</svg>",
        f"{width:.0f}",
        f"{height:.0f}",
        label or f"Progress history: {', '.join(pct(u.progress) for u in points[-5:])}",
        polyline,
        f"{last_x:.1f}",
        f"{last_y:.1f}",
    )


def _x_for(moment: datetime | date, start: date, end: date, left: float, right: float) -> float:
    day = moment.date() if isinstance(moment, datetime) else moment
    span = max((end - start).days + 1, 1)
    offset = min(max((day - start).days + 0.5, 0), span)
    return left + (right - left) * offset / span


@register.simple_tag(takes_context=True)
def history_chart(context: template.Context, kr: KeyResult, cycle: Cycle) -> SafeString:
    """Progress over the cycle: the key result's updates as a line, and the expected pace (the
    diagonal from 0 % at the start to 100 % at the end) as a dashed line to compare with."""
    updates: Sequence[ProgressUpdate] = _ordered(getattr(kr, "recent_updates", None) or kr.updates.all())
    width, height = 320.0, 120.0
    left, right, top, bottom = 34.0, width - 8.0, 8.0, height - 20.0

    def y(progress: Decimal | float) -> float:
        return bottom - (bottom - top) * float(progress)

    grid = format_html_join(
        "",
        '<line class="okr-chart-grid" x1="{}" y1="{}" x2="{}" y2="{}"/>'
        '<text class="okr-chart-label" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (left, f"{y(v):.1f}", right, f"{y(v):.1f}", left - 4, f"{y(v) + 3:.1f}", f"{int(v * 100)}%")
            for v in (0, 0.5, 1)
        ),
    )
    today = _today(context)
    today_x = _x_for(min(max(today, cycle.start_date), cycle.end_date), cycle.start_date, cycle.end_date, left, right)
    pace = format_html(
        '<line class="okr-chart-pace" x1="{}" y1="{}" x2="{}" y2="{}"><title>Expected pace</title></line>',
        left,
        f"{y(0):.1f}",
        right,
        f"{y(1):.1f}",
    )
    axis = format_html(
        '<text class="okr-chart-label" x="{}" y="{}">{}</text>'
        '<text class="okr-chart-label" x="{}" y="{}" text-anchor="end">{}</text>'
        '<line class="okr-chart-today" x1="{}" y1="{}" x2="{}" y2="{}"><title>Today</title></line>',
        left,
        height - 4,
        cycle.start_date.strftime("%-d %b"),
        right,
        height - 4,
        cycle.end_date.strftime("%-d %b"),
        f"{today_x:.1f}",
        top,
        f"{today_x:.1f}",
        bottom,
    )
    if updates:
        coords = [
            (_x_for(timezone.localtime(u.created_at), cycle.start_date, cycle.end_date, left, right), y(u.progress), u)
            for u in updates
        ]
        line = format_html(
            '<polyline class="okr-chart-line" points="{}"/>', " ".join(f"{x:.1f},{yy:.1f}" for x, yy, _ in coords)
        )
        dots = format_html_join(
            "",
            '<circle class="okr-chart-dot" cx="{}" cy="{}" r="3"><title>{}: {}</title></circle>',
            (
                (f"{x:.1f}", f"{yy:.1f}", timezone.localtime(u.created_at).strftime("%-d %b"), pct(u.progress))
                for x, yy, u in coords
            ),
        )
        summary = f"{len(updates)} updates, latest {pct(updates[-1].progress)}"
    else:
        line = dots = mark_safe("")
        summary = "no updates yet"
    return format_html(
        '<svg class="okr-chart" viewBox="0 0 {} {}" role="img" aria-label="Progress of {} over {}: {}">'
        "{}{}{}{}{}</svg>",
        f"{width:.0f}",
        f"{height:.0f}",
        kr.title,
        cycle.name,
        summary,
        grid,
        pace,
        axis,
        line,
        dots,
    )


@register.simple_tag(takes_context=True)
def cycle_state_note(context: template.Context, cycle: Cycle) -> str:
    notes = {
        "planning": "Planning: set objectives and key results before the cycle starts.",
        "active": "Active: keep your progress up to date.",
        "review": "In review: score each key result and write a reflection.",
        "closed": "Closed: only HR admins can change it, and their changes are recorded.",
    }
    return notes.get(cycle.state, "")


@register.simple_tag
def activity_text(activity: Any) -> str:
    """One line of an objective's activity feed (escaped by the template like any string)."""
    detail = activity.detail or {}
    key_result = detail.get("key_result", "")
    verb = activity.verb
    if verb == "progress":
        text = f"updated “{key_result}” to {pct(Decimal(detail.get('progress') or 0))}"
        if detail.get("confidence"):
            text += f" ({STATUS_LABELS.get(detail['confidence'], detail['confidence']).lower()})"
        if detail.get("note"):
            text += f": “{detail['note']}”"
        return text
    if verb == "scored":
        return f"scored “{key_result}” {detail.get('score', '')}"
    if verb in ("key result added", "key result edited", "key result removed"):
        return f"{verb.replace('key result ', '')} the key result “{key_result}”"
    if verb == "aligned":
        if getattr(activity, "names_visible", False):
            return f"aligned it to “{detail.get('parent', '')}”"
        return "aligned it to an objective you cannot see"
    if verb == "unaligned":
        return "removed an alignment"
    if verb == "carried over":
        return f"carried it over from {detail.get('source', 'the previous cycle')}"
    if verb == "reflected":
        return "wrote the reflection"
    if verb in ("approved", "requested changes"):
        text = "approved it" if verb == "approved" else "sent it back"
        return f"{text}: “{detail['comment']}”" if detail.get("comment") else text
    if verb == "approval pending":
        return "changed it after it was sent back: awaiting approval again"
    if verb == "asked to align":
        return f"asked {detail.get('member', 'someone')} to support “{key_result}”"
    return f"{verb} it" if verb in ("created", "edited") else verb


def _measure_text(value: tuple[Decimal, bool]) -> str:
    return pct(value[0]) if value[1] else "nothing to measure yet"


@register.simple_tag
def align_preview(preview: Any) -> str:
    """What aligning would do to a candidate parent, in words (okrs.selectors.alignment_previews)."""
    if preview is None:
        return ""
    if not preview.moves:
        return "aligning leaves its progress as it is (it comes from its own key results)"
    before, after = _measure_text(preview.before), _measure_text(preview.after)
    if before == after:
        return f"aligning leaves it at {before}"
    return f"aligning moves it from {before} to {after}"


@register.filter
def ago(moment: datetime | None) -> str:
    """“just now” under a minute, else “5 minutes ago” (never “0 minutes ago”)."""
    if moment is None:
        return ""
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment)} ago"


@register.filter
def with_notes(updates: Iterable[ProgressUpdate] | None) -> list[ProgressUpdate]:
    """The updates that carry a note, newest first (for a key result's history)."""
    return sorted((u for u in updates or [] if u.note), key=lambda u: (u.created_at, u.pk), reverse=True)
