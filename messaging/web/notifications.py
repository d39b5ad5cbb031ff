"""HTML doors for notifications: the settings page, one-click unsubscribe, the page's
Web Push subscription and the service worker script."""

import json

from django.contrib import messages as flash
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from messaging import selectors, services
from messaging.exceptions import Conflict, InvalidInput

from .views import _unread_total, member_view

_SWITCHES = ("email_missed_messages", "email_include_text", "browser_notifications")


@require_http_methods(["GET", "POST"])
@member_view
def notification_settings(request):
    """A plain form (checkboxes and the delay); a bad delay comes back with its reason."""
    errors: dict[str, list[str]] = {}
    changes: dict[str, object] = {}
    if request.method == "POST":
        changes = {name: name in request.POST for name in _SWITCHES}
        delay = request.POST.get("email_delay_minutes", "").strip()
        changes["email_delay_minutes"] = (
            int(delay) if delay.isascii() and delay.isdigit() else delay
        )
        try:
            services.update_notification_settings(user=request.user, changes=changes)
        except InvalidInput as error:
            errors = error.errors or {}
        else:
            flash.success(request, "Notification settings saved.")
            return redirect("messaging:notification-settings")
    choices = selectors.settings_payload(selectors.notification_settings(user=request.user))
    context = {
        # A refused form comes back as it was filled in, with the reasons.
        "choices": {**choices, **changes} if errors else dict(choices),
        "errors": errors,
        "unread_total": _unread_total(request),
        "vapid_public_key": selectors.push_public_key() or "",
    }
    status = 400 if errors else 200
    return render(request, "messaging/notification_settings.html", context, status=status)


@csrf_exempt  # RFC 8058: the mail client posts with no session and no CSRF token.
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET: a page confirming with one button. POST (that button, or the mail client's
    one-click): missed-message emails off. A forged or used link: 400, nothing changed."""
    try:
        selectors.unsubscribe_target(token)
        if request.method == "POST":
            services.unsubscribe(token=token)
    except InvalidInput as error:
        reason = (error.errors or {}).get("token", [error.message])[0]
        return render(request, "messaging/unsubscribe.html", {"error": reason}, status=400)
    done = request.method == "POST"
    return render(request, "messaging/unsubscribe.html", {"done": done, "token": token})


@require_POST
@member_view
def mute(request, conversation_id: int):
    """Mute or unmute from a conversation's menu, then back to that conversation."""
    muted = request.POST.get("muted") == "1"
    participant = services.set_muted(
        user=request.user, conversation_id=conversation_id, muted=muted
    )
    conversation = participant.conversation
    flash.success(
        request, "Muted: no notifications from this conversation." if muted else "Unmuted."
    )
    if conversation.is_group:
        return redirect("messaging:group", conversation_id=conversation.pk)
    return redirect("messaging:conversation", user_id=conversation.other_user_id(request.user.pk))


@require_GET
@member_view
def browser_notification(request, message_id: int):
    """What the page script shows as a desktop notification for a message that arrived
    while its tab was hidden: JSON {title, body, url}, or 204 for none."""
    found = selectors.browser_notification(user=request.user, message_id=message_id)
    if found is None:
        return HttpResponse(status=204)
    return JsonResponse(
        {"title": found["title"], "body": found["body"], "url": found["url_path"]},
        headers={"Cache-Control": "no-store"},
    )


@require_http_methods(["POST", "DELETE"])
@member_view
def push_subscription(request):
    """The settings page's script saves (POST) or forgets (DELETE) this browser's Web Push
    subscription: JSON in (PushSubscription.toJSON(); for DELETE only the endpoint), JSON
    out, the session and its CSRF token as for every page script call."""
    try:
        given = json.loads(request.body or b"{}")
    except ValueError:
        given = None
    keys = given.get("keys") if isinstance(given, dict) else None
    endpoint = given.get("endpoint") if isinstance(given, dict) else None
    if not isinstance(endpoint, str):
        return JsonResponse({"errors": {"endpoint": ["Required."]}}, status=400)
    try:
        if request.method == "DELETE":
            services.unsubscribe_push(user=request.user, endpoint=endpoint)
            return JsonResponse({"subscribed": False})
        keys = keys if isinstance(keys, dict) else {}
        services.subscribe_push(
            user=request.user,
            endpoint=endpoint,
            p256dh=str(keys.get("p256dh") or ""),
            auth=str(keys.get("auth") or ""),
        )
    except (InvalidInput, Conflict) as error:
        status = 409 if isinstance(error, Conflict) else 400
        return JsonResponse({"errors": error.errors or {"": [error.message]}}, status=status)
    return JsonResponse({"subscribed": True})


@require_GET
def service_worker(request):
    """The service worker, from the site's root so its scope is the whole site. A file
    under static/, served here because a worker's scope cannot reach above its path."""
    found = finders.find("messaging/sw.js")
    if not found:
        raise Http404
    with open(found, "rb") as script:
        body = script.read()
    return HttpResponse(
        body,
        content_type="text/javascript; charset=utf-8",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )
