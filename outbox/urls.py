from django.urls import path

from outbox import views

app_name = "outbox"

urlpatterns = [
    path("", views.jobs, name="jobs"),
    path("<int:job_id>/retry/", views.job_retry, name="job_retry"),
]
