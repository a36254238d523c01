"""Pages of tenancy and people.

Account pages (sign-in, sign-up, password reset, profile, the organisation list) have flat names:
Django's auth views reverse ``password_reset_done`` and friends by those names. The organisation's
own pages live under ``/o/<org_slug>/`` in the ``organisations`` namespace, like every app's.
"""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from organisations import views
from organisations.forms import LoginForm

account_patterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("orgs/", views.organisation_list, name="organisation_list"),
    path("orgs/new/", views.organisation_create, name="organisation_create"),
    path("join/<slug:join_slug>/<str:token>/", views.invitation_accept, name="invitation_accept"),
]

tenant_patterns = [
    path("", views.my_work, name="my_work"),
    path("team/", views.team, name="team"),
    path("people/<int:membership_id>/", views.person, name="person"),
    path("people/search/", views.people_search, name="people_search"),
    # people
    path("admin/", views.admin_home, name="admin_home"),
    path("admin/people/", views.people, name="people"),
    path("admin/people/import/", views.people_import_view, name="people_import"),
    path("admin/people/<int:membership_id>/", views.person_edit, name="person_edit"),
    path("admin/people/<int:membership_id>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("admin/people/<int:membership_id>/reactivate/", views.person_reactivate, name="person_reactivate"),
    # invitations
    path("admin/invitations/", views.invitations, name="invitations"),
    path("admin/invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("admin/invitations/<int:invitation_id>/resend/", views.invitation_resend, name="invitation_resend"),
    # teams
    path("admin/teams/", views.teams, name="teams"),
    path("admin/teams/<int:team_id>/", views.team_edit, name="team_edit"),
    path("admin/teams/<int:team_id>/delete/", views.team_delete, name="team_delete"),
    # the organisation
    path("admin/settings/", views.organisation_settings, name="organisation_settings"),
]

urlpatterns = [
    *account_patterns,
    path("o/<slug:org_slug>/", include((tenant_patterns, "organisations"))),
]
