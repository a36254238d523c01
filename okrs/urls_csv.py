"""CSV import and export of OKRs (okrs/views_csv.py)."""

from django.urls import URLPattern, path

from okrs import views_csv

urlpatterns: list[URLPattern] = [
    path("csv/export/", views_csv.okr_csv_export, name="okr_csv_export"),
    path("csv/import/", views_csv.okr_csv_import, name="okr_csv_import"),
]
