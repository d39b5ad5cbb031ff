/*
 * A group's page. The server draws it; this keeps it live: on the socket's events for
 * this group (a message, a read receipt, a hidden message, a rename or a change of
 * members), and every 2 seconds while the socket is down, the page is fetched again
 * and its header, history and member list are swapped in (the composer, whatever is
 * being typed, and a message whose menu or report form is open stay as they are).
 * The rows are the 1:1 page's (messaging/_message.html), with the same menus (set up by
 * pages.js with the editing, for the whole group page). Sending posts without leaving the page; typing is signalled to the
 * group by its id. A tab in the background fetches nothing (a fetch marks the group
 * read): it catches up when it is shown again.
 */

import { initAttachments } from "./attachments.js";
import { coalesced, isLoginRedirect, on, poller, processHtmx, setUnreadTotal } from "./core.js";
import { rove } from "./menus.js";
import { localizeTimes } from "./times.js";

const TYPING_SHOW_MS = 6000;
const TYPING_SEND_MS = 3000;
const NEAR_BOTTOM_PX = 120;

function nearBottom() {
  const page = document.scrollingElement;
  return page.scrollHeight - page.scrollTop - page.clientHeight < NEAR_BOTTOM_PX;
}

function edited(element) {
  return Array.prototype.some.call(element.querySelectorAll("input"), function (input) {
    if (input.type === "checkbox") return input.checked !== input.defaultChecked;
    return input.type !== "hidden" && input.value !== input.defaultValue;
  });
}

function busy(element) {
  // Focus inside, a menu or report form open, or an edit in progress (editing.js).
  return (
    element.contains(document.activeElement) ||
    element.querySelector("details[open], .edit-form")
  );
}

function mergeRows(list, fresh) {
  // Rows only ever come after the ones shown (or change in place: hidden, Seen by N).
  const incoming = new Map();
  Array.prototype.forEach.call(fresh.children, function (row) {
    incoming.set(row.id || row.className, row);
  });
  Array.prototype.slice.call(list.children).forEach(function (row) {
    const key = row.id || row.className;
    const next = incoming.get(key);
    incoming.delete(key);
    if (busy(row)) return;
    if (next) row.replaceWith(document.adoptNode(next));
    else row.remove();
  });
  incoming.forEach(function (row) {
    list.append(document.adoptNode(row));
  });
  processHtmx(list);
  rove(list);
}

function typingLine(line, root) {
  let timer = null;
  return function show(userId, isTyping) {
    clearTimeout(timer);
    const member = root.querySelector('#member-list [data-member="' + userId + '"] .row-name');
    line.hidden = !isTyping || !member;
    if (line.hidden) return;
    line.textContent = member.textContent + " is typing…";
    timer = setTimeout(function () {
      line.hidden = true;
    }, TYPING_SHOW_MS);
  };
}

export function initGroup(root) {
  const groupId = root.dataset.conversationId;
  const me = root.dataset.me;
  const showTyping = typingLine(document.getElementById("group-typing"), root);
  let stale = false;

  function swap(html) {
    const fresh = new DOMParser().parseFromString(html, "text/html");
    if (!fresh.getElementById("group")) return;
    const stick = nearBottom();
    const head = document.getElementById("group-head");
    head.replaceWith(document.adoptNode(fresh.getElementById("group-head")));
    mergeRows(document.getElementById("group-messages"), fresh.getElementById("group-messages"));
    const members = document.getElementById("group-members");
    // The rename and add forms keep what is being typed or ticked in them.
    if (!members.contains(document.activeElement) && !edited(members)) {
      members.replaceWith(document.adoptNode(fresh.getElementById("group-members")));
    }
    const composer = document.getElementById("group-composer");
    if (composer && !fresh.getElementById("group-composer")) composer.remove();
    const badge = fresh.getElementById("unread-total");
    if (badge) setUnreadTotal(badge.textContent);
    localizeTimes(root);
    if (stick) window.scrollTo(0, document.scrollingElement.scrollHeight);
  }

  function answered(response) {
    if (isLoginRedirect(response) || response.status === 404) {
      window.location.reload();
      return;
    }
    if (response.ok) return response.text().then(swap);
  }

  const refresh = coalesced(function () {
    if (document.visibilityState !== "visible") {
      stale = true;
      return;
    }
    stale = false;
    // The same address: people found to add stay found.
    return fetch(window.location.href, { credentials: "same-origin" }).then(answered);
  });

  function ours(conversationId) {
    return String(conversationId) === groupId;
  }

  on("message.new", function (event) {
    const message = event.message || {};
    if (!ours(message.conversation_id)) return;
    showTyping(message.sender_id, false);
    refresh();
  });
  on("message.read", function (event) {
    if (ours(event.conversation_id) && event.reader_id !== me) refresh();
  });
  on("message.hidden", function (event) {
    if (ours(event.conversation_id)) refresh();
  });
  on("conversation.updated", function (event) {
    if (ours((event.conversation || {}).conversation_id)) refresh();
  });
  on("typing", function (event) {
    if (ours(event.conversation_id) && event.user_id !== me) {
      showTyping(event.user_id, event.is_typing !== false);
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && stale) refresh();
  });
  poller(refresh);

  const composer = document.getElementById("group-composer");
  if (composer) initGroupComposer(composer, groupId, answered);
  window.scrollTo(0, document.scrollingElement.scrollHeight);
}

function initGroupComposer(form, groupId, answered) {
  const text = form.querySelector("textarea");
  const errorBox = document.getElementById("composer-error");
  // Paperclip, paste and drop, as on a one-to-one page; a drop anywhere on the history.
  const attachments = initAttachments({ chat: document.getElementById("group") }, text, errorBox);
  let lastTyping = 0;

  function send() {
    if (attachments.uploading()) {
      errorBox.textContent = "The file is still uploading; it will be ready in a moment.";
      return;
    }
    const attachment = attachments.take();
    if (!text.value.trim() && !attachment) return;
    const body = new FormData(form);
    if (attachment) body.set("attachment_id", attachment.id);
    text.value = "";
    errorBox.textContent = "";
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin" })
      .then(answered)
      .catch(function () {
        text.value = body.get("message_text");
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send();
  });
  text.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  text.addEventListener("input", function () {
    const now = Date.now();
    if (!text.value.trim() || now - lastTyping < TYPING_SEND_MS || !window.messagingSocket) return;
    lastTyping = now;
    window.messagingSocket.send({ type: "typing", conversation_id: Number(groupId) });
  });
}
