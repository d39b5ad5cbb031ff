"""Three members in a group, each in their own browser: they chat, one leaves and gets
nothing more. Also takes the README's picture of a group page (`make screenshots`
keeps it in docs/screenshots)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from messaging import services
from messaging.models import Report
from messaging.tests.factories import UserFactory
from messaging.tests.web.conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _say(page, text):
    page.fill("#group-text", text)
    page.click("#group-composer button[type=submit]")
    expect(page.locator("#group-messages")).to_contain_text(text)


def test_three_members_chat_and_the_one_who_leaves_stops_receiving(open_as, tmp_path):
    ada = UserFactory(name="Ada Lovelace")
    grace = UserFactory(name="Grace Hopper")
    alan = UserFactory(name="Alan Turing")
    group = services.create_group(creator=ada, member_ids=[grace.pk, alan.pk], title="Reunion 2027")
    path = f"/messages/c/{group.pk}"
    pages = {
        member.name: open_as(member, viewport=DESKTOP).goto(path) for member in (ada, grace, alan)
    }

    _say(pages["Ada Lovelace"], "Who is coming in June?")
    _say(pages["Grace Hopper"], "Count me in!")
    _say(pages["Alan Turing"], "I cannot make it, sorry.")
    for page in pages.values():
        page.reload()
        expect(page.locator("#group-messages")).to_contain_text("Count me in!")
        expect(page.locator("#group-messages")).to_contain_text("I cannot make it, sorry.")

    pages["Alan Turing"].click("#leave-group")
    expect(pages["Alan Turing"]).to_have_url(
        f"{pages['Alan Turing'].url.split('/messages')[0]}/messages"
    )
    _say(pages["Ada Lovelace"], "Then it is the two of us.")
    pages["Grace Hopper"].reload()
    expect(pages["Grace Hopper"].locator("#group-messages")).to_contain_text("the two of us")
    expect(pages["Grace Hopper"].locator("#group-messages")).to_contain_text("Alan Turing left")

    alan_page = pages["Alan Turing"]
    alan_page.goto(alan_page.url.split("/messages")[0] + path)
    expect(alan_page.locator(".notice")).to_contain_text("You left this group")
    expect(alan_page.locator("#group-messages")).not_to_contain_text("the two of us")
    assert alan_page.locator("#group-composer").count() == 0

    ada_page = pages["Ada Lovelace"]
    ada_page.reload()
    expect(ada_page.locator(".seen-by")).to_contain_text("Seen by 1")
    directory = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    ada_page.screenshot(path=str(directory / "group-desktop.png"), full_page=True)


def test_the_group_page_follows_the_group_without_reloading(open_as):
    """No reload anywhere: each page hears the others' messages, the read receipts
    ("Seen by N"), a rename and a leaving (here by polling: this server has no socket;
    messaging/tests/realtime/test_browser_group_socket.py drives the socket's events)."""
    ada = UserFactory(name="Ada Lovelace")
    grace = UserFactory(name="Grace Hopper")
    alan = UserFactory(name="Alan Turing")
    group = services.create_group(creator=ada, member_ids=[grace.pk, alan.pk], title="Reunion 2027")
    path = f"/messages/c/{group.pk}"
    views = [open_as(member, viewport=DESKTOP) for member in (ada, grace, alan)]
    ada_page, grace_page, alan_page = (view.goto(path) for view in views)

    _say(ada_page, "Who is coming in June?")
    for page in (grace_page, alan_page):
        expect(page.locator("#group-messages")).to_contain_text("Who is coming in June?")
    # Both others have the page open, so both have read it.
    expect(ada_page.locator(".seen-by")).to_have_text("Seen by 2")
    _say(grace_page, "Count me in!")
    expect(ada_page.locator("#group-messages")).to_contain_text("Count me in!")
    assert ada_page.locator("#group-text").input_value() == ""

    services.rename_group(user=grace, conversation_id=group.pk, title="June reunion")
    for page in (ada_page, grace_page, alan_page):
        expect(page.locator("#group-title")).to_have_text("June reunion")

    services.remove_member(user=alan, conversation_id=group.pk, member_id=alan.pk)
    expect(alan_page.locator(".notice")).to_contain_text("You left this group")
    expect(alan_page.locator("#group-composer")).to_have_count(0)
    expect(ada_page.locator("#group-count")).to_have_text("2 members")
    _say(ada_page, "Then it is the two of us.")
    expect(grace_page.locator("#group-messages")).to_contain_text("the two of us")
    # Long enough for several polls of Alan's page: nothing new reaches it.
    alan_page.wait_for_timeout(3000)
    expect(alan_page.locator("#group-messages")).not_to_contain_text("the two of us")
    assert [view.console_errors for view in views] == [[], [], []]


def test_a_group_message_is_reported_from_its_menu_while_the_group_talks_on(open_as):
    """The 1:1 page's menu on a group's bubbles: the report form stays open (and what is
    typed in it stays) while new messages arrive, and the report is filed in place."""
    ada = UserFactory(name="Ada Lovelace")
    grace = UserFactory(name="Grace Hopper")
    alan = UserFactory(name="Alan Turing")
    group = services.create_group(creator=ada, member_ids=[grace.pk, alan.pk], title="Chapter")
    spam = services.send_to_conversation(
        sender=grace, conversation_id=group.pk, text="buy my course"
    ).message
    page = open_as(ada, viewport=DESKTOP).goto(f"/messages/c/{group.pk}")
    row = page.locator(f"#message-{spam.pk}")
    row.hover()
    row.get_by_label("Actions for this message").click()
    row.get_by_text("Report…").click()
    reason = row.get_by_label("Why are you reporting this message?")
    reason.fill("Spam in our group")

    services.send_to_conversation(sender=alan, conversation_id=group.pk, text="ignore that")
    expect(page.locator("#group-messages")).to_contain_text("ignore that")
    expect(reason).to_have_value("Spam in our group")
    row.get_by_role("button", name="Send report").click()

    expect(row).to_contain_text("Reported")
    assert Report.objects.get().reason == "Spam in our group"


def test_people_found_and_ticked_to_add_stay_while_the_group_talks_on(open_as):
    ada = UserFactory(name="Ada Lovelace")
    grace = UserFactory(name="Grace Hopper")
    alan = UserFactory(name="Alan Turing")
    UserFactory(name="Linus Pauling")
    group = services.create_group(creator=ada, member_ids=[grace.pk, alan.pk], title="Chapter")
    page = open_as(ada, viewport=DESKTOP).goto(f"/messages/c/{group.pk}")
    page.fill("#add-q", "linus")
    page.locator("#add-q").press("Enter")
    page.get_by_label("Linus Pauling").check()
    page.locator("#group-text").focus()

    services.send_to_conversation(sender=grace, conversation_id=group.pk, text="any news?")
    expect(page.locator("#group-messages")).to_contain_text("any news?")
    expect(page.get_by_label("Linus Pauling")).to_be_checked()
    page.click("#add-members")

    expect(page.locator("#member-list")).to_contain_text("Linus Pauling")
    expect(page.locator("#group-messages")).to_contain_text("Ada Lovelace added Linus Pauling")
