"""Moving the test database along the migration graph, for the migration tests."""

from collections.abc import Sequence

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


def rows(sql: str, params: Sequence = ()) -> list[tuple]:
    """The rows of a raw SELECT as tuples: what a migration must keep, read without the
    models, whose fields need not match the schema at hand."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]
