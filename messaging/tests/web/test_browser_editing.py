"""Two members in two browsers edit, delete and react (SPEC §9.3), on the one-to-one
page and on a group's page, with the keyboard as well as the mouse. The live test
server speaks plain HTTP, so the socket's events are delivered to the page as the
WebSocket client delivers them (a DOM event); the page then fetches the changed row
from the server."""

import pytest
from playwright.sync_api import expect

from messaging import services
from messaging.tests.factories import send

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _dispatch(page, event: dict):
    page.evaluate(
        "event => document.dispatchEvent("
        "new CustomEvent('messaging:' + event.type, {detail: event}))",
        event,
    )


def _open_menu(page, row):
    row.hover()
    row.locator("summary.message-menu-button").click()


def test_edit_delete_and_react_across_two_browsers(open_as, ada, grace):
    theirs = send(grace, ada, "Shall we meet at six?")
    mine = send(ada, grace, "I'll bring the cake")
    ada_view, grace_view = open_as(ada), open_as(grace)
    ada_page = ada_view.goto(f"/messages/{grace.pk}")
    grace_page = grace_view.goto(f"/messages/{ada.pk}")
    my_row = ada_page.locator(f"#message-{mine.pk}")

    # ↑ in the empty composer edits the last message; Esc cancels.
    ada_page.focus("#message-text")
    ada_page.keyboard.press("ArrowUp")
    box = my_row.locator(".edit-form textarea")
    expect(box).to_be_focused()
    expect(box).to_have_value("I'll bring the cake")
    ada_page.keyboard.press("Escape")
    expect(my_row.locator(".edit-form")).to_have_count(0)
    expect(my_row.locator(".text")).to_have_text("I'll bring the cake")
    expect(ada_page.locator("#message-text")).to_be_focused()
    # Again, and Enter saves.
    ada_page.keyboard.press("ArrowUp")
    box.fill("I'll bring the <b>pie</b>")
    box.press("Enter")
    expect(my_row.locator(".text")).to_have_text("I'll bring the <b>pie</b>")
    expect(my_row.locator(".edited-link")).to_have_text("(edited)")

    # Grace's page hears of it and draws the row again; the history opens on click.
    _dispatch(grace_page, {"type": "message.edited", "message": {"id": mine.pk}})
    their_copy = grace_page.locator(f"#message-{mine.pk}")
    expect(their_copy.locator(".text")).to_have_text("I'll bring the <b>pie</b>")
    their_copy.locator(".edited-link").click()
    expect(their_copy.locator(".edit-history")).to_contain_text("I'll bring the cake")
    expect(their_copy.locator(".edited-link")).to_have_attribute("aria-expanded", "true")

    # Grace reacts from the message's menu; Ada's page shows who reacted on hover.
    _open_menu(grace_page, their_copy)
    their_copy.get_by_role("button", name="React with 👍").click()
    thumbs = their_copy.locator(".reaction", has_text="👍")
    expect(thumbs).to_have_attribute("aria-pressed", "true")
    expect(thumbs.locator(".count")).to_have_text("1")
    _dispatch(
        ada_page,
        {
            "type": "reaction",
            "conversation_id": mine.conversation_id,
            "message_id": mine.pk,
            "emoji": "👍",
            "user_id": str(grace.pk),
            "op": "add",
        },
    )
    mine_thumbs = my_row.locator(".reaction", has_text="👍")
    expect(mine_thumbs).to_have_attribute("title", "Grace Hopper")
    expect(mine_thumbs).to_have_attribute("aria-pressed", "false")
    # A tap toggles: Ada adds hers, then takes it back, with the keyboard.
    mine_thumbs.click()
    expect(my_row.locator(".reaction .count")).to_have_text("2")
    my_row.locator(".reaction").focus()
    ada_page.keyboard.press("Enter")
    expect(my_row.locator(".reaction .count")).to_have_text("1")

    # Grace reacts to her own message too, then Ada deletes hers for everyone.
    grace_row = grace_page.locator(f"#message-{theirs.pk}")
    _open_menu(grace_page, grace_row)
    grace_row.get_by_role("button", name="React with 🎉").click()
    expect(grace_row.locator(".reaction")).to_contain_text("🎉")

    _open_menu(ada_page, my_row)
    my_row.locator("summary", has_text="Delete for everyone…").click()
    my_row.get_by_role("button", name="Delete for everyone").click()
    expect(my_row.locator(".text")).to_have_text("This message was deleted")
    expect(my_row.locator(".reaction")).to_have_count(0)
    _dispatch(
        grace_page,
        {"type": "message.deleted", "conversation_id": mine.conversation_id, "message_id": mine.pk},
    )
    expect(their_copy.locator(".text")).to_have_text("This message was deleted")
    expect(their_copy.locator(".edited-link")).to_have_count(0)
    # Nothing left to edit: ↑ does nothing now.
    ada_page.focus("#message-text")
    ada_page.keyboard.press("ArrowUp")
    expect(ada_page.locator(".edit-form")).to_have_count(0)

    for view in (ada_view, grace_view):
        assert view.console_errors == []
        assert view.dialogs == []


