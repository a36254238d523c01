"""Routes opened without signing in: the one-click unsubscribe link of a reminder e-mail (signed
with django.core.signing) and the personal iCalendar feed (a secret, revocable token). Both find
their organisation in the token and read only inside that tenant."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from checkins import calendar, delivery


@csrf_exempt  # RFC 8058 one-click: the mail client POSTs without a session or a CSRF token
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button (link scanners must not unsubscribe anyone); POST: e-mail off."""
    found = delivery.read_unsubscribe_token(token)
    if found is None:
        raise Http404("This link is not valid.")
    done = False
    if request.method == "POST":
        delivery.unsubscribe(organisation_id=found[0], membership_id=found[1])
        done = True
    return render(request, "checkins/unsubscribe.html", {"done": done})


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    body = calendar.feed_for_token(token)
    if body is None:
        raise Http404("No such calendar.")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response
