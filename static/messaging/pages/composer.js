/*
 * The composer: an optimistic send (the row shows at once as "Sending…"), then the
 * server's row in its place, or "Not sent." with Retry and Edit. It also tells the other
 * member that this one is typing, over the socket when it is open.
 */

import { csrfToken, fragment } from "./core.js";
import { separateDays } from "./times.js";

const TYPING_SEND_MS = 3000;
const OFFLINE = "You seem to be offline. The message was not sent; retry when you are back.";
const FAILED = "Your message could not be sent. Please try again.";

function pendingRow(text, clientId) {
  const row = document.createElement("li");
  row.className = "message mine pending";
  row.dataset.clientId = clientId;
  const line = document.createElement("div");
  line.className = "line";
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  const paragraph = document.createElement("p");
  paragraph.className = "text";
  paragraph.textContent = text;
  bubble.append(paragraph);
  line.append(bubble);
  const state = document.createElement("p");
  state.className = "send-state";
  state.setAttribute("role", "status");
  row.append(line, state);
  row._text = text;
  return row;
}

function newClientId() {
  if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
  return String(Date.now()) + Math.random();
}

export function initComposer(view) {
  const form = document.getElementById("composer");
  const textarea = document.getElementById("message-text");
  const errorBox = document.getElementById("composer-error");
  const sendUrl = form.getAttribute("action");
  const closed = form.dataset.closed === "1";
  let lastTypingSent = 0;

  function findPending(clientId) {
    return Array.prototype.find.call(view.list.querySelectorAll("li.pending"), function (row) {
      return row.dataset.clientId === clientId;
    });
  }

  function autosize() {
    textarea.style.height = "auto";
    textarea.style.height = Math.min(textarea.scrollHeight + 2, window.innerHeight * 0.4) + "px";
  }

  function actionButton(label, handler) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.textContent = label;
    button.addEventListener("click", handler);
    return button;
  }

  function setSendState(row, label, withActions) {
    const state = row.querySelector(".send-state");
    state.replaceChildren(label);
    if (!withActions) return;
    const retry = actionButton("Retry", function () {
      post(row);
    });
    const edit = actionButton("Edit", function () {
      restoreDraft(row, true);
    });
    state.append(retry, edit);
    retry.focus();
  }

  function restoreDraft(row, force) {
    if (!force && textarea.value.trim()) return false;
    textarea.value = force && textarea.value.trim() ? row._text + "\n" + textarea.value : row._text;
    row.remove();
    autosize();
    textarea.focus();
    return true;
  }

  function confirmSent(row, data) {
    errorBox.textContent = "";
    if (document.getElementById("message-" + data.id)) {
      row.remove();
      return;
    }
    const confirmed = fragment(data.html).firstElementChild;
    row.replaceWith(confirmed);
    view.afterInsert(confirmed);
    if (view.stickToBottom) view.scrollToBottom();
  }

  function failSend(row, status, message) {
    errorBox.textContent = message || FAILED;
    // Refused for good (too long, blocked, suspended): give the text back to edit.
    if ((status === 400 || status === 403 || status === 404) && restoreDraft(row, false)) return;
    row.classList.remove("sending");
    row.classList.add("failed");
    setSendState(row, "Not sent.", true);
  }

  function post(row) {
    row.classList.remove("failed");
    row.classList.add("sending");
    setSendState(row, "Sending…", false);
    const body = new FormData();
    body.set("message_text", row._text);
    body.set("client_message_id", row.dataset.clientId);
    return fetch(sendUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return null;
          })
          .then(function (data) {
            if (response.ok && data && data.html) confirmSent(row, data);
            else failSend(row, response.status, data && data.message);
          });
      })
      .catch(function () {
        failSend(row, 0, OFFLINE);
      });
  }

  function sayTyping() {
    const now = Date.now();
    if (!textarea.value.trim() || now - lastTypingSent < TYPING_SEND_MS) return;
    lastTypingSent = now;
    const socket = window.messagingSocket;
    if (socket && socket.send({ type: "typing", to_user_id: view.otherId })) return;
    fetch(view.chat.dataset.typingUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
    }).catch(function () {});
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = textarea.value;
    if (closed || !text.trim()) return;
    const row = pendingRow(text, newClientId());
    view.list.append(row);
    separateDays(view.list);
    view.removeEmpty();
    textarea.value = "";
    autosize();
    view.stickToBottom = true;
    view.scrollToBottom();
    post(row);
  });

  textarea.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    form.requestSubmit();
  });

  textarea.addEventListener("input", function () {
    autosize();
    errorBox.textContent = "";
    sayTyping();
  });

  autosize();
  return {
    findPending: findPending,
    focus: function () {
      if (!closed) textarea.focus({ preventScroll: true });
    },
    isEmpty: function () {
      return !textarea.value;
    },
  };
}
