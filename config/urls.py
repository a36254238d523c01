"""The project's routes: each app's pages under /o/<org_slug>/<prefix>/ and its API under
/api/v1/orgs/<org_slug>/, both from the app's own modules (a new app adds one ``tenant_app`` line)."""

from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from organisations.api.urls import account_patterns as api_account_patterns


def tenant_app(app: str, prefix: str, *, api: bool = False) -> list[URLPattern | URLResolver]:
    """An app's pages (``<app>.urls``, with its ``app_name``) and, with ``api``, its API routes
    (``<app>.api.urls``)."""
    routes: list[URLPattern | URLResolver] = [path(f"o/<slug:org_slug>/{prefix}", include(f"{app}.urls"))]
    if api:
        routes.append(path("api/v1/orgs/<slug:org_slug>/", include(f"{app}.api.urls")))
    return routes


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/v1/", include(api_account_patterns)),
    path("api/v1/orgs/<slug:org_slug>/", include("organisations.api.urls")),
    path("", include("organisations.urls")),
    *tenant_app("okrs", "okrs/", api=True),
    *tenant_app("goals", "goals/", api=True),
    *tenant_app("checkins", "checkins/", api=True),
    path("checkins/", include("checkins.public_urls")),
    *tenant_app("surveys", "surveys/", api=True),
    *tenant_app("notifications", "notifications/", api=True),
    *tenant_app("outbox", "jobs/"),
]

handler400 = "organisations.error_pages.bad_request"
handler404 = "organisations.error_pages.page_not_found"
handler403 = "organisations.error_pages.permission_denied"
handler500 = "organisations.error_pages.server_error"
