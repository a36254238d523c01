from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.survey_create, name="create"),
    path("trends/", views.trends, name="trends"),
    path("heatmap/", views.heatmap, name="heatmap"),
    path("library/", views.library, name="library"),
    path("library/<int:action_id>/", views.action_edit, name="action_edit"),
    path("library/<int:action_id>/toggle/", views.action_toggle, name="action_toggle"),
    path("<int:survey_id>/", views.survey_detail, name="detail"),
    path("<int:survey_id>/edit/", views.survey_edit, name="edit"),
    path("<int:survey_id>/delete/", views.survey_delete, name="delete"),
    path("<int:survey_id>/launch/", views.survey_launch, name="launch"),
    path("<int:survey_id>/close/", views.survey_close, name="close"),
    path("<int:survey_id>/progress/", views.survey_progress, name="progress"),
    path("<int:survey_id>/take/", views.survey_take, name="take"),
    path("<int:survey_id>/results/", views.survey_results, name="results"),
    path("<int:survey_id>/results/comments/", views.survey_comments, name="comments"),
    path("<int:survey_id>/adopt/", views.adopt, name="adopt"),
]
