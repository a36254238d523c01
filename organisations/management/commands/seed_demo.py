from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Create (or refresh) the demo organisations Acme and Globex and every app's demo data. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        # Each app declares its seed in apps.py (``demo_seed``); INSTALLED_APPS order runs the
        # people first, then the apps that build on them.
        for config in apps.get_app_configs():
            path = getattr(config, "demo_seed", None)
            if path:
                for line in import_string(path)():
                    self.stdout.write(line)
