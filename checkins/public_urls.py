"""Routes of check-ins outside any organisation's URL space, opened by a signed or secret token."""

from django.urls import path

from checkins.views import public

app_name = "checkins_public"

urlpatterns = [
    path("unsubscribe/<str:token>/", public.unsubscribe, name="unsubscribe"),
    path("calendar/<str:token>.ics", public.calendar_feed, name="calendar"),
]
