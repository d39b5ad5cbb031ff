"""HTML doors: parse, call a service or selector, render a page or one of its
HTMX partials. A page and its partials render the same include files, so a fragment
fetched later looks exactly like the markup first served.

The page scripts talk to these views only (never to /api/): a fragment is rendered
here, with Django's escaping, and inserted as is. Two endpoints answer JSON because the
script needs more than one thing at once from them (send, updates)."""

import hashlib
import json
from functools import wraps
from http import HTTPStatus

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from alumunity.ratelimit import count_hit, email_lookup_wait, retry_after
from messaging import selectors, services
from messaging.exceptions import Conflict, MessagingError, NotFound
from messaging.limits import MAX_QUERY_LENGTH
from messaging.payloads import (
    conversation_status_payload,
    conversation_summary_payload,
    iso,
    search_result_payloads,
)

PAGE_SIZE = 50
SEARCH_LIMIT = 20
PEOPLE_LIMIT = 10
# A page asks about the receipts of at most this many of its own unread messages.
MAX_RECEIPT_IDS = 100
# Ids are 64-bit: anything larger is no id at all (and would overflow the database driver).
MAX_ID = 2**63 - 1
REPORT_SENT = "Thank you. The report was sent to the moderators."


def member_view(view):
    """Logged in (else the login page, also from an htmx request), counted as activity
    for presence, and a NotFound from the service layer becomes the site's 404 page
    (never revealing whose object it was)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.htmx:
                # A fragment must not become the login page inside the list: go there whole.
                back = request.htmx.current_url_abs_path or request.get_full_path()
                return HttpResponseClientRedirect(redirect_to_login(back).url)
            return redirect_to_login(request.get_full_path())
        services.record_activity(user=request.user)
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            if _wants_json(request):
                return _json_error(NotFound("Not found."))
            raise Http404("Not found.") from None
        except MessagingError as error:
            # Anything a view did not turn into its own answer (e.g. blocking yourself
            # from a crafted form): the reason, never a 500.
            if _wants_json(request):
                return _json_error(error)
            if request.htmx:
                return HttpResponse(error.message, status=error.status, content_type="text/plain")
            flash.error(request, error.message)
            return redirect("messaging:conversations")

    return wrapper


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _json_error(error: MessagingError, status: int | None = None) -> JsonResponse:
    body = {"message": error.message, "errors": error.errors or {}}
    return JsonResponse(body, status=status or error.status)


def _as_id(raw: str) -> int | None:
    raw = raw.strip()
    if not raw.isdigit() or not 0 < int(raw) <= MAX_ID:
        return None
    return int(raw)


def _attachment_id(request) -> int | None:
    """The upload sent with a message; a malformed id is any unknown upload's 404."""
    raw = request.POST.get("attachment_id", "").strip()
    if not raw:
        return None
    return _as_id(raw) or 0


