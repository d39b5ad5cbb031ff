/*
 * A group's page. The server draws it; this keeps it live: on the socket's events for
 * this group (a message, a read receipt, a hidden message, a rename or a change of
 * members), and every 2 seconds while the socket is down, the page is fetched again
 * and its header, history and member list are swapped in (the composer and whatever is
 * being typed stay). Sending posts without leaving the page; typing is signalled to the
 * group by its id. A tab in the background fetches nothing (a fetch marks the group
 * read): it catches up when it is shown again.
 */

import { coalesced, isLoginRedirect, on, poller, setUnreadTotal } from "./core.js";
import { carryEdit } from "./editing.js";
import { rove } from "./menus.js";
import { localizeTimes } from "./times.js";

const TYPING_SHOW_MS = 6000;
const TYPING_SEND_MS = 3000;
const NEAR_BOTTOM_PX = 120;

function nearBottom() {
  const page = document.scrollingElement;
  return page.scrollHeight - page.scrollTop - page.clientHeight < NEAR_BOTTOM_PX;
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
    // A message being edited stays in its edit box, with what was typed.
    const reopenEdit = carryEdit();
    ["group-head", "group-messages"].forEach(function (id) {
      document.getElementById(id).replaceWith(document.adoptNode(fresh.getElementById(id)));
    });
    reopenEdit();
    rove(document.getElementById("group-messages"));
    const members = document.getElementById("group-members");
    // The rename and add forms keep what is being typed in them.
    if (!members.contains(document.activeElement)) {
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
    return fetch(window.location.pathname, { credentials: "same-origin" }).then(answered);
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
  let lastTyping = 0;

  function send() {
    if (!text.value.trim()) return;
    const body = new FormData(form);
    text.value = "";
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
