"""A deliberately leaky route, used only to prove that the isolation sweep catches leaks.

It is reachable only in tests that point ROOT_URLCONF here. Row-level security would stop a
plain unscoped query, so the leak lifts RLS as well: the worst case a careless view could write.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as real_urlpatterns
from organisations import rls
from organisations.models import Membership
from organisations.web import tenant_view


@tenant_view()
def leaky_member(request: HttpRequest, membership: Membership, membership_id: int) -> HttpResponse:
    with rls.dangerously_all_tenants("deliberate leak for the sweep's own test"):
        person = Membership.objects.select_related("user", "organisation").get(pk=membership_id)
        return HttpResponse(f"{person.user.full_name} of {person.organisation.name}")


urlpatterns = [
    path("o/<slug:org_slug>/leaky/<int:membership_id>/", leaky_member, name="leaky_member"),
    *real_urlpatterns,
]
