"""Accounts: sign in and out, sign-up, password reset, lockout, deactivation, home, profile."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from organisations.models import Membership, Organisation, Role, Team, TeamKind, User
from organisations.services import membership_deactivate
from tests.conftest import World, login
from tests.factories import PASSWORD, MembershipFactory, UserFactory


def _session_user_id(client: Client) -> int | None:
    raw = client.session.get("_auth_user_id")
    return int(raw) if raw is not None else None


# ---------------------------------------------------------------- login / logout


def test_login_by_email_is_case_insensitive(client: Client, a: World) -> None:
    email = a.employee.user.email
    response = client.post(reverse("login"), {"username": email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert _session_user_id(client) == a.employee.user.pk


def test_login_with_wrong_password_reenters_form_with_error(client: Client, a: World) -> None:
    response = client.post(reverse("login"), {"username": a.employee.user.email, "password": "not-the-password"})
    assert response.status_code == 200
    assert _session_user_id(client) is None
    assert response.context["form"].non_field_errors()


def test_logout_requires_post_and_signs_out(client: Client, a: World) -> None:
    login(client, a.employee)
    assert client.get(reverse("logout")).status_code == 405  # a GET cannot sign anyone out
    assert _session_user_id(client) == a.employee.user.pk

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert _session_user_id(client) is None
    page = client.get(reverse("organisations:my_work", kwargs={"org_slug": a.org.slug}))
    assert page.status_code == 302
    assert page.url.startswith(reverse("login"))


# ---------------------------------------------------------------- sign-up


SIGNUP = {
    "full_name": "Grace Hopper",
    "email": "Grace@Example.test",
    "password": "a-long-unusual-passphrase",
    "organisation_name": "Cobol Works",
    "slug": "cobol-works",
    "time_zone": "Europe/London",
}


def test_signup_creates_organisation_company_team_owner_and_logs_in(client: Client, db: None) -> None:
    response = client.post(reverse("signup"), SIGNUP)

    assert response.status_code == 302
    assert response.url == reverse("organisations:my_work", kwargs={"org_slug": "cobol-works"})
    user = User.objects.get(email="grace@example.test")
    assert user.full_name == "Grace Hopper"
    assert user.check_password(SIGNUP["password"])
    assert _session_user_id(client) == user.pk
    organisation = Organisation.objects.get(slug="cobol-works")
    assert organisation.name == "Cobol Works"
    assert organisation.time_zone == "Europe/London"
    from organisations.rls import tenant_context

    with tenant_context(organisation.pk):
        company = Team.objects.get(organisation=organisation)
        assert company.kind == TeamKind.COMPANY
        assert company.name == "Cobol Works"
        membership = Membership.objects.get(organisation=organisation)
        assert membership.user == user
        assert membership.role == Role.OWNER
        assert membership.team == company
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"slug": "alpha"}, "slug", "That address is taken"),
        ({"slug": "admin"}, "slug", "reserved"),
        ({"password": "password"}, "password", "too common"),
        ({"password": "short"}, "password", "too short"),
        ({"email": "TAKEN@Example.TEST"}, "email", "already exists"),
    ],
)
def test_signup_errors_rerender_with_field_errors_and_keep_values(
    client: Client, a: World, change: dict[str, str], field: str, message: str
) -> None:
    UserFactory(email="taken@example.test")
    users_before = User.objects.count()
    organisations_before = Organisation.objects.count()

    response = client.post(reverse("signup"), {**SIGNUP, **change})

    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert any(message in error for error in form.errors[field]), form.errors
    html = response.content.decode()
    assert message in html
    # What the person typed is still there (except the password).
    assert 'value="Cobol Works"' in html
    assert 'value="Grace Hopper"' in html
    assert 'value="{}"'.format(change.get("slug", "cobol-works")) in html
    # Nothing half-made: no account, no organisation, nobody signed in.
    assert User.objects.count() == users_before
    assert Organisation.objects.count() == organisations_before
    assert _session_user_id(client) is None


def test_signup_page_redirects_a_signed_in_user_to_organisation_create(client: Client, a: World) -> None:
    login(client, a.employee)
    response = client.get(reverse("signup"))
    assert response.status_code == 302
    assert response.url == reverse("organisation_create")


# ---------------------------------------------------------------- password reset


def test_password_reset_email_link_sets_a_new_password(client: Client, a: World) -> None:
    user = a.employee.user
    response = client.post(reverse("password_reset"), {"email": user.email.upper()})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    match = re.search(r"https?://[^/\s]+(/password-reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body

    form_page = client.get(match.group(1), follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "brand-new-passphrase-1", "new_password2": "brand-new-passphrase-1"})
    assert done.status_code == 302
    assert done.url == reverse("password_reset_complete")

    user.refresh_from_db()
    assert user.check_password("brand-new-passphrase-1")
    assert not user.check_password(PASSWORD)
    fresh = Client()
    signed_in = fresh.post(reverse("login"), {"username": user.email, "password": "brand-new-passphrase-1"})
    assert signed_in.status_code == 302
    assert _session_user_id(fresh) == user.pk
    # The link works once.
    again = client.get(match.group(1), follow=True)
    assert again.context["validlink"] is False


def test_password_reset_for_unknown_email_sends_nothing_and_reveals_nothing(client: Client, db: None) -> None:
    response = client.post(reverse("password_reset"), {"email": "nobody@example.test"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


# ---------------------------------------------------------------- django-axes lockout


def test_lockout_after_failure_limit_shows_locked_out_page(client: Client, a: World) -> None:
    email = a.employee.user.email
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _ in range(limit - 1):
        response = client.post(reverse("login"), {"username": email, "password": "wrong-password"})
        assert response.status_code == 200
        assert "Too many sign-in attempts" not in response.content.decode()

    locked = client.post(reverse("login"), {"username": email, "password": "wrong-password"})
    assert "Too many sign-in attempts" in locked.content.decode()
    assert locked.status_code == 429

    # Even the right password is refused while locked out.
    right = client.post(reverse("login"), {"username": email, "password": PASSWORD})
    assert "Too many sign-in attempts" in right.content.decode()
    assert _session_user_id(client) is None

    # Another account from the same address is not locked.
    other = Client().post(reverse("login"), {"username": a.report.user.email, "password": PASSWORD})
    assert other.status_code == 302


# ---------------------------------------------------------------- deactivated membership


def test_deactivated_membership_hides_that_organisation_but_not_another(client: Client, a: World, b: World) -> None:
    user = a.employee.user
    MembershipFactory(organisation=b.org, user=user, team=b.team)
    login(client, user)
    beta_home = reverse("organisations:my_work", kwargs={"org_slug": b.org.slug})
    alpha_home = reverse("organisations:my_work", kwargs={"org_slug": a.org.slug})
    alpha_link = f'href="{alpha_home}"'
    assert alpha_link in client.get(beta_home).content.decode()

    with a.tenant():
        membership_deactivate(actor=a.admin, membership=Membership.objects.get(pk=a.employee.pk))

    for name in ("organisations:my_work", "organisations:team", "okrs:my_okrs"):
        assert client.get(reverse(name, kwargs={"org_slug": a.org.slug})).status_code == 404
    page = client.get(beta_home)
    assert page.status_code == 200
    assert alpha_link not in page.content.decode()
    assert b.org.name in page.content.decode()
    organisations = client.get(reverse("organisation_list")).content.decode()
    assert alpha_link not in organisations
    assert f'href="{beta_home}"' in organisations
    # Home goes to the organisation that still works, even if Alpha was the last one visited.
    session = client.session
    session["last_org"] = a.org.slug
    session.save()
    assert client.get(reverse("home")).url == beta_home


# ---------------------------------------------------------------- home


def test_home_sends_anonymous_visitors_to_login(client: Client, db: None) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("login")


def test_home_redirects_to_an_organisation_and_remembers_the_last(client: Client, a: World, b: World) -> None:
    user = a.employee.user
    MembershipFactory(organisation=b.org, user=user)
    login(client, user)
    # Alphabetical first (Alpha) when nothing was visited yet.
    assert client.get(reverse("home")).url == reverse("organisations:my_work", kwargs={"org_slug": a.org.slug})
    client.get(reverse("organisations:my_work", kwargs={"org_slug": b.org.slug}))
    assert client.get(reverse("home")).url == reverse("organisations:my_work", kwargs={"org_slug": b.org.slug})


def test_home_without_any_organisation_goes_to_the_organisation_list(client: Client, stranger: User) -> None:
    login(client, stranger)
    response = client.get(reverse("home"))
    assert response.url == reverse("organisation_list")
    page = client.get(response.url)
    assert page.status_code == 200
    assert "not a member of any organisation" in page.content.decode()


# ---------------------------------------------------------------- profile


def test_profile_update(client: Client, a: World) -> None:
    login(client, a.employee)
    response = client.post(
        reverse("profile"),
        {"action": "profile", "full_name": "  Ada Lovelace ", "time_zone": "Asia/Tokyo"},
    )
    assert response.status_code == 302
    assert response.url == reverse("profile")
    user = User.objects.get(pk=a.employee.user.pk)
    assert user.full_name == "Ada Lovelace"
    assert user.time_zone == "Asia/Tokyo"
    assert user.email_notifications is False  # unticked checkbox
    assert "Profile saved." in client.get(reverse("profile")).content.decode()


def test_profile_rejects_unknown_time_zone(client: Client, a: World) -> None:
    login(client, a.employee)
    response = client.post(
        reverse("profile"), {"action": "profile", "full_name": "Ada", "time_zone": "Mars/Olympus_Mons"}
    )
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    assert User.objects.get(pk=a.employee.user.pk).time_zone == "UTC"


def test_profile_requires_login(client: Client, db: None) -> None:
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# ---------------------------------------------------------------- organisation create


def test_signed_in_user_creates_an_organisation(client: Client, a: World) -> None:
    login(client, a.employee)
    assert client.get(reverse("organisation_create")).status_code == 200
    response = client.post(
        reverse("organisation_create"),
        {"name": "Side Project", "slug": "side-project", "time_zone": "UTC", "fiscal_year_start_month": "4"},
    )
    assert response.status_code == 302
    assert response.url == reverse("organisations:my_work", kwargs={"org_slug": "side-project"})
    organisation = Organisation.objects.get(slug="side-project")
    assert organisation.fiscal_year_start_month == 4
    from organisations.rls import tenant_context

    with tenant_context(organisation.pk):
        membership = Membership.objects.get(organisation=organisation)
        assert membership.user_id == a.employee.user_id
        assert membership.role == Role.OWNER
        assert Team.objects.get(organisation=organisation, kind=TeamKind.COMPANY).name == "Side Project"
    page = client.get(response.url)
    assert page.status_code == 200
    # The new organisation and the old one are both in the switcher.
    assert f'href="{reverse("organisations:my_work", kwargs={"org_slug": a.org.slug})}"' in page.content.decode()


def test_organisation_create_with_taken_slug_shows_error(client: Client, a: World) -> None:
    login(client, a.employee)
    response = client.post(
        reverse("organisation_create"),
        {"name": "Copycat", "slug": "alpha", "time_zone": "UTC", "fiscal_year_start_month": "1"},
    )
    assert response.status_code == 200
    assert "slug" in response.context["form"].errors
    assert Organisation.objects.filter(name="Copycat").count() == 0


def test_organisation_create_requires_login(client: Client, db: None) -> None:
    response = client.get(reverse("organisation_create"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_user_factory_password_works_for_login(client: Client, db: None) -> None:
    user = UserFactory(email="mixed@example.test")
    response = client.post(reverse("login"), {"username": "MIXED@example.test", "password": PASSWORD})
    assert response.status_code == 302
    assert _session_user_id(client) == user.pk


def test_signup_shows_every_problem_at_once(client: Client, a: World) -> None:
    """A taken e-mail must not hide a weak password: the person fixes the form in one go."""
    response = client.post(
        reverse("signup"),
        {
            "full_name": "Zed",
            "email": a.admin.user.email,
            "password": "short",
            "organisation_name": "Zed Co",
            "slug": a.org.slug,
            "time_zone": "UTC",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"email", "password", "slug"}, errors
