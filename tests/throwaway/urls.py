"""The project's routes plus the throwaway app's, included the way config/urls.py includes every app."""

from config.urls import tenant_app
from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns, *tenant_app("tests.throwaway.app", "throwaway/", api=True)]
