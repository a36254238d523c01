from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/v1/", include("organisations.api_urls")),
    path("", include("organisations.urls")),
]

handler404 = "organisations.errors.page_not_found"
handler403 = "organisations.errors.permission_denied"
handler500 = "organisations.errors.server_error"
