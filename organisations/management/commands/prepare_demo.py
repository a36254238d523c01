from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "What `make run` does before serving: static files, migrate, run the database checks, seed the demo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--collectstatic", action="store_true", help="Collect static files too (DEBUG off serves them compressed)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("check", databases=["default"])
        call_command("seed_demo")
