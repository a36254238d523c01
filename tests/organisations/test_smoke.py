import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World, login

PAGES = [
    "organisations:my_work",
    "organisations:team",
    "okrs:my_okrs",
    "goals:home",
    "checkins:home",
    "surveys:home",
    "organisations:people",
    "organisations:invitations",
    "organisations:teams",
    "organisations:people_import",
    "organisations:organisation_settings",
]


@pytest.mark.parametrize("name", PAGES)
def test_admin_sees_every_page(client: Client, a: World, b: World, name: str) -> None:
    login(client, a.admin)
    response = client.get(reverse(name, kwargs={"org_slug": a.org.slug}))
    assert response.status_code == 200
    assert a.org.name in response.content.decode()
