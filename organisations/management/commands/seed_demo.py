from typing import Any

from django.core.management.base import BaseCommand

from okrs.demo import seed_okrs
from organisations.demo import seed_demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo organisations Acme and Globex and their OKRs. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        for organisation in seed_demo():
            self.stdout.write(f"seeded {organisation.name} (/o/{organisation.slug}/)")
        for slug, created in seed_okrs().items():
            self.stdout.write(f"OKRs for {slug}: {'seeded' if created else 'already there'}")
