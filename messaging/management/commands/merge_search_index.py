"""Merge the SQLite full-text index into one segment (messaging.search_upkeep), e.g.
after a bulk import: `python manage.py merge_search_index`. The notifications worker
does the same a few steps at a time; on MySQL / MariaDB there is nothing to do."""

from django.core.management.base import BaseCommand

from messaging.search_upkeep import merge_search_index


class Command(BaseCommand):
    help = "Merge the SQLite full-text index's segments (nothing to do on MySQL/MariaDB)."

    def handle(self, *args, **options):
        steps = 0
        while done := merge_search_index(max_steps=100):
            steps += done
        self.stdout.write(f"Merged the search index in {steps} step(s).")
