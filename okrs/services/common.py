"""What every OKR service shares: the activity record, the organisation check on related objects,
and reading numbers the way the value columns store them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection

from okrs.models import Activity, CycleState, Objective
from organisations.models import Membership

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
    """Text that is not a usable number; ``too_large`` tells an overflow from nonsense."""

    def __init__(self, text: str, *, too_large: bool) -> None:
        super().__init__(text)
        self.too_large = too_large


def read_number(value: Any) -> Decimal:
    """The one reading of a number typed in a form, sent in JSON or found in a CSV cell."""
    text = str(value).strip().replace(",", "")
    try:
        result = Decimal(text)
    except (InvalidOperation, ValueError):
        raise NumberInputError(text, too_large=False) from None
    if not result.is_finite() or abs(result) >= Decimal("1e16"):
        raise NumberInputError(text, too_large=True)
    return result


def decimal_input(value: Any, field: str) -> Decimal:
    """``read_number`` for a service: a field error when the number is not usable."""
    try:
        return read_number(value)
    except NumberInputError as exc:
        message = "Enter a number of reasonable size." if exc.too_large else "Enter a number, e.g. 42 or 3.5."
        raise ValidationError({field: message}) from None


#: The largest weight of a key result or an alignment (weights are relative shares; the column
#: holds 99999.999, and a bound far below it keeps one input from swamping a mean).
MAX_WEIGHT = Decimal(1000)
MILESTONE_TITLE_MAX = 200


def weight_input(value: Any, field: str = "weight") -> Decimal:
    """A weight for a service: a number from 0 to ``MAX_WEIGHT``, else a field error."""
    weight = decimal_input(value, field)
    if weight < 0:
        raise ValidationError({field: "The weight cannot be negative."})
    if weight > MAX_WEIGHT:
        raise ValidationError({field: f"The weight can be at most {MAX_WEIGHT}."})
    return weight


def allow_history_deletion() -> None:
    """Let this transaction delete progress updates, because it deletes their key result (the
    append-only trigger refuses any other DELETE)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.deleting_history', 'on', true)")
