"""Moving the test database along the migration graph, for the migration tests."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(targets: list[tuple[str, str]] | None = None) -> MigrationExecutor:
    """Migrates to `targets` (every app's newest migration when None); the executor,
    whose loader knows the project's state at any migration."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


def newest(app: str | None = None) -> list[tuple[str, str]]:
    """The newest migration of `app`, or of every app."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes(app)
