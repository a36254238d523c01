"""OKR API routes, included under /api/v1/orgs/<org_slug>/ by organisations/api_urls.py."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from okrs import api

router = SimpleRouter()
router.register("cycles", api.CycleViewSet, basename="okr-cycle")
router.register("objectives", api.ObjectiveViewSet, basename="okr-objective")
router.register("key-results", api.KeyResultViewSet, basename="okr-key-result")
router.register("alignments", api.AlignmentViewSet, basename="okr-alignment")
router.register("progress-updates", api.ProgressUpdateViewSet, basename="okr-progress-update")

urlpatterns: list[URLPattern | URLResolver] = [path("", include(router.urls))]
