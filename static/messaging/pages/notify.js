/*
 * Desktop notifications: when a message arrives (the socket's "messaging:message.new")
 * while this tab is hidden, ask the server what to show (it applies the member's
 * settings, mutes and blocks, and says nothing of their own messages) and show it; a
 * click focuses the tab and opens the conversation. Permission is only ever asked from
 * the button on the notification settings page, never on load.
 */

import { csrfToken } from "./core.js";

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

/*
 * Web Push (only when the server has VAPID keys: the page then carries the public key):
 * the service worker at /sw.js is registered, this browser subscribed and the
 * subscription saved, so notifications also arrive while the site is closed.
 */

function pushSupported() {
  return "serviceWorker" in navigator && "PushManager" in window;
}

function keyBytes(base64url) {
  const padded = (base64url + "===".slice((base64url.length + 3) % 4))
    .replace(/-/g, "+")
    .replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
}

function sameKey(buffer, key) {
  if (!buffer) return false;
  const given = new Uint8Array(buffer);
  const wanted = keyBytes(key);
  return given.length === wanted.length && given.every((byte, index) => byte === wanted[index]);
}

async function subscribePush(key, note) {
  if (!pushSupported() || Notification.permission !== "granted") return;
  try {
    const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    await navigator.serviceWorker.ready;
    let subscription = await registration.pushManager.getSubscription();
    if (subscription && !sameKey(subscription.options.applicationServerKey, key)) {
      // Made with a key the server no longer has: its pushes would be refused.
      await subscription.unsubscribe();
      subscription = null;
    }
    if (!subscription) {
      subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(key),
      });
    }
    const response = await fetch("/settings/notifications/push-subscription", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
      body: JSON.stringify(subscription.toJSON()),
    });
    note.textContent =
      response.status === 200
        ? "This browser also gets notifications while the site is closed."
        : "This browser could not be set up for notifications while the site is closed.";
  } catch (error) {
    note.textContent = "This browser could not be set up for notifications while the site is closed.";
  }
}

function initPermissionButton() {
  const status = document.getElementById("browser-permission");
  const button = document.getElementById("allow-notifications");
  if (!status || !button) return;
  const push = document.getElementById("push-status");
  const key = push ? push.dataset.vapidPublicKey : "";
  describePermission(status, button);
  if (key && supported() && Notification.permission === "granted") subscribePush(key, push);
  button.addEventListener("click", async function () {
    if (!supported()) return;
    await Notification.requestPermission();
    describePermission(status, button);
    if (key) await subscribePush(key, push);
  });
}

export function initNotifications() {
  document.addEventListener("messaging:message.new", function (event) {
    notify(event.detail && event.detail.message);
  });
  if (document.body.dataset.page === "notification-settings") initPermissionButton();
}
