from django.urls import path

from checkins.views import conversations, oversight

app_name = "checkins"

urlpatterns = [
    path("", conversations.home, name="home"),
    path("<int:checkin_id>/", conversations.detail, name="detail"),
    path("<int:checkin_id>/draft/", conversations.save_draft, name="save_draft"),
    path("<int:checkin_id>/submit/", conversations.submit_answers, name="submit"),
    path("<int:checkin_id>/complete/", conversations.complete, name="complete"),
    path(
        "<int:checkin_id>/key-results/<int:key_result_id>/progress/",
        conversations.key_result_progress,
        name="key_result_progress",
    ),
    path("people/<int:membership_id>/", conversations.pair, name="pair"),
    path("team/", conversations.board, name="board"),
    path("calendar/new/", conversations.calendar_create, name="calendar_create"),
    path("calendar/revoke/", conversations.calendar_revoke, name="calendar_revoke"),
    path("hr/templates/", oversight.templates, name="templates"),
    path("hr/templates/<int:template_id>/", oversight.template_edit, name="template_edit"),
    path("hr/cadence/", oversight.cadence, name="cadence"),
    path("hr/overview/", oversight.overview, name="overview"),
    path("hr/reminders/", oversight.deliveries, name="deliveries"),
]
