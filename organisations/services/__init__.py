"""Writes for tenancy and people. Keyword-only, atomic, and every rule lives here; one module per
entity, re-exported here so callers write ``services.<name>``.

Services raise ``ValidationError`` (with a message per field where a field is at fault)
for bad input and ``PermissionDenied`` when the actor's role does not allow the change.
"""

from organisations.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_resend,
    invitation_revoke,
)
from organisations.services.memberships import (
    check_manager,
    membership_deactivate,
    membership_reactivate,
    membership_update,
)
from organisations.services.organisations import (
    RESERVED_SLUGS,
    SETTINGS_FIELDS,
    organisation_create,
    organisation_update,
    signup,
    suggest_slug,
    user_create,
    user_update_profile,
)
from organisations.services.teams import (
    team_create,
    team_delete,
    team_update,
)
from organisations.services.tokens import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)

__all__ = [
    "RESERVED_SLUGS",
    "SETTINGS_FIELDS",
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "check_manager",
    "invitation_accept",
    "invitation_create",
    "invitation_resend",
    "invitation_revoke",
    "membership_deactivate",
    "membership_reactivate",
    "membership_update",
    "organisation_create",
    "organisation_update",
    "signup",
    "suggest_slug",
    "team_create",
    "team_delete",
    "team_update",
    "user_create",
    "user_update_profile",
]
