import pytest

# The shared assertions live in a plain module; let pytest explain their failures too.
pytest.register_assert_rewrite("messaging.tests.api.helpers")
