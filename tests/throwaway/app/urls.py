from django.urls import path

from tests.throwaway.app import views

app_name = "throwaway"

urlpatterns = [
    path("", views.colleagues, name="colleagues"),
    path("<int:membership_id>/", views.colleague, name="colleague"),
]
