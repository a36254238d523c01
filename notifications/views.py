"""The notification centre: the member's notifications, newest first; open one (marks it read),
mark one or all read."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from notifications import forms, selectors, services
from organisations.models import Membership
from organisations.web import TenantRequest, parse_query, render_page, safe_next, tenant_view


def _centre_url(membership: Membership) -> str:
    return reverse("notifications:centre", kwargs={"org_slug": membership.organisation.slug})


@tenant_view()
def centre(request: TenantRequest, membership: Membership) -> HttpResponse:
    show = parse_query(request, forms.NotificationQuery).cleaned_data["show"] or "all"
    notifications = selectors.notification_list(actor=membership, unread_only=show == "unread")
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "show": show,
        "unread": selectors.unread_count(actor=membership),
        "section": "notifications",
    }
    return render_page(request, "notifications/centre.html", context, region="notification-list")


@tenant_view()
@require_POST
def mark_read(request: TenantRequest, membership: Membership, notification_id: int) -> HttpResponseBase:
    """Mark read; with ``open`` go where the notification leads, else back to the centre."""
    notification = selectors.access_notification(membership, notification_id)
    services.notification_mark_read(actor=membership, notification=notification)
    if request.POST.get("open") and notification.url:
        return redirect(notification.url)
    if request.htmx:
        context = {"notification": notification, "unread": selectors.unread_count(actor=membership)}
        return render_page(request, "notifications/centre.html#notification-item", context)
    return redirect(safe_next(request, membership, _centre_url(membership)))


@tenant_view()
@require_POST
def mark_all_read(request: TenantRequest, membership: Membership) -> HttpResponseBase:
    services.notifications_mark_all_read(actor=membership)
    return redirect(safe_next(request, membership, _centre_url(membership)))
