"""Personal API tokens: issued once, stored hashed, revoked."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from organisations.models import (
    ApiToken,
    User,
)
from organisations.tokens import API_TOKEN_PREFIX, hash_token, new_token


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the token after where you will use it, e.g. “CI script”."})
    if len(name) > 80:
        raise ValidationError({"name": "Keep the name under 80 characters."})
    raw = new_token(API_TOKEN_PREFIX)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], token_hash=hash_token(raw))
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> None:
    updated = ApiToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if not updated:
        from django.http import Http404

        raise Http404("No such token")


def api_token_authenticate(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Record use at most once a minute: a busy script should not write on every call.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
