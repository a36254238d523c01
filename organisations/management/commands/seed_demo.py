from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = (
        "Create (or refresh) the demo organisations Acme and Globex and every app's demo data. Safe to run again."
        " --size large seeds the scale organisation (10,000 people, organisations.scale_seed) and 20 small ones instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=["demo", "large"], default="demo")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="with --size large: a fraction of the full size (tests use 0.01)"
        )
        parser.add_argument("--small", type=int, default=20, help="with --size large: how many small organisations")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["size"] == "large":
            from organisations.scale_seed import seed_scale

            for line in seed_scale(options["scale"], small=options["small"], say=self.stdout.write):
                self.stdout.write(line)
            return
        # Each app declares its seed in apps.py (``demo_seed``); INSTALLED_APPS order runs the
        # people first, then the apps that build on them.
        for config in apps.get_app_configs():
            path = getattr(config, "demo_seed", None)
            if path:
                for line in import_string(path)():
                    self.stdout.write(line)
