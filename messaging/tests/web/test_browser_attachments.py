"""Two members exchange a picture and a PDF from the messaging page, in Chromium: the
paperclip, a file dropped on the conversation and a pasted picture all upload with a
progress bar; the other member sees the thumbnail (a click opens the full picture) and a
file chip."""

import base64
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from messaging.models import Attachment, Message
from messaging.tests.factories import send
from messaging.tests.files import image_bytes, pdf_bytes, scenic_jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Hands a file to the page as a drop on the conversation or a paste into the text box,
# as the browser does for a real drag or Ctrl+V (the event carries a DataTransfer).
HAND_OVER = """([kind, name, type, data]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: type }));
  const options = { bubbles: true, cancelable: true };
  if (kind === "drop") {
    const chat = document.getElementById("chat");
    chat.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, ...options }));
    chat.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, ...options }));
  } else {
    const box = document.getElementById("message-text");
    box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer, ...options }));
  }
}"""


def hand_over(page, kind: str, name: str, content_type: str, content: bytes):
    page.evaluate(HAND_OVER, [kind, name, content_type, base64.b64encode(content).decode()])


def wait_until_uploaded(page):
    expect(page.locator("#attachment-tray .tray-item.is-ready")).to_be_visible()


def test_a_picture_goes_from_one_browser_to_the_other(open_as, ada, grace, tmp_path):
    send(grace, ada, "Send me the photo?")
    ada_view = open_as(ada)
    ada_page = ada_view.goto(f"/messages/{grace.pk}")
    grace_view = open_as(grace)
    grace_page = grace_view.goto(f"/messages/{ada.pk}")

    photo = tmp_path / "reunion.jpg"
    photo.write_bytes(image_bytes((1600, 900), "JPEG", color=(20, 120, 200)))
    ada_page.locator("#attach-file").set_input_files(str(photo))
    expect(ada_page.locator("#attachment-tray progress")).to_be_attached()
    wait_until_uploaded(ada_page)
    ada_page.get_by_label("Message to Grace Hopper").fill("Here it is")
    ada_page.get_by_label("Message to Grace Hopper").press("Enter")

    received = grace_page.locator("li.message.theirs").last
    expect(received.locator(".text")).to_have_text("Here it is")
    thumbnail = received.locator(".attachment-image img")
    expect(thumbnail).to_have_attribute("alt", "reunion.jpg")
    grace_page.wait_for_function(
        "img => img.complete && img.naturalWidth === 480", arg=thumbnail.element_handle()
    )
    with grace_page.expect_popup() as opened:
        thumbnail.click()
    full = opened.value
    full.wait_for_load_state()
    assert full.url.endswith(f"/api/attachments/{Attachment.objects.get().pk}/file")
    assert full.evaluate("document.images[0].naturalWidth") == 1600
    assert Message.objects.filter(sender=ada).get().attachment_type == "image/jpeg"
    for view in (ada_view, grace_view):
        assert view.console_errors == [] and view.dialogs == []
        assert view.foreign_requests == []


def test_a_dropped_pdf_and_a_pasted_picture_arrive_as_a_chip_and_a_thumbnail(open_as, ada, grace):
    ada_page = open_as(ada).goto(f"/messages/{grace.pk}")
    grace_view = open_as(grace)
    grace_page = grace_view.goto(f"/messages/{ada.pk}")

    hand_over(ada_page, "drop", "agenda.pdf", "application/pdf", pdf_bytes())
    wait_until_uploaded(ada_page)
    ada_page.get_by_role("button", name="Send").click()
    chip = grace_page.locator("li.message.theirs .file-chip").last
    expect(chip.locator(".file-name")).to_have_text("agenda.pdf")
    expect(chip.locator(".file-kind")).to_have_text("PDF")

    hand_over(ada_page, "paste", "image.png", "image/png", image_bytes((300, 200)))
    wait_until_uploaded(ada_page)
    ada_page.get_by_label("Message to Grace Hopper").press("Enter")
    expect(grace_page.locator("li.message.theirs .attachment-image img")).to_have_count(1)
    assert list(Message.objects.order_by("id").values_list("attachment_type", flat=True)) == [
        "application/pdf",
        "image/png",
    ]
    assert grace_view.console_errors == []


def test_a_disguised_file_is_refused_on_the_page(open_as, ada, grace):
    ada_page = open_as(ada).goto(f"/messages/{grace.pk}")
    hand_over(ada_page, "drop", "cat.png", "image/png", b"<html><script>alert(1)</script>")
    expect(ada_page.locator("#composer-error")).to_contain_text("Only PNG")
    expect(ada_page.locator("#attachment-tray")).to_be_hidden()
    assert not Attachment.objects.exists()


def test_screenshot_of_a_picture_and_a_pdf(open_as, ada, grace, tmp_path):
    """The README's picture of attachments (`make screenshots` keeps it in
    docs/screenshots; a plain test run writes it to a temporary directory)."""
    send(grace, ada, "Did anyone take pictures at the reunion?")
    ada_page = open_as(ada).goto(f"/messages/{grace.pk}")
    photo = tmp_path / "reunion-evening.jpg"
    photo.write_bytes(scenic_jpeg())
    ada_page.locator("#attach-file").set_input_files(str(photo))
    wait_until_uploaded(ada_page)
    ada_page.get_by_label("Message to Grace Hopper").fill("The view from the terrace 🌄")
    ada_page.get_by_label("Message to Grace Hopper").press("Enter")
    expect(ada_page.locator("li.message.mine .attachment-image img")).to_have_count(1)
    hand_over(ada_page, "drop", "Reunion programme.pdf", "application/pdf", pdf_bytes())
    wait_until_uploaded(ada_page)
    ada_page.get_by_label("Message to Grace Hopper").fill("And the programme")
    ada_page.get_by_label("Message to Grace Hopper").press("Enter")

    grace_page = open_as(grace).goto(f"/messages/{ada.pk}")
    thumbnail = grace_page.locator(".attachment-image img")
    grace_page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    expect(grace_page.locator(".file-chip .file-name")).to_have_text("Reunion programme.pdf")
    target = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    grace_page.screenshot(path=target / "attachments-desktop.png")


def test_a_group_member_sends_a_picture_and_every_member_sees_it(open_as, ada, grace, tmp_path):
    from messaging import services
    from messaging.tests.factories import UserFactory

    alan = UserFactory(name="Alan Turing")
    group = services.create_group(creator=ada, member_ids=[grace.pk, alan.pk], title="Reunion")
    path = f"/messages/c/{group.pk}"
    ada_view = open_as(ada)
    ada_page = ada_view.goto(path)
    grace_page = open_as(grace).goto(path)

    photo = tmp_path / "class-photo.png"
    photo.write_bytes(image_bytes((900, 600)))
    ada_page.locator("#attach-file").set_input_files(str(photo))
    wait_until_uploaded(ada_page)
    ada_page.fill("#group-text", "The class of 1975")
    ada_page.press("#group-text", "Enter")

    for page in (ada_page, grace_page):
        thumbnail = page.locator("#group-messages .attachment-image img").last
        expect(thumbnail).to_have_attribute("alt", "class-photo.png")
        page.wait_for_function(
            "img => img.complete && img.naturalWidth === 480", arg=thumbnail.element_handle()
        )
    message = Message.objects.get(sender=ada, conversation=group, attachment__isnull=False)
    assert message.attachment_type == "image/png"
    assert message.message_text == "The class of 1975"
    expect(ada_page.locator("#attachment-tray")).to_be_hidden()
    assert ada_view.console_errors == [] and ada_view.foreign_requests == []
