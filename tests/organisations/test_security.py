"""Issue 7's security findings on sign-in, tokens and password reset (items 13, 14, 19): each test
here failed before its fix."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.cache import cache
from django.http import HttpRequest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from organisations.client_ip import client_ip
from organisations.models import ApiToken
from tests.conftest import World
from tests.factories import PASSWORD, MembershipFactory

TOKENS_URL = "/api/v1/auth/tokens/"


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _sign_in(client: Client, email: str, password: str) -> int:
    return client.post(reverse("login"), {"username": email, "password": password}).status_code


def _token(client: Client, email: str, password: str, **extra: str) -> int:
    response = client.post(
        TOKENS_URL, {"email": email, "password": password, "name": "x"}, content_type="application/json", **extra
    )
    return response.status_code


# ---------------------------------------------------------------- 13: the lockout's key


def test_form_lockout_holds_whatever_the_case_of_the_address(client: Client, a: World) -> None:
    email = a.employee.user.email.lower()
    for _ in range(5):
        _sign_in(client, email, "wrong-password")
    # Same account, typed in capitals, with the right password: still locked.
    assert _sign_in(client, f"  {email.upper()} ", PASSWORD) == 429
    assert "_auth_user_id" not in client.session


def test_token_endpoint_lockout_holds_whatever_the_case_of_the_address(a: World) -> None:
    email = a.employee.user.email.lower()
    client = Client()
    for _ in range(5):
        assert _token(client, email, "wrong-password") in (401, 429)
    assert _token(client, email.upper(), PASSWORD) != 201
    assert not ApiToken.objects.filter(user=a.employee.user).exists()


def test_lockout_counts_the_form_and_the_api_together(client: Client, a: World) -> None:
    email = a.employee.user.email
    for _ in range(3):
        _sign_in(client, email.upper(), "wrong-password")
    for _ in range(2):
        _token(Client(), email.title(), "wrong-password")
    assert _sign_in(Client(), email, PASSWORD) == 429


@override_settings(ASCENT_IP_FAILURE_LIMIT=8)
def test_one_ip_cannot_try_many_accounts(a: World) -> None:
    client = Client()
    victims = [MembershipFactory(organisation=a.org, team=a.team) for _ in range(5)]
    statuses = [_sign_in(client, victim.user.email, "wrong-password") for victim in victims[:4] for _ in range(2)]
    # Two failures each, under the per-account limit of 5; the eighth from this IP locks it.
    assert statuses == [200] * 7 + [429]
    # A fifth account is refused, even with its password...
    assert _sign_in(client, victims[4].user.email, PASSWORD) == 429
    assert _token(Client(), victims[4].user.email, PASSWORD) != 201
    # ... but not from another IP.
    assert _sign_in(Client(REMOTE_ADDR="10.9.8.7"), victims[4].user.email, PASSWORD) == 302


# ---------------------------------------------------------------- 14: forwarded headers


def test_forged_forwarded_for_does_not_escape_the_token_rate_limit(a: World) -> None:
    statuses = [
        _token(Client(), a.employee.user.email, PASSWORD, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}") for n in range(20)
    ]
    assert statuses.count(201) == 10
    assert statuses[10:] == [429] * 10


def test_forged_forwarded_for_does_not_escape_the_lockout(a: World) -> None:
    email = a.employee.user.email
    for n in range(5):
        Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").post(reverse("login"), {"username": email, "password": "bad"})
    assert _sign_in(Client(HTTP_X_FORWARDED_FOR="198.51.100.99"), email, PASSWORD) == 429


def test_client_ip_believes_only_the_configured_number_of_proxies() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert client_ip(request) == "10.0.0.1"
    with override_settings(TRUSTED_PROXIES=1):
        assert client_ip(request) == "203.0.113.5"  # the address our one proxy saw; 6.6.6.6 was typed
    with override_settings(TRUSTED_PROXIES=2):
        assert client_ip(request) == "6.6.6.6"


@override_settings(TRUSTED_PROXIES=1)
def test_behind_one_proxy_each_client_has_its_own_token_limit(a: World) -> None:
    first = [_token(Client(), a.employee.user.email, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.1") for _ in range(11)]
    assert first[-1] == 429
    assert _token(Client(), a.employee.user.email, PASSWORD, HTTP_X_FORWARDED_FOR="forged, 203.0.113.2") == 201


# ---------------------------------------------------------------- 19: password reset


def _reset(client: Client, email: str) -> tuple[int, str]:
    response = client.post(reverse("password_reset"), {"email": email})
    return response.status_code, response.get("Location", "")


def test_password_reset_is_limited_per_address_with_the_same_answer(a: World) -> None:
    answers = {_reset(Client(REMOTE_ADDR=f"10.1.0.{n}"), a.employee.user.email) for n in range(8)}
    assert answers == {(302, reverse("password_reset_done"))}
    assert len(mail.outbox) == 3


def test_password_reset_is_limited_per_ip_with_the_same_answer(a: World) -> None:
    people = [MembershipFactory(organisation=a.org, team=a.team) for _ in range(12)]
    client = Client()
    answers = {_reset(client, person.user.email) for person in people}
    assert answers == {(302, reverse("password_reset_done"))}
    assert len(mail.outbox) == 10
    # An unknown address over the limit gets the very same answer.
    assert _reset(client, "nobody@example.test") == (302, reverse("password_reset_done"))


# ---------------------------------------------------------------- 16: no credential on an error page


SECRETS = ("s3cret-db-pass", "s3cret-admin-pass", "s3cret-redis-pass", "s3cret-url-pass")


def _request_with_credentials_in_its_environment() -> HttpRequest:
    # Built out here: the debug page also prints the source around the failing line, and that
    # must not be where the secrets are found.
    db, admin, redis_pass, url_pass = SECRETS
    return RequestFactory().get(
        "/boom/",
        DATABASE_URL=f"postgres://ascent_app:{db}@db:5432/ascent",
        DATABASE_ADMIN_URL=f"postgres://postgres:{admin}@db/postgres",
        REDIS_URL=f"redis://:{redis_pass}@cache:6379/0",
        SOME_OTHER_SETTING=f"https://user:{url_pass}@example.test/x",
    )


def test_the_debug_page_shows_no_credential_from_the_environment() -> None:
    """make dev's debug page (DEBUG on) showed DATABASE_URL and DATABASE_ADMIN_URL with passwords."""
    import sys

    from django.views.debug import technical_500_response

    request = _request_with_credentials_in_its_environment()
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        with override_settings(DEBUG=True):
            page = technical_500_response(request, *sys.exc_info()).content.decode()
    assert "boom" in page  # it is the debug page
    assert "DATABASE_URL" in page
    for secret in SECRETS:
        assert secret not in page
