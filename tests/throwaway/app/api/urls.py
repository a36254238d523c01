from django.urls import include, path
from rest_framework.routers import SimpleRouter

from tests.throwaway.app.api.views import ColleagueViewSet

router = SimpleRouter()
router.register("colleagues", ColleagueViewSet, basename="throwaway-colleague")

urlpatterns = [path("", include(router.urls))]