def test_edit_and_react_on_a_group_page(open_as, ada, grace):
    from messaging.tests.factories import UserFactory

    alan = UserFactory(name="Alan Turing")
    group = services.create_group(creator=ada, member_ids=[grace.pk, alan.pk], title="Reunion")
    message = services.send_to_conversation(
        sender=grace, conversation_id=group.pk, text="Friday at eight?"
    ).message
    grace_view, ada_view = open_as(grace), open_as(ada)
    grace_page = grace_view.goto(f"/messages/c/{group.pk}")
    ada_page = ada_view.goto(f"/messages/c/{group.pk}")

    grace_page.focus("#group-text")
    grace_page.keyboard.press("ArrowUp")
    box = grace_page.locator(f"#message-{message.pk} .edit-form textarea")
    box.fill("Saturday at eight?")
    box.press("Enter")
    expect(grace_page.locator(f"#message-{message.pk} .text")).to_have_text("Saturday at eight?")

    _dispatch(ada_page, {"type": "message.edited", "message": {"id": message.pk}})
    row = ada_page.locator(f"#message-{message.pk}")
    expect(row.locator(".text")).to_have_text("Saturday at eight?")
    _open_menu(ada_page, row)
    row.get_by_role("button", name="React with ❤️").click()
    expect(row.locator(".reaction")).to_have_attribute("aria-pressed", "true")
    for view in (ada_view, grace_view):
        assert view.console_errors == []


def test_screenshot_of_edits_and_reactions(open_as, ada, grace, tmp_path):
    """The README's picture: an edited message with its earlier version shown,
    reactions under the bubbles, a deleted message, and the edit box open."""
    import os
    from pathlib import Path

    send(grace, ada, "Is the reunion still on the 14th?")
    moved = send(ada, grace, "Yes, at the old library, 7 pm")
    services.edit_message(editor=ada, message_id=moved.pk, text="Yes, at the old library, 8 pm")
    for emoji, member in (("👍", grace), ("🎉", grace), ("🎉", ada)):
        services.add_reaction(user=member, message_id=moved.pk, emoji=emoji)
    gone = send(grace, ada, "Wrong chat, sorry")
    services.delete_message(deleter=grace, message_id=gone.pk)
    send(ada, grace, "I'll bring the photos from 2007")
    page = open_as(ada).goto(f"/messages/{grace.pk}")
    page.locator(f"#message-{moved.pk} .edited-link").click()
    expect(page.locator(f"#message-{moved.pk} .edit-history")).to_contain_text("7 pm")
    page.focus("#message-text")
    page.keyboard.press("ArrowUp")
    expect(page.locator(".edit-form textarea")).to_be_focused()
    directory = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    page.screenshot(path=str(directory / "editing-desktop.png"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_edits_reactions_and_menus_pass_axe(open_as, ada, grace, scheme):
    from messaging.tests.web.test_accessibility import axe_violations

    theirs = send(grace, ada, "Is it on the 14th?")
    mine = send(ada, grace, "Yes, 7 pm")
    services.edit_message(editor=ada, message_id=mine.pk, text="Yes, 8 pm")
    services.add_reaction(user=grace, message_id=mine.pk, emoji="👍")
    services.add_reaction(user=ada, message_id=mine.pk, emoji="🎉")
    services.add_reaction(user=ada, message_id=theirs.pk, emoji="❤️")
    gone = send(grace, ada, "oops")
    services.delete_message(deleter=grace, message_id=gone.pk)
    view = open_as(ada, color_scheme=scheme)
    page = view.goto(f"/messages/{grace.pk}")
    row = page.locator(f"#message-{mine.pk}")
    row.locator(".edited-link").click()
    expect(row.locator(".edit-history")).to_be_visible()
    assert axe_violations(page) == []
    # The own message's menu with its picker and the delete confirm open.
    row.hover()
    row.get_by_label("Actions for your message").click()
    row.locator("summary", has_text="Delete for everyone…").click()
    expect(row.get_by_role("button", name="Delete for everyone")).to_be_visible()
    assert axe_violations(page) == []
    page.keyboard.press("Escape")
    page.focus("#message-text")
    page.keyboard.press("ArrowUp")
    expect(row.locator(".edit-form textarea")).to_be_focused()
    assert axe_violations(page) == []
    assert view.console_errors == []
