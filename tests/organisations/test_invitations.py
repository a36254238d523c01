"""Invitations: sending (HTML and API), the e-mail, the hashed token, and every way to accept."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organisations import services
from organisations.models import Invitation, Membership, Role, User
from tests.conftest import World, login
from tests.factories import PASSWORD

JOIN_RE = re.compile(r"https?://[^/\s]+(/join/(?P<slug>[\w-]+)/(?P<token>[\w-]+)/)")


def _invite(world: World, email: str, **kwargs: Any) -> tuple[Invitation, str]:
    with world.tenant():
        return services.invitation_create(actor=world.admin, email=email, send=False, **kwargs)


def _join_url(world: World, raw: str) -> str:
    return reverse("invitation_accept", kwargs={"join_slug": world.org.slug, "token": raw})


def _invitation(world: World, pk: int) -> Invitation:
    with world.tenant():
        return Invitation.objects.get(pk=pk)


def _memberships(world: World) -> list[tuple[int, str]]:
    with world.tenant():
        return sorted(Membership.objects.filter(organisation=world.org).values_list("user_id", "role"))


def _assert_only_hash_stored(world: World, invitation_id: int, raw: str) -> None:
    with world.tenant():
        row = Invitation.objects.filter(pk=invitation_id).values().get()
    assert row["token_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert all(raw not in str(value) for value in row.values())


# ---------------------------------------------------------------- sending


def test_admin_invites_with_the_form_and_the_email_carries_the_link(
    client: Client,
    a: World,
    eager_celery: None,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    login(client, a.admin)
    url = reverse("organisations:invitations", kwargs={"org_slug": a.org.slug})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            url,
            {
                "email": "New.Hire@Example.test",
                "role": "manager",
                "team": a.team.pk,
                "manager": a.manager.pk,
                "job_title": "Tech lead",
            },
        )
    assert response.status_code == 302
    assert response.url == url
    assert len(callbacks) == 1

    with a.tenant():
        invitation = Invitation.objects.get(organisation=a.org)
    assert invitation.email == "new.hire@example.test"
    assert invitation.role == Role.MANAGER
    assert invitation.team_id == a.team.pk
    assert invitation.manager_id == a.manager.pk
    assert invitation.job_title == "Tech lead"
    assert invitation.invited_by_id == a.admin.pk
    assert invitation.status == "pending"
    assert invitation.expires_at > timezone.now() + timedelta(days=13)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.hire@example.test"]
    assert a.org.name in message.subject
    match = JOIN_RE.search(message.body)
    assert match, message.body
    assert match["slug"] == a.org.slug
    _assert_only_hash_stored(a, invitation.pk, match["token"])

    page = client.get(url).content.decode()
    assert "new.hire@example.test" in page
    assert "pending" in page


def test_admin_invites_via_api(
    client: Client,
    a: World,
    eager_celery: None,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    login(client, a.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/orgs/{a.org.slug}/invitations/",
            {"email": "api.hire@example.test", "role": "employee", "team": a.team.pk, "job_title": "Analyst"},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "api.hire@example.test"
    assert body["status"] == "pending"
    assert body["team"] == a.team.pk
    assert "token" not in body
    assert "token_hash" not in body

    assert len(mail.outbox) == 1
    match = JOIN_RE.search(mail.outbox[0].body)
    assert match
    assert match["token"] not in response.content.decode()
    _assert_only_hash_stored(a, body["id"], match["token"])

    listed = client.get(f"/api/v1/orgs/{a.org.slug}/invitations/").json()
    assert [i["email"] for i in listed["results"]] == ["api.hire@example.test"]


def test_no_email_until_commit(
    client: Client, a: World, eager_celery: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    login(client, a.admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(
            reverse("organisations:invitations", kwargs={"org_slug": a.org.slug}),
            {"email": "later@example.test", "role": "employee"},
        )
    assert mail.outbox == []  # the task is queued on commit, not during the request
    assert len(callbacks) == 1


def test_duplicate_pending_invitation_is_a_field_error(client: Client, a: World) -> None:
    _invite(a, "twice@example.test")
    login(client, a.admin)
    response = client.post(
        reverse("organisations:invitations", kwargs={"org_slug": a.org.slug}),
        {"email": "TWICE@example.test", "role": "employee"},
    )
    assert response.status_code == 200
    assert any("already pending" in e for e in response.context["form"].errors["email"])
    api = client.post(
        f"/api/v1/orgs/{a.org.slug}/invitations/", {"email": "twice@example.test"}, content_type="application/json"
    )
    assert api.status_code == 400
    assert "already pending" in api.json()["email"][0]
    with a.tenant():
        assert Invitation.objects.filter(organisation=a.org).count() == 1


def test_inviting_an_existing_member_is_a_field_error(client: Client, a: World) -> None:
    login(client, a.admin)
    response = client.post(
        reverse("organisations:invitations", kwargs={"org_slug": a.org.slug}),
        {"email": a.employee.user.email.upper(), "role": "employee"},
    )
    assert response.status_code == 200
    assert any("already a member" in e for e in response.context["form"].errors["email"])
    api = client.post(
        f"/api/v1/orgs/{a.org.slug}/invitations/", {"email": a.report.user.email}, content_type="application/json"
    )
    assert api.status_code == 400
    assert "already a member" in api.json()["email"][0]
    with a.tenant():
        assert not Invitation.objects.filter(organisation=a.org).exists()


def test_member_of_another_organisation_can_be_invited(client: Client, a: World, b: World) -> None:
    login(client, a.admin)
    api = client.post(
        f"/api/v1/orgs/{a.org.slug}/invitations/", {"email": b.employee.user.email}, content_type="application/json"
    )
    assert api.status_code == 201


@pytest.mark.parametrize("who", ["employee", "manager"])
def test_non_admin_cannot_invite(client: Client, a: World, who: str) -> None:
    login(client, getattr(a, who))
    page = client.post(
        reverse("organisations:invitations", kwargs={"org_slug": a.org.slug}),
        {"email": "x@example.test", "role": "employee"},
    )
    assert page.status_code == 403
    api = client.post(
        f"/api/v1/orgs/{a.org.slug}/invitations/", {"email": "x@example.test"}, content_type="application/json"
    )
    assert api.status_code == 403
    assert client.get(f"/api/v1/orgs/{a.org.slug}/invitations/").status_code == 403
    with a.tenant():
        assert not Invitation.objects.filter(organisation=a.org).exists()


def test_admin_cannot_invite_an_owner(client: Client, a: World) -> None:
    login(client, a.admin)
    api = client.post(
        f"/api/v1/orgs/{a.org.slug}/invitations/",
        {"email": "boss@example.test", "role": "owner"},
        content_type="application/json",
    )
    assert api.status_code == 403
    with a.tenant():
        assert not Invitation.objects.filter(organisation=a.org).exists()


def test_invitation_with_foreign_team_or_manager_is_refused(client: Client, a: World, b: World) -> None:
    login(client, a.admin)
    for body in ({"team": b.team.pk}, {"manager": b.manager.pk}):
        api = client.post(
            f"/api/v1/orgs/{a.org.slug}/invitations/",
            {"email": "x@example.test", **body},
            content_type="application/json",
        )
        assert api.status_code == 400
        field = next(iter(body))
        assert "No such object" in api.json()[field][0]
    with a.tenant():
        assert not Invitation.objects.filter(organisation=a.org).exists()


# ---------------------------------------------------------------- accepting


def test_accept_with_a_new_account(client: Client, a: World) -> None:
    invitation, raw = _invite(a, "fresh@example.test", role=Role.MANAGER, team=a.team, manager=a.manager)
    url = _join_url(a, raw)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"] is not None
    assert "fresh@example.test" in page.content.decode()

    response = client.post(url, {"full_name": "Fresh Face", "password": "a-fine-long-passphrase"})
    assert response.status_code == 302
    assert response.url == reverse("organisations:my_work", kwargs={"org_slug": a.org.slug})

    user = User.objects.get(email="fresh@example.test")
    assert user.full_name == "Fresh Face"
    assert user.check_password("a-fine-long-passphrase")
    assert int(client.session["_auth_user_id"]) == user.pk
    with a.tenant():
        membership = Membership.objects.get(organisation=a.org, user=user)
        assert membership.role == Role.MANAGER
        assert membership.team_id == a.team.pk
        assert membership.manager_id == a.manager.pk
        assert Invitation.objects.get(pk=invitation.pk).accepted_at is not None
    assert client.get(response.url).status_code == 200


def test_accept_with_a_weak_password_keeps_the_form(client: Client, a: World) -> None:
    invitation, raw = _invite(a, "weak@example.test")
    response = client.post(_join_url(a, raw), {"full_name": "Weak", "password": "password"})
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(email="weak@example.test").exists()
    assert _invitation(a, invitation.pk).status == "pending"


def test_accept_signed_in_with_matching_email(client: Client, a: World, b: World) -> None:
    user = b.employee.user
    invitation, raw = _invite(a, user.email.upper(), role=Role.EMPLOYEE, team=a.team)
    users_before = User.objects.count()
    login(client, user)
    page = client.get(_join_url(a, raw))
    assert page.status_code == 200
    assert page.context["form"] is None  # no account form for a signed-in person
    response = client.post(_join_url(a, raw))
    assert response.status_code == 302
    assert response.url == reverse("organisations:my_work", kwargs={"org_slug": a.org.slug})
    assert User.objects.count() == users_before
    with a.tenant():
        membership = Membership.objects.get(organisation=a.org, user=user)
        assert membership.team_id == a.team.pk
    assert _invitation(a, invitation.pk).status == "accepted"
    assert client.get(response.url).status_code == 200
    # Their other organisation is untouched and still works.
    assert client.get(reverse("organisations:my_work", kwargs={"org_slug": b.org.slug})).status_code == 200


def test_accept_signed_in_as_a_different_user_is_refused(client: Client, a: World, b: World) -> None:
    invitation, raw = _invite(a, "someone.else@example.test")
    before = _memberships(a)
    users_before = User.objects.count()
    login(client, b.employee)
    response = client.post(_join_url(a, raw))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This invitation is for someone.else@example.test" in html
    assert b.employee.user.email in html
    assert _memberships(a) == before
    assert User.objects.count() == users_before
    assert _invitation(a, invitation.pk).status == "pending"
    assert client.get(reverse("organisations:my_work", kwargs={"org_slug": a.org.slug})).status_code == 404


def test_existing_account_not_signed_in_is_asked_to_sign_in(client: Client, a: World, b: World) -> None:
    user = b.employee.user
    invitation, raw = _invite(a, user.email)
    before = _memberships(a)
    url = _join_url(a, raw)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["needs_login"] is True
    html = page.content.decode()
    assert "Sign in</a> to accept" in html
    assert f'href="{reverse("login")}?next={url}"' in html

    # Posting without signing in does not create anything (nor take over the account).
    response = client.post(url, {"full_name": "Impostor", "password": "another-long-passphrase"})
    assert response.status_code == 200
    assert "sign in first" in response.content.decode()
    assert _memberships(a) == before
    with a.tenant():
        assert not Membership.objects.filter(organisation=a.org, user=user).exists()
    assert _invitation(a, invitation.pk).status == "pending"
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    # After signing in, the same link works.
    signed_in = client.post(f"{reverse('login')}?next={url}", {"username": user.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    assert signed_in.url == url
    assert client.post(url).status_code == 302
    with a.tenant():
        assert Membership.objects.filter(organisation=a.org, user=user).exists()


def test_expired_invitation_is_refused(client: Client, a: World) -> None:
    invitation, raw = _invite(a, "late@example.test")
    url = _join_url(a, raw)
    with time_machine.travel(timezone.now() + timedelta(days=15), tick=False):
        page = client.get(url)
        assert page.status_code == 200
        assert "This invitation is expired" in page.content.decode()
        response = client.post(url, {"full_name": "Late", "password": "a-fine-long-passphrase"})
        assert response.status_code == 200
        assert "This invitation is expired" in response.content.decode()
    assert not User.objects.filter(email="late@example.test").exists()
    assert _invitation(a, invitation.pk).accepted_at is None


def test_invitation_still_valid_just_before_expiry(client: Client, a: World) -> None:
    _, raw = _invite(a, "just@example.test")
    with time_machine.travel(timezone.now() + timedelta(days=13, hours=23), tick=False):
        response = client.post(_join_url(a, raw), {"full_name": "Just", "password": "a-fine-long-passphrase"})
    assert response.status_code == 302


def test_revoked_invitation_is_refused(client: Client, a: World) -> None:
    invitation, raw = _invite(a, "revoked@example.test")
    admin = Client()
    login(admin, a.admin)
    revoke = admin.post(
        reverse("organisations:invitation_revoke", kwargs={"org_slug": a.org.slug, "invitation_id": invitation.pk}),
        follow=True,
    )
    assert "revoked" in revoke.content.decode()
    assert _invitation(a, invitation.pk).status == "revoked"

    url = _join_url(a, raw)
    assert "This invitation is revoked" in client.get(url).content.decode()
    response = client.post(url, {"full_name": "Too Late", "password": "a-fine-long-passphrase"})
    assert "This invitation is revoked" in response.content.decode()
    assert not User.objects.filter(email="revoked@example.test").exists()


def test_revoke_via_api(client: Client, a: World) -> None:
    invitation, raw = _invite(a, "api-revoked@example.test")
    login(client, a.admin)
    response = client.post(f"/api/v1/orgs/{a.org.slug}/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    anonymous = Client()
    anonymous.post(_join_url(a, raw), {"full_name": "X", "password": "a-fine-long-passphrase"})
    assert not User.objects.filter(email="api-revoked@example.test").exists()


def test_already_accepted_invitation_is_refused(client: Client, a: World) -> None:
    invitation, raw = _invite(a, "once@example.test")
    first = client.post(_join_url(a, raw), {"full_name": "Once", "password": "a-fine-long-passphrase"})
    assert first.status_code == 302

    second = Client()
    page = second.get(_join_url(a, raw))
    assert "This invitation is accepted" in page.content.decode()
    response = second.post(_join_url(a, raw), {"full_name": "Twice", "password": "a-fine-long-passphrase"})
    assert response.status_code == 200
    assert "This invitation is accepted" in response.content.decode()
    assert User.objects.get(email="once@example.test").full_name == "Once"
    assert _invitation(a, invitation.pk).status == "accepted"
    with a.tenant():
        assert Membership.objects.filter(organisation=a.org, user__email="once@example.test").count() == 1


def test_unknown_token_or_wrong_organisation_is_404(client: Client, a: World, b: World) -> None:
    _, raw = _invite(a, "x@example.test")
    assert client.get(_join_url(a, "not-a-real-token")).status_code == 404
    assert client.get(_join_url(b, raw)).status_code == 404
    assert client.get(reverse("invitation_accept", kwargs={"join_slug": "nope", "token": raw})).status_code == 404


def test_reinviting_after_expiry_supersedes_the_old_invitation(client: Client, a: World) -> None:
    old, old_raw = _invite(a, "again@example.test")
    with time_machine.travel(timezone.now() + timedelta(days=15), tick=False):
        new, new_raw = _invite(a, "again@example.test")
        assert _invitation(a, old.pk).status == "revoked"
        assert "This invitation is revoked" in client.get(_join_url(a, old_raw)).content.decode()
        assert (
            client.post(_join_url(a, new_raw), {"full_name": "A", "password": "a-fine-long-passphrase"}).status_code
            == 302
        )
    assert _invitation(a, new.pk).status == "accepted"


def test_inviting_a_deactivated_member_is_refused(client: Client, a: World) -> None:
    with a.tenant():
        services.membership_deactivate(actor=a.admin, membership=a.report)
    # A deactivated person is still a member, so the HR admin reactivates instead of inviting.
    login(client, a.admin)
    response = client.post(
        f"/api/v1/orgs/{a.org.slug}/invitations/", {"email": a.report.user.email}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "already a member" in response.json()["email"][0]
