"""Goals API routes, included under /api/v1/orgs/<org_slug>/ by config/urls.py."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from goals.api.goals import GoalViewSet
from goals.api.milestones import MilestoneViewSet

router = SimpleRouter()
router.register("goals", GoalViewSet, basename="goal")
router.register("goal-milestones", MilestoneViewSet, basename="goal-milestone")

urlpatterns: list[URLPattern | URLResolver] = [path("", include(router.urls))]
