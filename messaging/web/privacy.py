"""HTML doors for message requests and privacy settings: the requests list, accepting
one, and the privacy settings page (a plain form; with htmx only the form is swapped)."""

from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from messaging import selectors, services
from messaging.payloads import conversation_summary_payload

from .views import PAGE_SIZE, _as_id, _unread_total, member_view

SETTINGS_SAVED = "Privacy settings saved."


@require_GET
@member_view
def requests(request):
    offset = _as_id(request.GET.get("offset", "")) or 0
    found, total = selectors.list_conversations(
        user=request.user, limit=PAGE_SIZE, offset=offset, requests=True
    )
    context = {
        "conversations": [conversation_summary_payload(summary) for summary in found],
        "total": total,
        "next_offset": offset + PAGE_SIZE if offset + PAGE_SIZE < total else None,
        "unread_total": _unread_total(request),
    }
    return render(request, "messaging/requests.html", context)


@require_POST
@member_view
def accept_request(request, conversation_id: int):
    participant = services.accept_request(user=request.user, conversation_id=conversation_id)
    other_id = participant.conversation.other_user_id(request.user.pk)
    flash.success(request, "Request accepted. You can now write to each other.")
    return redirect("messaging:conversation", user_id=other_id)


def _checked(request, name: str) -> bool:
    return request.POST.get(name) == "on"


@require_http_methods(["GET", "POST"])
@member_view
def privacy_settings(request):
    saved = False
    if request.method == "POST":
        services.update_privacy_settings(
            user=request.user,
            show_read_receipts=_checked(request, "show_read_receipts"),
            show_presence=_checked(request, "show_presence"),
            message_requests=_checked(request, "message_requests"),
        )
        if not request.htmx:
            flash.success(request, SETTINGS_SAVED)
            return redirect("messaging:privacy")
        saved = True
    context = {
        "privacy": selectors.privacy_settings(request.user),
        "saved": saved,
        "unread_total": _unread_total(request),
    }
    if request.htmx:
        return render(request, "messaging/_privacy_form.html", context)
    return render(request, "messaging/privacy.html", context)