def _positive_int(request, name: str) -> int | None:
    """An optional id parameter; a malformed one is a 404 like an unknown one."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    value = _as_id(raw)
    if value is None:
        raise NotFound("Message not found.")
    return value


def _id_list(raw: str) -> list[int]:
    ids = [_as_id(part) for part in raw.split(",")[-MAX_RECEIPT_IDS:]]
    return [value for value in ids if value is not None]


def _query(request) -> str:
    # A NUL can only come from a crafted URL; it searches for nothing useful either way.
    return request.GET.get("q", "").replace("\x00", "").strip()


def _status(request, other) -> dict:
    status = selectors.conversation_status(user=request.user, other_user_id=other.pk)
    return conversation_status_payload(status)


def _unread_total(request) -> int:
    return selectors.unread_total(user=request.user)


# --- conversations list -------------------------------------------------------------------


def _list_context(request, *, offset: int = 0) -> dict:
    found, total = selectors.list_conversations(user=request.user, limit=PAGE_SIZE, offset=offset)
    summaries = [conversation_summary_payload(summary) for summary in found]
    unread_total, requests_total = selectors.inbox_counts(user=request.user)
    # Polling sends this back; an unchanged list is answered with an empty 204.
    fingerprint = hashlib.sha256(
        json.dumps(
            [summaries, total, unread_total, requests_total], sort_keys=True, default=str
        ).encode()
    ).hexdigest()[:20]
    return {
        "conversations": summaries,
        "total": total,
        "offset": offset,
        "next_offset": offset + PAGE_SIZE if offset + PAGE_SIZE < total else None,
        "previous_offset": max(offset - PAGE_SIZE, 0) if offset else None,
        "unread_total": unread_total,
        "requests_total": requests_total,
        "fingerprint": fingerprint,
    }


@require_GET
@member_view
def conversations(request):
    offset = _as_id(request.GET.get("offset", "")) or 0
    context = _list_context(request, offset=offset)
    if request.htmx:
        if request.GET.get("seen") == context["fingerprint"]:
            return HttpResponse(status=HTTPStatus.NO_CONTENT)
        return render(request, "messaging/_conversation_list.html", context)
    return render(request, "messaging/conversations.html", context)


def _people(request, query: str) -> list:
    """Members matching the query; none while exact-email lookups are over their limit."""
    if email_lookup_wait(user=request.user, query=query) is not None:
        return []
    people, _ = selectors.search_members(user=request.user, query=query, limit=PEOPLE_LIMIT)
    return people


@require_GET
@member_view
def search(request):
    query = _query(request)
    if not query:
        return HttpResponse("") if request.htmx else redirect("messaging:conversations")
    context: dict[str, object] = {"query": query, "user_id": str(request.user.pk), "error": ""}
    if len(query) > MAX_QUERY_LENGTH:
        context["error"] = f"Search for at most {MAX_QUERY_LENGTH} characters."
    else:
        context["people"] = _people(request, query)
        found = selectors.search_messages_page(user=request.user, query=query, limit=SEARCH_LIMIT)
        context["results_total"] = found.total
        # Past the cap the total is a lower bound: "1,000+".
        context["results_count"] = (
            f"{found.total:,}+" if found.total_is_lower_bound else str(found.total)
        )
        context["results"] = search_result_payloads(found.results, viewer_id=request.user.pk)
    if request.htmx:
        return render(request, "messaging/_search_results.html", context)
    return render(
        request,
        "messaging/conversations.html",
        {**_list_context(request), **context, "searching": True},
    )


@require_GET
@member_view
def new_message(request):
    """The person picker: a page of its own, or a panel on the list when asked by htmx
    (the search box inside it swaps only its results, picked out with hx-select)."""
    query = _query(request)
    people = []
    if query and len(query) <= MAX_QUERY_LENGTH:
        people = _people(request, query)
    context = {"query": query, "people": people}
    if request.htmx:
        return render(request, "messaging/_people_picker.html", context)
    return render(
        request, "messaging/new_message.html", {**context, "unread_total": _unread_total(request)}
    )


@require_POST
@member_view
def delete_conversation(request, conversation_id: int):
    services.delete_conversation(user=request.user, conversation_id=conversation_id)
    if request.htmx:
        # The row swaps itself out; the list's script refreshes the unread totals.
        response = HttpResponse("")
        response["HX-Trigger"] = "conversations-changed"
        return response
    flash.success(request, "Conversation deleted for you.")
    return redirect("messaging:conversations")


# --- one conversation ---------------------------------------------------------------------


def _open_page(request, user_id, *, before=None, around=None):
    return services.open_conversation(
        reader=request.user, other_user_id=user_id, limit=PAGE_SIZE, before=before, around=around
    )


def _conversation_page(
    request, user_id, *, error: str = "", draft: str = "", status: int = HTTPStatus.OK
):
    before = _positive_int(request, "before")
    around = _positive_int(request, "message") if before is None else None
    notice = ""
    try:
        page = _open_page(request, user_id, before=before, around=around)
    except NotFound:
        if around is None:
            raise
        # A link to a message that is gone (deleted for me) still opens the conversation.
        page = _open_page(request, user_id)
        around, notice = None, "That message is no longer in this conversation."
    messages = page.messages
    if around is not None:
        older_shown = next(
            (index for index, message in enumerate(messages) if message.pk == around), 0
        )
        has_older = older_shown == (PAGE_SIZE - 1) // 2
        has_newer = len(messages) == PAGE_SIZE
    elif before is not None:
        has_older, has_newer = len(messages) == PAGE_SIZE, True
    else:
        has_older, has_newer = page.total > len(messages), False
    context = {
        "other": page.other_user,
        "conversation": page.conversation,
        "history": messages,
        "has_older": has_older,
        "highlight_id": around,
        "is_request": bool(page.participant and page.participant.is_request),
    }
    if request.htmx and before is not None:
        return render(request, "messaging/_message_rows.html", context)
    blocked_by_me = {member.pk for member in selectors.list_blocked_users(user=request.user)}
    context.update(
        {
            "has_newer": has_newer,
            "status": _status(request, page.other_user),
            "i_blocked": page.other_user.pk in blocked_by_me,
            "muted": bool(page.participant and page.participant.muted),
            "unread_total": _unread_total(request),
            "notice": notice,
            "error": error,
            "draft": draft,
            "max_upload_mb": settings.MAX_UPLOAD_MB,
        }
    )
    return render(request, "messaging/conversation.html", context, status=status)


@require_GET
@member_view
def conversation(request, user_id):
    return _conversation_page(request, user_id)


@require_POST
@member_view
def send(request, user_id):
    """JSON for the page script (the rendered row, or the reason it failed); without
    script, a redirect back, or the page again with the error and the typed text."""
    text = request.POST.get("message_text", "")
    wait = count_hit(scope="send", identity=str(request.user.pk), rate=settings.SEND_RATE)
    try:
        if wait is not None:
            seconds = retry_after(wait)
            raise MessagingError(
                f"You are sending messages too fast. Try again in {seconds} seconds."
            )
        result = services.send_message(
            sender=request.user,
            recipient_id=user_id,
            text=text,
            client_message_id=request.POST.get("client_message_id") or None,
            attachment_id=_attachment_id(request),
        )
    except MessagingError as error:
        # A limit of the service (message requests) says when it ends, as the rate does.
        wait = wait if wait is not None else getattr(error, "wait", None)
        status = HTTPStatus.TOO_MANY_REQUESTS if wait is not None else error.status
        if _wants_json(request):
            response = _json_error(error, status)
        elif isinstance(error, NotFound):
            raise
        else:
            response = _conversation_page(
                request, user_id, error=error.message, draft=text, status=status
            )
        if wait is not None:
            response["Retry-After"] = str(retry_after(wait))
        return response
    if not _wants_json(request):
        return redirect("messaging:conversation", user_id=user_id)
    html = render_to_string("messaging/_message.html", {"message": result.message}, request)
    return JsonResponse(
        {"id": result.message.pk, "html": html},
        status=HTTPStatus.CREATED if result.created else HTTPStatus.OK,
    )


@require_GET
@member_view
def updates(request, user_id):
    """What changed since the page last looked: messages after `after`, which of its own
    `unread` messages are now read, the other member's status and the unread total.
    With `seen=1` (the page is visible) the conversation is marked read, as on opening."""
    after = _positive_int(request, "after")
    if request.GET.get("seen") == "1":
        page = services.open_conversation(
            reader=request.user, other_user_id=user_id, limit=PAGE_SIZE, after=after
        )
    else:
        page = selectors.list_messages(
            user=request.user, other_user_id=user_id, limit=PAGE_SIZE, after=after
        )
    receipts = selectors.read_receipts(
        sender=request.user,
        other=page.other_user,
        message_ids=_id_list(request.GET.get("unread", "")),
    )
    status = _status(request, page.other_user)
    context = {"other": page.other_user, "history": page.messages, "status": status}
    return JsonResponse(
        {
            "html": render_to_string("messaging/_message_rows.html", context, request),
            "count": len(page.messages),
            "read": {str(message_id): iso(read_at) for message_id, read_at in receipts.items()},
            "status_html": render_to_string("messaging/_status.html", context, request),
            "typing": status["other_user_typing"],
            "unread_total": _unread_total(request),
        }
    )


@require_POST
@member_view
def typing(request, user_id):
    services.record_typing(user=request.user, to_user_id=user_id)
    return HttpResponse(status=HTTPStatus.NO_CONTENT)


@require_POST
@member_view
def block(request, user_id):
    services.block_user(blocker=request.user, blocked_user_id=user_id)
    # No flash: the page's banner says it, with the Unblock button beside it.
    return redirect("messaging:conversation", user_id=user_id)


@require_POST
@member_view
def unblock(request, user_id):
    services.unblock_user(blocker=request.user, blocked_user_id=user_id)
    flash.success(request, "Unblocked. You can message each other again.")
    return redirect("messaging:conversation", user_id=user_id)


@require_POST
@member_view
def report(request, user_id):
    """With htmx a filed report closes the message's menu into "Reported"; so does a
    repeat (saying it was already filed); any other refusal shows inside the form."""
    message_id = _as_id(request.POST.get("message_id", "")) or 0
    try:
        services.report_message(
            reporter=request.user, message_id=message_id, reason=request.POST.get("reason", "")
        )
    except Conflict as error:
        if request.htmx:
            return _reported(request, message_id, note=error.message)
        flash.error(request, error.message)
    except MessagingError as error:
        if isinstance(error, NotFound) and not request.htmx:
            raise
        if request.htmx:
            return render(
                request,
                "messaging/_report_result.html",
                {"error": error.message},
                status=HTTPStatus.OK,  # htmx swaps 2xx only; the text says what went wrong
            )
        flash.error(request, error.message)
    else:
        if request.htmx:
            return _reported(request, message_id, note=REPORT_SENT)
        flash.success(request, REPORT_SENT)
    return redirect(reverse("messaging:conversation", kwargs={"user_id": user_id}))


def _reported(request, message_id: int, *, note: str) -> HttpResponse:
    response = render(request, "messaging/_reported.html", {"message_id": message_id, "note": note})
    return reswap(retarget(response, f"#actions-{message_id}"), "outerHTML")
