"""HTML doors for groups: the "New group" page and a group's own page, plain forms that
post and come back (each change is one service call)."""

from django.conf import settings
from django.contrib import messages as flash
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from messaging import selectors, services
from messaging.exceptions import MessagingError
from messaging.limits import MAX_QUERY_LENGTH

from .views import PAGE_SIZE, _attachment_id, _people, _query, _unread_total, member_view


@member_view
def new_group(request):
    """Pick people by name (a search that keeps what was already picked), name it."""
    picked = [value for value in request.POST.getlist("member_ids") if value]
    if request.method == "POST" and "create" in request.POST:
        try:
            group = services.create_group(
                creator=request.user, member_ids=picked, title=request.POST.get("title", "")
            )
        except MessagingError as error:
            flash.error(request, error.message)
        else:
            return redirect("messaging:group", conversation_id=group.pk)
    query = _query(request) if request.method == "GET" else request.POST.get("q", "").strip()
    people = _people(request, query) if query and len(query) <= MAX_QUERY_LENGTH else []
    chosen = {str(member.pk): member for member in selectors.members_by_id(picked)}
    context = {
        "query": query,
        "people": [person for person in people if str(person.pk) not in chosen],
        "chosen": list(chosen.values()),
        "title": request.POST.get("title", ""),
        "unread_total": _unread_total(request),
    }
    return render(request, "messaging/new_group.html", context)


@require_GET
@member_view
def group(request, conversation_id: int):
    page = services.open_conversation_by_id(
        reader=request.user, conversation_id=conversation_id, limit=PAGE_SIZE
    )
    assert page.conversation is not None and page.participant is not None
    members = selectors.active_members(page.conversation)
    positions = selectors.read_positions(page.conversation, viewer=request.user)
    mine = [message for message in page.messages if message.sender_id == request.user.pk]
    last_mine = mine[-1] if mine else None
    seen = selectors.seen_by_names(last_mine, members, positions) if last_mine else []
    # Every sender in one query (a member who left still names their messages).
    senders = selectors.members_in_bulk({message.sender_id for message in page.messages})
    _mark_runs(page.messages, senders)
    query = _query(request)
    context = {
        "conversation": page.conversation,
        "participant": page.participant,
        "members": members,
        "history": page.messages,
        "last_mine": last_mine,
        "seen_by": seen,
        "is_creator": page.participant.role == "creator",
        "query": query,
        "people": _people(request, query) if query and len(query) <= MAX_QUERY_LENGTH else [],
        "unread_total": _unread_total(request),
        "max_upload_mb": settings.MAX_UPLOAD_MB,
    }
    return render(request, "messaging/group.html", context)


def _mark_runs(history: list, senders: dict) -> None:
    """Each sender's name and picture head a run of their messages; the run's last
    bubble has the time and the tail (the 1:1 page's look, where runs alternate)."""
    for index, message in enumerate(history):
        message.sender = senders[message.sender_id]
        before = history[index - 1] if index else None
        after = history[index + 1] if index + 1 < len(history) else None
        message.starts_run = not _same_run(before, message)
        message.ends_run = not _same_run(message, after)


def _same_run(first, second) -> bool:
    return (
        first is not None
        and second is not None
        and first.kind == second.kind == "text"
        and first.sender_id == second.sender_id
    )


def _change(request, conversation_id: int, action) -> object:
    try:
        action()
    except MessagingError as error:
        flash.error(request, error.message)
    return redirect("messaging:group", conversation_id=conversation_id)


@require_POST
@member_view
def group_send(request, conversation_id: int):
    return _change(
        request,
        conversation_id,
        lambda: services.send_to_conversation(
            sender=request.user,
            conversation_id=conversation_id,
            text=request.POST.get("message_text"),
            client_message_id=request.POST.get("client_message_id"),
            attachment_id=_attachment_id(request),
        ),
    )


@require_POST
@member_view
def group_rename(request, conversation_id: int):
    return _change(
        request,
        conversation_id,
        lambda: services.rename_group(
            user=request.user, conversation_id=conversation_id, title=request.POST.get("title")
        ),
    )


@require_POST
@member_view
def group_add(request, conversation_id: int):
    return _change(
        request,
        conversation_id,
        lambda: services.add_members(
            user=request.user,
            conversation_id=conversation_id,
            user_ids=request.POST.getlist("user_ids"),
        ),
    )


@require_POST
@member_view
def group_remove(request, conversation_id: int):
    member_id = request.POST.get("user_id")
    if member_id == str(request.user.pk):
        try:
            services.remove_member(
                user=request.user, conversation_id=conversation_id, member_id=member_id
            )
        except MessagingError as error:
            flash.error(request, error.message)
            return redirect("messaging:group", conversation_id=conversation_id)
        flash.success(request, "You left the group.")
        return redirect("messaging:conversations")
    return _change(
        request,
        conversation_id,
        lambda: services.remove_member(
            user=request.user, conversation_id=conversation_id, member_id=member_id
        ),
    )
