"""OKR pages under /o/<org_slug>/okrs/. Each module owns its routes, so work on one (employees'
pages, managers' and HR's pages, CSV import and export) does not step on another."""

from okrs.urls_csv import urlpatterns as csv_patterns
from okrs.urls_manage import urlpatterns as manage_patterns
from okrs.urls_work import urlpatterns as work_patterns

urlpatterns = [*work_patterns, *manage_patterns, *csv_patterns]
