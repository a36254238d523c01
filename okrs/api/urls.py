"""OKR API routes, included under /api/v1/orgs/<org_slug>/ by config/urls.py."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from okrs.api.alignments import AlignmentViewSet
from okrs.api.cycles import CycleViewSet
from okrs.api.key_results import KeyResultViewSet
from okrs.api.objectives import ObjectiveViewSet
from okrs.api.progress import ProgressUpdateViewSet
from okrs.api.review import TeamAlignmentViewSet

router = SimpleRouter()
router.register("cycles", CycleViewSet, basename="okr-cycle")
router.register("objectives", ObjectiveViewSet, basename="okr-objective")
router.register("key-results", KeyResultViewSet, basename="okr-key-result")
router.register("alignments", AlignmentViewSet, basename="okr-alignment")
router.register("progress-updates", ProgressUpdateViewSet, basename="okr-progress-update")
router.register("team-alignment", TeamAlignmentViewSet, basename="okr-team-alignment")

urlpatterns: list[URLPattern | URLResolver] = [path("", include(router.urls))]
