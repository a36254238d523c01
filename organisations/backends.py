from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from organisations.models import User


class EmailBackend(ModelBackend):
    """Log in with the e-mail address, whatever its case."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        email = kwargs.get("email") or username
        if email is None or password is None:
            return None
        return super().authenticate(request, username=str(email).strip().lower(), password=password)
