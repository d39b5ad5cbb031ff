"""One bare view: one query, a fixed JSON answer, nothing else (see floor_settings)."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path


def floor(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse(b'{"status":"ok"}', content_type="application/json")


urlpatterns = [path("floor", floor)]
