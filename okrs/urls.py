"""OKR pages under /o/<org_slug>/okrs/. Two modules own their routes, so work on one
(employees' pages vs. managers' and HR's) does not step on the other."""

from okrs.urls_manage import urlpatterns as manage_patterns
from okrs.urls_work import urlpatterns as work_patterns

urlpatterns = [*work_patterns, *manage_patterns]
