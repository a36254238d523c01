from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "What `make run` does before serving: migrate, run the database checks, seed the demo."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("check", databases=["default"])
        call_command("seed_demo")
