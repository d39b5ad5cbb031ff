from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from postman.models import Message


@login_required
def unread_count(request):
    """What postman's own unread badge computes (postman_unread, its context processor)."""
    return JsonResponse({"unread": Message.objects.inbox_unread_count(request.user)})


def floor(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse(b'{"status":"ok"}', content_type="application/json")
