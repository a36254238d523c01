"""Two pages the way every app writes them: the kit's tenant_view, reads through selectors."""

from django.http import HttpResponse

from organisations import selectors
from organisations.models import Membership
from organisations.web import TenantRequest, tenant_view


@tenant_view()
def colleagues(request: TenantRequest, membership: Membership) -> HttpResponse:
    names = ", ".join(m.user.full_name for m in selectors.member_list(actor=membership))
    return HttpResponse(f"Colleagues: {names}")


@tenant_view()
def colleague(request: TenantRequest, membership: Membership, membership_id: int) -> HttpResponse:
    person = selectors.access_membership(membership, membership_id)  # another organisation's: 404
    return HttpResponse(f"Colleague: {person.user.full_name}")
