"""Goals pages under /o/<org_slug>/goals/."""

from django.urls import path

from goals.views import goals, progress, shared

app_name = "goals"

urlpatterns = [
    path("", goals.my_goals, name="home"),
    path("new/", goals.goal_create, name="create"),
    path("shared/", shared.shared_with_me, name="shared"),
    path("<int:goal_id>/", goals.goal_detail, name="detail"),
    path("<int:goal_id>/edit/", goals.goal_edit, name="edit"),
    path("<int:goal_id>/delete/", goals.goal_delete, name="delete"),
    path("<int:goal_id>/state/", goals.goal_state, name="state"),
    path("<int:goal_id>/comment/", goals.goal_comment, name="comment"),
    path("<int:goal_id>/progress/", progress.goal_progress, name="progress"),
    path("<int:goal_id>/milestones/", progress.milestone_add, name="milestone_add"),
    path("milestones/<int:milestone_id>/toggle/", progress.milestone_toggle, name="milestone_toggle"),
    path("milestones/<int:milestone_id>/remove/", progress.milestone_remove, name="milestone_remove"),
]
