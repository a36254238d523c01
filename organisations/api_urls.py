from django.urls import include, path
from rest_framework.routers import SimpleRouter

from organisations import api

router = SimpleRouter()
router.register("members", api.MemberViewSet, basename="member")
router.register("teams", api.TeamViewSet, basename="team")
router.register("invitations", api.InvitationViewSet, basename="invitation")
router.register("me", api.MeViewSet, basename="me")

urlpatterns = [
    path("auth/tokens/", api.TokenCreateView.as_view(), name="api_token_create"),
    path("orgs/", api.OrganisationListView.as_view(), name="api_organisation_list"),
    path("orgs/<slug:org_slug>/", include(router.urls)),
    path("orgs/<slug:org_slug>/", include("okrs.api_urls")),
]
