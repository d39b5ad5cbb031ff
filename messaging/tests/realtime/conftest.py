import pytest

from .servers import shared_backends_missing


def pytest_collection_modifyitems(config, items):
    """Tests marked `servers` start real server processes that must share a database and
    Redis; on the SQLite, in-memory pass they are skipped with the reason."""
    reason = shared_backends_missing()
    if reason is None:
        return
    for item in items:
        if item.get_closest_marker("servers"):
            item.add_marker(pytest.mark.skip(reason=reason))
