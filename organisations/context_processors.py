from typing import Any

from django.http import HttpRequest

from organisations.selectors import user_memberships


def topbar_templates() -> list[str]:
    """Templates apps add beside the account menu (``AppConfig.topbar``), e.g. a notification bell."""
    from django.apps import apps

    return [template for config in apps.get_app_configs() for template in getattr(config, "topbar", [])]


def tenant(request: HttpRequest) -> dict[str, Any]:
    """The current organisation and membership, the main navigation every app adds itself to,
    and the user's other organisations (the switcher). The last two are computed only when a
    template asks for them."""
    user = getattr(request, "user", None)
    organisation = getattr(request, "organisation", None)
    membership = getattr(request, "membership", None)
    if user is None or not user.is_authenticated:
        return {"organisation": organisation, "membership": membership}

    def other_memberships() -> list[Any]:
        return [m for m in user_memberships(user) if organisation is None or m.organisation_id != organisation.pk]

    def main_navigation() -> list[Any]:
        from organisations.web import navigation_for

        return navigation_for(membership) if membership is not None else []

    return {
        "organisation": organisation,
        "membership": membership,
        "other_memberships": other_memberships,
        "main_navigation": main_navigation,
        "topbar_templates": topbar_templates,
    }
