"""Issue 12.4 (every "today" is the organisation's local date, around midnight far from UTC) and
issue 7.9 (cycles: unique names, a warning before two overlapping quarters are active, the default
cycle is the active one containing today, an empty cycle can be deleted)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from okrs import selectors, services
from okrs.models import Cycle, CycleKind, CycleState
from organisations.errors import Conflict
from organisations.models import Organisation
from tests.conftest import World
from tests.okrs.factories import CycleFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def _zone(w: World, name: str) -> None:
    Organisation.objects.filter(pk=w.org.pk).update(time_zone=name)
    w.org.refresh_from_db()
    for member in w.members:
        member.organisation = w.org


# ---------------------------------------------------------------- 12.4 the organisation's date


@pytest.mark.parametrize(
    ("zone", "moment", "state"),
    [
        # 11:00 UTC on 30 September is 01:00 on 1 October in Kiritimati (UTC+14): the cycle has begun.
        ("Pacific/Kiritimati", datetime(2026, 9, 30, 11, 0, tzinfo=UTC), CycleState.ACTIVE),
        # 05:00 UTC on 1 October is still 30 September, 18:00, in Pago Pago (UTC−11): not yet.
        ("Pacific/Pago_Pago", datetime(2026, 10, 1, 5, 0, tzinfo=UTC), CycleState.PLANNING),
    ],
)
def test_a_new_cycle_starts_in_the_state_of_the_organisation_date(
    a: World, zone: str, moment: datetime, state: str
) -> None:
    _zone(a, zone)
    with time_machine.travel(moment, tick=False), a.tenant():
        cycle = services.cycle_create_custom(
            actor=a.admin, name="Launch", start_date=date(2026, 10, 1), end_date=date(2026, 12, 31)
        )
        year = services.cycles_generate_year(actor=a.admin, start_year=2026)
        assert cycle.state == state
        q4 = next(c for c in year if c.kind == CycleKind.QUARTER and c.start_date == date(2026, 10, 1))
        assert q4.state == state
        assert selectors.default_cycle(actor=a.admin).state in (CycleState.ACTIVE, CycleState.PLANNING)


# ---------------------------------------------------------------- 7.9 cycles


def test_cycle_names_are_unique_in_an_organisation(a: World, b: World) -> None:
    with a.tenant():
        services.cycle_create_custom(
            actor=a.admin, name="Q4 FY2026", start_date=date(2026, 10, 1), end_date=date(2026, 12, 31)
        )
        with pytest.raises(Conflict) as error:
            services.cycle_create_custom(
                actor=a.admin, name="q4 fy2026 ", start_date=date(2026, 10, 1), end_date=date(2026, 12, 31)
            )
        assert "name" in error.value.message_dict
        with pytest.raises(Conflict):  # the generated quarter would be a second "Q4 FY2026"
            services.cycles_generate_year(actor=a.admin, start_year=2026)
    with b.tenant():  # another organisation may use the name
        services.cycle_create_custom(
            actor=b.admin, name="Q4 FY2026", start_date=date(2026, 10, 1), end_date=date(2026, 12, 31)
        )


def test_a_second_overlapping_active_quarter_needs_a_confirmation(a: World) -> None:
    with a.tenant():
        _, q1, q2, _, _ = services.cycles_generate_year(actor=a.admin, start_year=2026, today=date(2026, 2, 1))
        extra = services.cycle_create_custom(
            actor=a.admin, name="Sprint", start_date=date(2026, 3, 1), end_date=date(2026, 4, 30)
        )
        assert q1.state == CycleState.ACTIVE
        services.cycle_set_state(actor=a.admin, cycle=q2, state=CycleState.ACTIVE)  # no overlap with Q1
        with pytest.raises(Conflict) as error:
            services.cycle_set_state(actor=a.admin, cycle=extra, state=CycleState.ACTIVE)
        assert "overlaps" in error.value.message_dict["state"][0]
        extra.refresh_from_db()
        assert extra.state != CycleState.ACTIVE
        services.cycle_set_state(actor=a.admin, cycle=extra, state=CycleState.ACTIVE, confirm_overlap=True)
        extra.refresh_from_db()
        assert extra.state == CycleState.ACTIVE


def test_the_overlap_warning_on_the_page_and_the_api(a: World, client_for: Any) -> None:
    with a.tenant():
        services.cycles_generate_year(actor=a.admin, start_year=2026, today=date(2026, 2, 1))
        extra = services.cycle_create_custom(
            actor=a.admin, name="Sprint", start_date=date(2026, 3, 1), end_date=date(2026, 4, 30)
        )
    client = client_for(a.admin)
    page = client.post(reverse("okrs:cycle_state", args=[a.org.slug, extra.pk]), {"state": "active"}, follow=True)
    assert "overlaps" in page.content.decode()
    assert 'name="confirm_overlap"' in page.content.decode()
    url = f"/api/v1/orgs/{a.org.slug}/cycles/{extra.pk}/set-state/"
    assert client.post(url, {"state": "active"}, content_type="application/json").status_code == 409
    done = client.post(url, {"state": "active", "confirm_overlap": True}, content_type="application/json")
    assert done.status_code == 200, done.content


@pytest.mark.frozen_time(datetime(2026, 11, 15, 12, tzinfo=UTC))
def test_the_default_cycle_is_the_active_one_containing_today(a: World, frozen_time: object) -> None:
    current = CycleFactory(organisation=a.org, kind=CycleKind.QUARTER, name="Q4", state=CycleState.ACTIVE)
    CycleFactory(
        organisation=a.org,
        kind=CycleKind.QUARTER,
        name="Q1 next",
        start_date=date(2027, 1, 1),
        end_date=date(2027, 3, 31),
        state=CycleState.ACTIVE,  # set active early, by hand
    )
    with a.tenant():
        assert selectors.default_cycle(actor=a.employee) == current


def test_an_empty_cycle_can_be_deleted_and_one_with_objectives_cannot(a: World, client_for: Any) -> None:
    empty = CycleFactory(organisation=a.org, name="Oops")
    used = CycleFactory(organisation=a.org, name="Used")
    ObjectiveFactory(cycle=used, owner=a.employee)
    with a.tenant():
        with pytest.raises(PermissionDenied):
            services.cycle_delete(actor=a.manager, cycle=empty)
        with pytest.raises(ValidationError) as error:
            services.cycle_delete(actor=a.admin, cycle=used)
        assert "objectives" in " ".join(error.value.messages)
    client = client_for(a.admin)
    page = client.get(reverse("okrs:cycles", args=[a.org.slug])).content.decode()
    assert reverse("okrs:cycle_delete", args=[a.org.slug, empty.pk]) in page
    assert reverse("okrs:cycle_delete", args=[a.org.slug, used.pk]) not in page
    client.post(reverse("okrs:cycle_delete", args=[a.org.slug, empty.pk]))
    with a.tenant():
        assert not Cycle.objects.filter(pk=empty.pk).exists()
    response = client.delete(f"/api/v1/orgs/{a.org.slug}/cycles/{used.pk}/")
    assert response.status_code == 400
