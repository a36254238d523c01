"""API routes of tenancy and people: tokens and the caller's organisations (account-wide), and
members, teams, invitations and "me" under /api/v1/orgs/<org_slug>/ (included by config/urls.py)."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from organisations.api import views

router = SimpleRouter()
router.register("members", views.MemberViewSet, basename="member")
router.register("teams", views.TeamViewSet, basename="team")
router.register("invitations", views.InvitationViewSet, basename="invitation")
router.register("me", views.MeViewSet, basename="me")

account_patterns: list[URLPattern | URLResolver] = [
    path("auth/tokens/", views.TokenCreateView.as_view(), name="api_token_create"),
    path("orgs/", views.OrganisationListView.as_view(), name="api_organisation_list"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "settings/",
        views.OrganisationSettingsViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="organisation-settings",
    ),
    path("", include(router.urls)),
]
