"""The physical floor of a Django request here: the project's settings with no
middleware and one URL whose view runs `SELECT 1`. bench/run.py serves it with the same
command as the project (`uvicorn alumunity.asgi:application`, DJANGO_SETTINGS_MODULE
set to this module), so an endpoint's ratio to it is what the project adds to Django."""

from alumunity.settings import *  # noqa: F403

MIDDLEWARE = []
ROOT_URLCONF = "bench.floor_urls"
