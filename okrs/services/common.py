"""What every OKR service shares: the activity record, the organisation check on related objects,
and reading numbers the way the value columns store them."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection

from okrs.models import Activity, CycleState, Objective
from okrs.rules import MAX_WEIGHT
from organisations.models import Membership, NumberFormat

VALUE_PLACES = Decimal("0.0001")  # the scale of the value columns (okrs.models.value_field)


def record(objective: Objective, actor: Membership | None, verb: str, **detail: Any) -> None:
    """One line of the objective's activity feed; an admin's edit of a closed cycle is marked as such."""
    closed = objective.cycle.state == CycleState.CLOSED
    Activity.objects.create(
        organisation_id=objective.organisation_id,
        objective=objective,
        actor=actor,
        verb=verb,
        detail=detail,
        closed_cycle_edit=closed,
    )


def same_org(actor: Membership, *objects: Any) -> None:
    for obj in objects:
        if obj is not None and obj.organisation_id != actor.organisation_id:
            raise ValidationError("That belongs to another organisation.")


def as_stored(value: Decimal) -> Decimal:
    """Round a key result value as its numeric(20, 4) column will (half away from zero), so
    progress is computed from the value that is stored, not from extra digits that were typed."""
    return value.quantize(VALUE_PLACES, rounding=ROUND_HALF_UP)


class NumberInputError(ValueError):
    """Text that is not a usable number; ``too_large`` tells an overflow from nonsense, and
    ``suggestion`` is the reading it probably meant when it only reads in the other format."""

    def __init__(self, text: str, *, too_large: bool, suggestion: str | None = None) -> None:
        super().__init__(text)
        self.too_large = too_large
        self.suggestion = suggestion


_SPACES = re.compile(r"[\s\u00a0\u202f]")


def _parse(text: str, decimal_mark: str) -> Decimal | None:
    """``text`` read with ``decimal_mark`` for decimals and the other mark (or a space) grouping
    thousands in threes; None when it does not read that way."""
    group = "," if decimal_mark == "." else "."
    d, g = re.escape(decimal_mark), re.escape(group)
    plain = re.fullmatch(rf"[+-]?(\d+({d}\d*)?|{d}\d+)", text)
    grouped = re.fullmatch(rf"[+-]?\d{{1,3}}(({g}\d{{3}})+|( \d{{3}})+)({d}\d+)?", text)
    if not (plain or grouped):
        return None
    return Decimal(text.replace(group, "").replace(" ", "").replace(decimal_mark, "."))


def plain_number(value: Decimal, number_format: str = "dot") -> str:
    """A stored value written back for a form in the organisation's format, without grouping."""
    normal = value.normalize()
    text = f"{normal:f}" if normal != normal.to_integral_value() else f"{normal.to_integral_value():f}"
    return text.replace(".", ",") if number_format == NumberFormat.COMMA else text


def read_number(value: Any, *, number_format: str = "dot") -> Decimal:
    """The one reading of a number typed in a form, sent in JSON or found in a CSV cell.

    Text is read by the organisation's number format (``NumberFormat``: which mark is the decimal
    one; the other, or a space, may group thousands in threes). Never reinterpreted silently:
    text that only reads in the other format ("12,5" where dots are decimals) is refused, with
    that reading as the suggestion. A value that is already a number (JSON) is taken as it is.
    """
    if isinstance(value, bool):
        raise NumberInputError(str(value), too_large=False)
    if isinstance(value, int | Decimal | float):
        result = Decimal(str(value))
    else:
        text = _SPACES.sub(" ", str(value).strip())
        mark = NumberFormat(number_format).decimal_mark if number_format in NumberFormat.values else "."
        parsed = _parse(text, mark)
        if parsed is None:
            other = _parse(text, "," if mark == "." else ".")
            suggestion = None if other is None else plain_number(other, "comma" if mark == "," else "dot")
            raise NumberInputError(text, too_large=False, suggestion=suggestion)
        result = parsed
    if not result.is_finite() or abs(result) >= Decimal("1e16"):
        raise NumberInputError(str(value), too_large=True)
    return result


def number_message(exc: NumberInputError, number_format: str = "dot") -> str:
    """What to tell the person who typed it."""
    if exc.too_large:
        return "Enter a number of reasonable size."
    if exc.suggestion is not None:
        example = "1,234.5" if number_format != NumberFormat.COMMA else "1.234,5"
        return f"“{exc}” is not how numbers are written here ({example}): did you mean {exc.suggestion}?"
    return (
        "Enter a number, e.g. 42 or 3,5." if number_format == NumberFormat.COMMA else "Enter a number, e.g. 42 or 3.5."
    )


def number_format_of(actor: Membership | None) -> str:
    """The actor's organisation's number format (its organisation is loaded with the membership)."""
    return actor.organisation.number_format if actor is not None else NumberFormat.DOT


def decimal_input(value: Any, field: str, *, actor: Membership | None = None) -> Decimal:
    """``read_number`` for a service, in the actor's organisation's format: a field error when
    the number is not usable."""
    number_format = number_format_of(actor)
    try:
        return read_number(value, number_format=number_format)
    except NumberInputError as exc:
        raise ValidationError({field: number_message(exc, number_format)}) from None


def weight_input(value: Any, field: str = "weight", *, actor: Membership | None = None) -> Decimal:
    """A weight: a number from 0 to ``rules.MAX_WEIGHT``."""
    weight = decimal_input(value, field, actor=actor)
    if weight < 0:
        raise ValidationError({field: "The weight cannot be negative."})
    if weight > MAX_WEIGHT:
        raise ValidationError({field: f"The weight can be at most {MAX_WEIGHT}."})
    return weight


MILESTONE_TITLE_MAX = 200


def allow_history_deletion() -> None:
    """Let this transaction delete progress updates, because it deletes their key result (the
    append-only trigger refuses any other DELETE)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.deleting_history', 'on', true)")
