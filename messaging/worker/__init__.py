"""The notifications worker (`python manage.py notifications_worker`): a loop that claims
due missed-message emails in bounded batches, sends them, and now and then removes
unsent uploads. A door like the API: it reads through selectors and writes through
services."""

from .batch import BatchResult, run_batch
from .loop import run_forever

__all__ = ["BatchResult", "run_batch", "run_forever"]
