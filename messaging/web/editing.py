"""HTML doors for editing, delete for everyone and reactions, on the one-to-one and the
group pages. Each answers the page script with the message's row rendered again (JSON
`{"html": …}`, or `{"message", "errors"}` with the refusal's status), and a plain form
post with a redirect back to the conversation, so everything works without script."""

from http import HTTPStatus

from django.contrib import messages as flash
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from messaging import selectors, services
from messaging.exceptions import MessagingError
from messaging.models import Message

from .views import _json_error, _wants_json, member_view

EDITED = "Message edited."
DELETED = "Message deleted for everyone."


def _back(request, message: Message) -> str:
    """The message in its conversation, for the reader."""
    conversation = message.conversation
    if conversation.is_group:
        url = reverse("messaging:group", kwargs={"conversation_id": conversation.pk})
        return f"{url}#message-{message.pk}"
    other_id = conversation.other_user_id(request.user.pk)
    url = reverse("messaging:conversation", kwargs={"user_id": other_id})
    return f"{url}?message={message.pk}"


def _row(request, message: Message) -> str:
    """The message's row as its page draws it."""
    if message.conversation.is_group:
        return render_to_string("messaging/_group_message.html", {"message": message}, request)
    return render_to_string("messaging/_message.html", {"message": message}, request)


def _answer(request, message: Message, note: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"id": message.pk, "html": _row(request, message)})
    flash.success(request, note)
    return redirect(_back(request, message))


def _refused(request, message_id: int, error: MessagingError) -> HttpResponse:
    if _wants_json(request):
        return _json_error(error)
    flash.error(request, error.message)
    message = selectors.access_message(user=request.user, message_id=message_id)
    return redirect(_back(request, message))


@require_GET
@member_view
def message_row(request, message_id: int):
    """One message's row, drawn again after a socket event says it changed."""
    message = selectors.access_message(user=request.user, message_id=message_id)
    return JsonResponse({"id": message.pk, "html": _row(request, message)})


@member_view
def edit(request, message_id: int):
    """GET: a small page with the text to edit (the pages edit in place with script);
    POST: save it."""
    if request.method == "POST":
        try:
            message = services.edit_message(
                editor=request.user, message_id=message_id, text=request.POST.get("message_text")
            )
        except MessagingError as error:
            return _refused(request, message_id, error)
        return _answer(request, message, EDITED)
    message = selectors.access_message(user=request.user, message_id=message_id)
    if not services.may_edit(request.user, message):
        flash.error(request, "This message can no longer be edited.")
        return redirect(_back(request, message))
    context = {"message": message, "back": _back(request, message)}
    return render(request, "messaging/edit_message.html", context)


@require_POST
@member_view
def delete(request, message_id: int):
    try:
        message = services.delete_message(deleter=request.user, message_id=message_id)
    except MessagingError as error:
        return _refused(request, message_id, error)
    return _answer(request, message, DELETED)


@require_POST
@member_view
def react(request, message_id: int):
    """`emoji` and `op` (add or remove) from the row's reaction buttons and picker."""
    change = (
        services.remove_reaction if request.POST.get("op") == "remove" else services.add_reaction
    )
    try:
        message = change(user=request.user, message_id=message_id, emoji=request.POST.get("emoji"))
    except MessagingError as error:
        return _refused(request, message_id, error)
    return _answer(request, message, "Reaction saved.")


@require_GET
@member_view
def history(request, message_id: int):
    """Earlier versions: a fragment under the bubble for the page script, or a page."""
    message, revisions = selectors.message_history(user=request.user, message_id=message_id)
    context = {"message": message, "revisions": revisions, "back": _back(request, message)}
    if request.htmx or _wants_json(request):
        return render(request, "messaging/_edit_history.html", context, status=HTTPStatus.OK)
    return render(request, "messaging/message_history.html", context)
