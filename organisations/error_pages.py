"""Error pages that keep the layout and, for API paths, answer JSON."""

import re
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.debug import SafeExceptionReporterFilter


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A malformed parameter or a rule no form anticipated (``organisations.web``): say what is wrong."""
    reason = str(exception) if exception else ""
    if _is_api(request):
        return JsonResponse({"detail": reason or "Bad request."}, status=400)
    return render(request, "errors/400.html", {"reason": reason}, status=400)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "errors/404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": str(exception) or "You do not have permission to do this."}, status=403)
    return render(request, "errors/403.html", {"reason": str(exception) if exception else ""}, status=403)


def server_error(request: HttpRequest, *args: Any) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Server error; it has been logged."}, status=500)
    # No context processors: the error may come from the database.
    return HttpResponse(render_to_string("errors/500.html"), status=500)


class CredentialFreeReporterFilter(SafeExceptionReporterFilter):
    """What Django's debug page and error e-mails show, without credentials.

    Django hides settings named like KEY / PASS / TOKEN, but ``DATABASE_URL`` and its kin carry the
    password inside the value and reached the page through the environment (``request.META``
    under runserver). Names of that kind are hidden too, and any value holding a URL with a
    password has the password replaced, whatever its name.
    """

    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE|_URL$|DSN|BROKER|REDIS|AUTH", flags=re.IGNORECASE
    )

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str):
            return _URL_PASSWORD.sub(r"\1" + self.cleansed_substitute + "@", cleansed)
        return cleansed


_URL_PASSWORD = re.compile(r"([a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+@", re.IGNORECASE)
