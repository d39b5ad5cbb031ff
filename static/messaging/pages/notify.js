/*
 * Desktop notifications: when a message arrives (the socket's "messaging:message.new")
 * while this tab is hidden, ask the server what to show (it applies the member's
 * settings, mutes and blocks, and says nothing of their own messages) and show it; a
 * click focuses the tab and opens the conversation. Permission is only ever asked from
 * the button on the notification settings page, never on load.
 */

const shown = new Set();

function supported() {
  return "Notification" in window;
}

async function notify(message) {
  if (!document.hidden || !supported() || Notification.permission !== "granted") return;
  if (!message || typeof message.id !== "number" || shown.has(message.id)) return;
  shown.add(message.id);
  let response;
  try {
    response = await fetch("/messages/notification/" + message.id, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
  } catch (error) {
    return;
  }
  if (response.status !== 200) return;
  const found = await response.json();
  const notification = new Notification(found.title, {
    body: found.body,
    tag: "conversation-" + message.conversation_id,
  });
  notification.addEventListener("click", function () {
    window.focus();
    window.location.assign(found.url);
    notification.close();
  });
}

function describePermission(status, button) {
  if (!supported()) {
    status.textContent = "This browser cannot show desktop notifications.";
    button.hidden = true;
    return;
  }
  const permission = Notification.permission;
  status.textContent =
    permission === "granted"
      ? "Desktop notifications are allowed in this browser."
      : permission === "denied"
        ? "Desktop notifications are blocked in this browser's site settings."
        : "This browser has not been asked yet.";
  button.hidden = permission !== "default";
}

function initPermissionButton() {
  const status = document.getElementById("browser-permission");
  const button = document.getElementById("allow-notifications");
  if (!status || !button) return;
  describePermission(status, button);
  button.addEventListener("click", async function () {
    if (!supported()) return;
    await Notification.requestPermission();
    describePermission(status, button);
  });
}

export function initNotifications() {
  document.addEventListener("messaging:message.new", function (event) {
    notify(event.detail && event.detail.message);
  });
  if (document.body.dataset.page === "notification-settings") initPermissionButton();
}
