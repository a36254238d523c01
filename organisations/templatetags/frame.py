"""The frame's template tags: ``{% sub_navigation %}`` renders the sub-navigation of the page's
section (entries apps declare with ``NavItem(within=...)``), the current page marked."""

from __future__ import annotations

from typing import Any

from django import template

from organisations.web import sub_navigation_for

register = template.Library()


@register.inclusion_tag("partials/sub_navigation.html", takes_context=True)
def sub_navigation(context: template.Context) -> dict[str, Any]:
    membership = context.get("membership")
    section = context.get("section") or ""
    request = context.get("request")
    if membership is None or not section:
        return {"items": []}
    items = sub_navigation_for(membership, section)
    current = getattr(getattr(request, "resolver_match", None), "view_name", "")
    main = next((i.label for i in _main(membership) if i.section == section), section.title())
    return {"items": items, "current": current, "label": f"{main} pages"}


def _main(membership: Any) -> list[Any]:
    from organisations.web import navigation_for

    return navigation_for(membership)
