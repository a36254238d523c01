"""Personal API tokens: created once, stored hashed, used as Bearer, revoked, rate-limited."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organisations import services
from organisations.models import ApiToken, User
from tests.conftest import World, login
from tests.factories import PASSWORD

TOKENS_URL = "/api/v1/auth/tokens/"
TOKEN_RE = re.compile(r"asc_[A-Za-z0-9_-]{20,}")


@pytest.fixture(autouse=True)
def _clear_throttle_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _members_url(world: World) -> str:
    return f"/api/v1/orgs/{world.org.slug}/members/"


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _create(client: Client, email: str, password: str = PASSWORD, name: str = "My script") -> object:
    return client.post(
        TOKENS_URL, {"email": email, "password": password, "name": name}, content_type="application/json"
    )


def _assert_only_hash_stored(token_id: int, raw: str) -> None:
    row = ApiToken.objects.filter(pk=token_id).values().get()
    assert row["token_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert row["prefix"] == raw[:10]
    assert all(raw not in str(value) for value in row.values())


def test_create_token_with_password_returns_it_once(client: Client, a: World) -> None:
    response = _create(client, a.employee.user.email.upper())
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "name", "token"}
    assert body["name"] == "My script"
    raw = body["token"]
    assert raw.startswith("asc_")
    token = ApiToken.objects.get(pk=body["id"])
    assert token.user_id == a.employee.user_id
    _assert_only_hash_stored(token.pk, raw)
    # The token is not shown again anywhere: not in the profile page.
    login(client, a.employee)
    profile = client.get(reverse("profile")).content.decode()
    assert raw not in profile
    assert token.prefix in profile


def test_token_works_as_bearer_and_records_last_use(a: World) -> None:
    raw = _create(Client(), a.employee.user.email).json()["token"]
    assert ApiToken.objects.get(user=a.employee.user).last_used_at is None

    api = Client()
    response = api.get(_members_url(a), **_bearer(raw))
    assert response.status_code == 200
    emails = {m["user"]["email"] for m in response.json()["results"]}
    assert a.employee.user.email in emails
    assert a.owner.user.email in emails
    me = api.get(f"/api/v1/orgs/{a.org.slug}/me/", **_bearer(raw))
    assert me.json()["id"] == a.employee.pk
    assert ApiToken.objects.get(user=a.employee.user).last_used_at is not None
    # The Bearer request did not create a session.
    assert "_auth_user_id" not in api.session


def test_last_used_at_is_written_at_most_once_a_minute(a: World) -> None:
    token, raw = services.api_token_create(user=a.employee.user, name="script")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        Client().get(_members_url(a), **_bearer(raw))
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first == start
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        Client().get(_members_url(a), **_bearer(raw))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        Client().get(_members_url(a), **_bearer(raw))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == start + timedelta(minutes=2)


@pytest.mark.parametrize("email", ["right", "unknown@example.test"])
def test_wrong_credentials_answer_401_with_a_json_message(client: Client, a: World, email: str) -> None:
    address = a.employee.user.email if email == "right" else email
    response = _create(client, address, password="not-my-password")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "E-mail or password is incorrect."}
    assert not ApiToken.objects.exists()


def test_inactive_user_gets_no_token(client: Client, a: World) -> None:
    User.objects.filter(pk=a.employee.user_id).update(is_active=False)
    response = _create(client, a.employee.user.email)
    assert response.status_code == 401
    assert not ApiToken.objects.exists()


def test_missing_fields_answer_400_per_field(client: Client, db: None) -> None:
    response = client.post(TOKENS_URL, {"email": "not-an-email"}, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert "email" in body
    assert "password" in body


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer two words",
        "Bearer asc_this-token-does-not-exist",
        "Bearer " + "x" * 500,
    ],
)
def test_malformed_or_unknown_token_is_401(a: World, header: str) -> None:
    response = Client().get(_members_url(a), HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"] == "Bearer"


def test_no_credentials_is_401(a: World) -> None:
    response = Client().get(_members_url(a))
    assert response.status_code == 401


def test_revoked_token_stops_working(a: World) -> None:
    token, raw = services.api_token_create(user=a.employee.user, name="script")
    assert Client().get(_members_url(a), **_bearer(raw)).status_code == 200
    services.api_token_revoke(user=a.employee.user, token_id=token.pk)
    response = Client().get(_members_url(a), **_bearer(raw))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_token_of_a_deactivated_user_stops_working(a: World) -> None:
    _, raw = services.api_token_create(user=a.employee.user, name="script")
    User.objects.filter(pk=a.employee.user_id).update(is_active=False)
    assert Client().get(_members_url(a), **_bearer(raw)).status_code == 401


def test_token_does_not_open_an_organisation_the_user_is_not_in(a: World, b: World) -> None:
    _, raw = services.api_token_create(user=a.employee.user, name="script")
    assert Client().get(_members_url(b), **_bearer(raw)).status_code == 404
    orgs = Client().get("/api/v1/orgs/", **_bearer(raw)).json()
    assert [o["slug"] for o in orgs] == [a.org.slug]


def test_token_endpoint_is_rate_limited(a: World) -> None:
    client = Client()
    for _ in range(10):
        assert _create(client, a.employee.user.email).status_code == 201
    response = _create(client, a.employee.user.email)
    assert response.status_code == 429
    assert "throttled" in response.json()["detail"].lower()
    assert ApiToken.objects.filter(user=a.employee.user).count() == 10


# ---------------------------------------------------------------- the profile page


def test_token_created_in_profile_is_shown_once_and_works(client: Client, a: World) -> None:
    login(client, a.employee)
    response = client.post(reverse("profile"), {"action": "token", "name": "Reporting script"})
    assert response.status_code == 200
    html = response.content.decode()
    match = TOKEN_RE.search(html)
    assert match, html
    raw = match.group(0)
    token = ApiToken.objects.get(user=a.employee.user)
    assert token.name == "Reporting script"
    _assert_only_hash_stored(token.pk, raw)

    later = client.get(reverse("profile")).content.decode()
    assert raw not in later
    assert "Reporting script" in later
    assert Client().get(_members_url(a), **_bearer(raw)).status_code == 200


def test_profile_token_needs_a_name(client: Client, a: World) -> None:
    login(client, a.employee)
    response = client.post(reverse("profile"), {"action": "token", "name": "   "})
    assert response.status_code == 200
    assert "name" in response.context["token_form"].errors
    assert TOKEN_RE.search(response.content.decode()) is None
    assert not ApiToken.objects.exists()


def test_token_revoked_in_profile_stops_working(client: Client, a: World) -> None:
    token, raw = services.api_token_create(user=a.employee.user, name="Old script")
    login(client, a.employee)
    response = client.post(reverse("api_token_revoke", kwargs={"token_id": token.pk}), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Token revoked" in html
    assert "Old script" not in html
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert Client().get(_members_url(a), **_bearer(raw)).status_code == 401
    # Revoking twice is a 404, not a silent success.
    assert client.post(reverse("api_token_revoke", kwargs={"token_id": token.pk})).status_code == 404


def test_revoke_needs_post(client: Client, a: World) -> None:
    token, _ = services.api_token_create(user=a.employee.user, name="script")
    login(client, a.employee)
    assert client.get(reverse("api_token_revoke", kwargs={"token_id": token.pk})).status_code == 405
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_cannot_revoke_another_users_token(client: Client, a: World, b: World) -> None:
    token, raw = services.api_token_create(user=b.employee.user, name="Theirs")
    login(client, a.employee)
    response = client.post(reverse("api_token_revoke", kwargs={"token_id": token.pk}))
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert Client().get(_members_url(b), **_bearer(raw)).status_code == 200
    # Nor see it.
    assert "Theirs" not in client.get(reverse("profile")).content.decode()
