"""`python manage.py notifications_worker`: send missed-message emails and Web Push
notifications (SPEC 9.2) and remove unsent uploads, until SIGTERM or Ctrl+C. Run as many
as you like: each due email or push is claimed by exactly one."""

import signal
import threading

from django.core.management.base import BaseCommand

from messaging.worker import run_batch, run_forever, run_push_batch


class Command(BaseCommand):
    help = "Send missed-message emails and pushes as they fall due; remove unsent uploads hourly."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Run one batch and stop (for cron)."
        )

    def handle(self, *args, once: bool, **options):
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        if once:
            result = run_batch()
            pushed = run_push_batch()
            self.stdout.write(f"Sent {result.sent} email(s), skipped {result.skipped}.")
            self.stdout.write(f"Sent {pushed.sent} push(es), skipped {pushed.skipped}.")
            return
        # Standard output is where the console email backend prints the emails.
        self.stderr.write("Notifications worker started.", style_func=str)
        run_forever(stop=stop)
        self.stderr.write("Notifications worker stopped.", style_func=str)
