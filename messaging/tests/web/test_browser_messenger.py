"""The messaging page as a newcomer uses it, in Chromium: typing that ends with the
message, a history that never jumps, one report per message, a blocked conversation
that says so once, safe links, grouped bubbles and their menus."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from messaging import services
from messaging.models import Message, Report
from messaging.tests.factories import BlockFactory, UserFactory, send
from messaging.tests.web.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Records every layout shift from the first paint on (the Layout Instability API).
WATCH_SHIFTS = """
window.layoutShifts = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (entry) {
    if (entry.hadRecentInput) return;
    window.layoutShifts.push({
      value: entry.value,
      nodes: entry.sources.map(function (source) {
        return source.node ? source.node.id || source.node.nodeName : "";
      }),
    });
  });
}).observe({ type: "layout-shift", buffered: true });
"""


def test_typing_ends_within_a_second_of_the_typists_message(open_as, ada, grace):
    send(grace, ada, "Ready for the reunion?")
    ada_page = open_as(ada).goto(f"/messages/{grace.pk}")
    grace_page = open_as(grace).goto(f"/messages/{ada.pk}")

    composer = grace_page.get_by_label("Message to Ada Lovelace")
    composer.press_sequentially("Almost")
    typing = ada_page.locator("#typing")
    expect(typing).to_be_visible()
    composer.press("Enter")

    expect(ada_page.locator("li.message.theirs").last.locator(".text")).to_have_text("Almost")
    # Before the fix the page kept "is typing…" for six more seconds.
    expect(typing).to_be_hidden(timeout=1000)


def test_no_layout_jump_at_phone_width_and_typing_covers_nothing(open_as, ada, grace):
    now = timezone.now()
    for days_ago, sender, recipient, text in [
        (3, ada, grace, "Three days ago"),
        (1, grace, ada, "Yesterday"),
        (0, ada, grace, "Today"),
        (0, grace, ada, "Still today"),
    ]:
        message = send(sender, recipient, text)
        Message.objects.filter(pk=message.pk).update(sent_at=now - timedelta(days=days_ago))
    view = open_as(ada, viewport=PHONE)
    view.goto("/messages")  # any page stores the reader's zone for the next one
    view.page.add_init_script(WATCH_SHIFTS)
    page = view.goto(f"/messages/{grace.pk}")
    newest = page.locator("li.message").last
    expect(newest).to_be_in_viewport()
    expect(page.locator("#message-list li.day-separator")).to_have_count(3)
    page.wait_for_timeout(500)  # past the first poll's answer
    shifts = page.evaluate("window.layoutShifts")
    assert sum(shift["value"] for shift in shifts) < 0.01, shifts
    assert not [node for shift in shifts for node in shift["nodes"] if "message-" in node]

    before = newest.bounding_box()
    services.record_typing(user=grace, to_user_id=ada.pk)
    expect(page.locator("#typing")).to_be_visible()
    assert newest.bounding_box() == before
    assert view.console_errors == []


def _open_report_form(page, message):
    row = page.locator(f"#message-{message.pk}")
    row.hover()
    row.get_by_label("Actions for this message").click()
    row.get_by_text("Report…").click()
    return row


def test_reporting_twice_closes_the_form_and_is_refused_the_second_time(open_as, ada, grace):
    message = send(grace, ada, "Buy my course")
    view = open_as(ada)
    page = view.goto(f"/messages/{grace.pk}")

    row = _open_report_form(page, message)
    reason = row.get_by_label("Why are you reporting this message?")
    expect(reason).to_be_focused()
    reason.fill("Spam")
    row.get_by_role("button", name="Send report").click()
    expect(row.locator(".reported")).to_contain_text("Reported")
    expect(row.locator(".reported")).to_be_focused()
    expect(row.locator("form")).to_have_count(0)

    page.reload()
    row = _open_report_form(page, message)
    row.get_by_label("Why are you reporting this message?").fill("Spam, and rude")
    row.get_by_role("button", name="Send report").click()
    expect(row.locator(".reported")).to_contain_text("You already reported this message.")
    assert list(Report.objects.values_list("reason", flat=True)) == ["Spam"]
    assert view.console_errors == []


def test_a_blocked_conversation_has_one_banner_and_a_closed_composer(open_as, ada, grace):
    send(grace, ada, "Hello")
    BlockFactory(blocker=ada, blocked=grace)
    view = open_as(ada)
    page = view.goto(f"/messages/{grace.pk}")

    expect(page.get_by_text("You blocked Grace Hopper.")).to_have_count(1)
    expect(page.locator(".flash")).to_have_count(0)
    expect(page.get_by_label("Message to Grace Hopper")).to_be_disabled()
    expect(page.locator("#composer").get_by_role("button", name="Send")).to_be_disabled()

    with page.expect_navigation():  # to the page again, its script loaded
        page.locator("#blocked-banner").get_by_role("button", name="Unblock Grace Hopper").click()
    expect(page.locator("#blocked-banner")).to_have_count(0)
    composer = page.get_by_label("Message to Grace Hopper")
    expect(composer).to_be_enabled()
    composer.fill("Sorry about that")
    composer.press("Enter")
    expect(page.locator("li.message.mine").last.locator(".receipt")).to_have_attribute(
        "aria-label", "Sent"
    )


def test_links_are_clickable_and_only_http(open_as, ada, grace):
    text = (
        "Slides: https://example.org/talk?a=1&b=<2>. "
        "Not this: javascript:alert(1) nor data:text/html,hi <b>bold</b>"
    )
    sent = send(grace, ada, text)
    view = open_as(ada)
    page = view.goto(f"/messages/{grace.pk}")

    links = page.locator(f"#message-{sent.pk} .text a")
    expect(links).to_have_count(1)
    expect(links).to_have_attribute("href", "https://example.org/talk?a=1&b=")
    expect(links).to_have_attribute("rel", "noopener noreferrer nofollow")
    expect(page.locator(f"#message-{sent.pk} .text")).to_have_text(text)
    assert page.locator(".messages b, .messages [href^='javascript']").count() == 0

    # A live message is drawn by the same server rule.
    live = send(grace, ada, "Live: http://example.net/x")
    expect(page.locator(f"#message-{live.pk} .text a")).to_have_attribute(
        "href", "http://example.net/x"
    )
    assert view.dialogs == []


def test_grouped_bubbles_receipts_and_one_tab_stop_for_the_menus(open_as, ada, grace):
    for text in ("One", "Two", "Three"):
        send(grace, ada, text)
    mine = send(ada, grace, "Got them")
    view = open_as(ada)
    page = view.goto(f"/messages/{grace.pk}")

    # One time per group: Grace's three messages show one, Ada's one.
    times = page.locator("li.message time")
    expect(times).to_have_count(4)
    visible = [times.nth(index).is_visible() for index in range(4)]
    assert visible == [False, False, True, True]

    # Sent and read look different (the colour of "read" is its own).
    sent_color = page.locator(f"#message-{mine.pk} .receipt").evaluate(
        "element => getComputedStyle(element).color"
    )
    services.open_conversation(reader=grace, other_user_id=ada.pk, limit=50)
    receipt = page.locator(f"#message-{mine.pk} .receipt")
    expect(receipt).to_have_attribute("aria-label", "Read")
    read_style = receipt.evaluate(
        "element => [getComputedStyle(element).color,"
        " parseFloat(getComputedStyle(element).fontSize)]"
    )
    assert read_style[0] != sent_color
    assert read_style[1] >= 14

    # The menu buttons are one Tab stop; arrow keys move between them.
    buttons = page.get_by_label("Actions for this message")
    expect(buttons).to_have_count(3)
    tab_stops = page.eval_on_selector_all(
        "summary.message-menu-button", "buttons => buttons.map(b => b.tabIndex)"
    )
    # Ada's own message has its menu too (edit, delete: SPEC §9.3), the newest of all,
    # so it holds the one Tab stop.
    assert tab_stops == [-1, -1, -1, 0]
    buttons.nth(2).focus()
    page.keyboard.press("ArrowUp")
    expect(buttons.nth(1)).to_be_focused()
    page.keyboard.press("Home")
    expect(buttons.nth(0)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("details.message-menu[open]")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.locator("details.message-menu[open]")).to_have_count(0)
    expect(buttons.nth(0)).to_be_focused()
    assert view.console_errors == []


def test_a_long_press_opens_a_messages_menu(open_as, ada, grace):
    theirs = send(grace, ada, "Press me")
    view = open_as(ada, viewport=PHONE)
    page = view.goto(f"/messages/{grace.pk}")
    bubble = page.locator(f"#message-{theirs.pk} .bubble")
    box = bubble.bounding_box()
    client = page.context.new_cdp_session(page)
    point = {"x": box["x"] + 10, "y": box["y"] + 10}
    client.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point]})
    page.wait_for_timeout(700)
    client.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    expect(page.locator(f"#actions-{theirs.pk}")).to_have_attribute("open", "")


def test_the_admin_report_queue_is_readable_at_1280_px(open_as):
    staff = UserFactory(name="Site Admin", is_staff=True, is_superuser=True)
    for index in range(3):
        sender = UserFactory(name=f"Professor Bartholomew Fitzgerald-Smythe {index}")
        reporter = UserFactory(name=f"Katherine Johnson-Whitmore {index}")
        message = send(sender, reporter, "Buy my course now, limited seats, click the link " * 3)
        services.report_message(
            reporter=reporter,
            message_id=message.pk,
            reason="Spam: the sender keeps pushing a paid course on the whole network " * 2,
        )
    page = open_as(staff, viewport={"width": 1280, "height": 800}).goto("/admin/messaging/report/")
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    # Every column fits: the results table does not scroll sideways.
    widths = page.locator(".results").evaluate("box => [box.scrollWidth, box.clientWidth]")
    assert widths[0] <= widths[1], widths
    expect(page.locator("#result_list .field-reason_excerpt").first).to_be_in_viewport(ratio=1)
