"""Delete uploads that no message carried within a day (files and rows). Run it from
cron or a scheduler, e.g. hourly: `python manage.py remove_unsent_uploads`."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from messaging import services


class Command(BaseCommand):
    help = "Delete uploads not sent within --hours (default 24), a batch at a time."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=24.0)
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, hours: float, batch_size: int, **options):
        removed = services.remove_unsent_uploads(
            older_than=timedelta(hours=hours), batch_size=batch_size
        )
        self.stdout.write(f"Removed {removed} unsent upload(s).")
