from typing import Any

from django.core.management.base import BaseCommand

from organisations.demo import seed_demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo organisations Acme and Globex. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        for organisation in seed_demo():
            self.stdout.write(f"seeded {organisation.name} (/o/{organisation.slug}/)")
