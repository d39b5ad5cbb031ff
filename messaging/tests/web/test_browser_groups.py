"""Three members in a group, each in their own browser: they chat, one leaves and gets
nothing more. Also takes the README's picture of a group page (`make screenshots`
keeps it in docs/screenshots)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from messaging import services
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
