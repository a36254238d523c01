from decimal import Decimal

import pytest

from okrs import services
from okrs.models import KeyResult, KeyResultSource, ProgressUpdate
from tests.conftest import World
from tests.okrs.factories import CycleFactory, KeyResultFactory, ObjectiveFactory


@pytest.mark.django_db
def test_update_rolls_up_through_key_result_alignment(a: World) -> None:
    cycle = CycleFactory(organisation=a.org)
    company = ObjectiveFactory(cycle=cycle, owner=a.owner, level="company")
    parent_kr = KeyResultFactory(objective=company, progress_source=KeyResultSource.ALIGNED_CHILDREN)
    KeyResultFactory(objective=company)
    team_obj = ObjectiveFactory(cycle=cycle, owner=a.manager, level="team")
    kr = KeyResultFactory(objective=team_obj, owner=a.employee)
    with a.tenant():
        services.alignment_create(actor=a.manager, child=team_obj, parent_key_result=parent_kr)
        services.progress_update_create(actor=a.employee, key_result=kr, value="50", confidence="at_risk", note="half")
        kr.refresh_from_db()
        team_obj.refresh_from_db()
        parent_kr.refresh_from_db()
        company.refresh_from_db()
        assert kr.progress == Decimal("0.5")
        assert team_obj.progress == Decimal("0.5")
        assert team_obj.worst_confidence == "at_risk"
        assert parent_kr.progress == Decimal("0.5")
        assert company.progress == Decimal("0.25")  # mean of 0.5 and the untouched 0
        assert ProgressUpdate.objects.count() == 1
        services.key_result_delete(actor=a.manager, key_result=kr)
        company.refresh_from_db()
        assert company.progress == Decimal(0)
        assert not KeyResult.objects.filter(pk=kr.pk).exists()
