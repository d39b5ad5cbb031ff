"""The notifications worker (`python manage.py notifications_worker`): a loop that claims
due missed-message emails and Web Push notifications in bounded batches, sends them, and
now and then removes unsent uploads. A door like the API: it reads through selectors and
writes through services."""

from .batch import BatchResult, run_batch
from .loop import run_forever
from .push import PushResult, run_push_batch

__all__ = ["BatchResult", "PushResult", "run_batch", "run_forever", "run_push_batch"]
