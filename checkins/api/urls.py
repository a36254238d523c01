from django.urls import include, path
from rest_framework.routers import SimpleRouter

from checkins.api.checkins import CheckinViewSet
from checkins.api.oversight import CadenceViewSet, DeliveryViewSet, TemplateViewSet

router = SimpleRouter()
router.register("checkins", CheckinViewSet, basename="checkin")
router.register("checkin-templates", TemplateViewSet, basename="checkin-template")
router.register("reminder-deliveries", DeliveryViewSet, basename="reminder-delivery")

cadence = CadenceViewSet.as_view({"get": "retrieve", "put": "update"})

urlpatterns = [path("", include(router.urls)), path("checkin-cadence/", cadence, name="checkin-cadence")]
