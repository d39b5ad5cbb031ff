import pytest

from conftest import client_for

# The shared assertions live in a plain module; let pytest explain their failures too.
pytest.register_assert_rewrite("messaging.tests.api.helpers")


@pytest.fixture
def third_client(third_user):
    return client_for(third_user)
