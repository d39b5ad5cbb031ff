from django.apps import AppConfig
from django.db.backends.signals import connection_created


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Messaging"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .search import register_sqlite_functions

        # The SQLite search index's triggers call a Python function (migration 0008),
        # as Django's own SQLite backend does for its date functions.
        connection_created.connect(register_sqlite_functions, dispatch_uid="messaging-sqlite")
