"""Survey API routes, included under /api/v1/orgs/<org_slug>/ by config/urls.py."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from surveys.api.library import ActionViewSet, QuestionViewSet, ThemeViewSet
from surveys.api.surveys import SurveyViewSet

router = SimpleRouter()
router.register("surveys", SurveyViewSet, basename="survey")
router.register("survey-themes", ThemeViewSet, basename="survey-theme")
router.register("survey-questions", QuestionViewSet, basename="survey-question")
router.register("survey-actions", ActionViewSet, basename="survey-action")

urlpatterns: list[URLPattern | URLResolver] = [path("", include(router.urls))]
