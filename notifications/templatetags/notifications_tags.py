from django import template

from notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    """The member's unread count, for the bell (one query per page)."""
    membership = context.get("membership")
    return unread_count(actor=membership) if membership is not None else 0
