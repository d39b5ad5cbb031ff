/*
 * Editing, delete for everyone and reactions on a conversation's rows (one-to-one and
 * group pages). Every change is posted to the page views, which answer with the row
 * drawn again by the server; the row is swapped in as is. The text being edited is put
 * in a textarea as its value, never as markup. The socket's message.edited,
 * message.deleted and reaction events fetch the changed row the same way.
 *
 * Keys: ↑ in an empty composer edits your last message; in the edit box Enter saves,
 * Shift+Enter starts a new line and Esc cancels.
 */

import { csrfToken, fragment, on, processHtmx } from "./core.js";
import { rove } from "./menus.js";
import { localizeTimes } from "./times.js";

const FAILED = "That did not work. Please try again.";

function post(url, body) {
  return fetch(url, {
    method: "POST",
    body: body,
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    credentials: "same-origin",
  }).then(function (response) {
    return response
      .json()
      .catch(function () {
        return { message: FAILED };
      })
      .then(function (data) {
        if (!response.ok) throw new Error(data.message || FAILED);
        return data;
      });
  });
}

// The history list: looked up each time, since the group page swaps it for a fresh one.
function historyList() {
  return document.querySelector("[data-message-base]");
}

// Set by initEditing: starts editing a row (carryEdit uses it after a swap).
let startEditing = null;

/*
 * Before a page swaps its history for a fresh copy: remembers an edit in progress and
 * returns what opens it again, with the text as it was being typed, on the fresh row.
 */
export function carryEdit() {
  const list = historyList();
  const form = list && list.querySelector(".edit-form");
  if (!form || !startEditing) return function () {};
  const row = form.closest("li");
  const box = form.querySelector("textarea");
  const value = box.value;
  const hadFocus = box === document.activeElement;
  return function () {
    const fresh = document.getElementById(row.id);
    if (!fresh || !startEditing(fresh)) return;
    const again = fresh.querySelector(".edit-form textarea");
    again.value = value;
    if (!hadFocus) again.blur();
  };
}

export function initEditing(composer) {
  function base() {
    return historyList().dataset.messageBase.replace(/0$/, "");
  }

  function showError(row, text) {
    let box = row.querySelector(".row-error");
    if (!box) {
      box = document.createElement("p");
      box.className = "row-error";
      box.setAttribute("role", "alert");
      row.append(box);
    }
    box.textContent = text;
  }

  function replaceRow(html) {
    const fresh = fragment(html).querySelector("li[id^='message-']");
    const row = fresh && document.getElementById(fresh.id);
    if (!row) return null;
    const hadFocus = row.contains(document.activeElement);
    fresh.classList.toggle("is-highlighted", row.classList.contains("is-highlighted"));
    row.replaceWith(fresh);
    processHtmx(fresh);
    localizeTimes(fresh);
    rove(historyList());
    if (hadFocus) {
      fresh.setAttribute("tabindex", "-1");
      fresh.focus({ preventScroll: true });
    }
    return fresh;
  }

  function refreshRow(id) {
    const row = document.getElementById("message-" + id);
    // A row being edited here keeps its edit box; the save redraws it.
    if (!row || row.querySelector(".edit-form")) return;
    fetch(base() + id, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && data.html) replaceRow(data.html);
      })
      .catch(function () {});
  }

  /* edit in place */

  function stopEditing(row, form) {
    const text = row.querySelector(".text");
    if (text) text.hidden = false;
    form.remove();
  }

  function startEdit(row) {
    const link = row.querySelector("a.edit-message");
    const text = row.querySelector(".bubble .text");
    if (!link || !text || row.querySelector(".edit-form")) return false;
    row.querySelectorAll("details[open]").forEach(function (details) {
      details.open = false;
    });
    const form = document.createElement("form");
    form.className = "edit-form";
    const label = document.createElement("label");
    label.className = "visually-hidden";
    label.htmlFor = "edit-" + row.dataset.messageId;
    label.textContent = "Edit your message";
    const box = document.createElement("textarea");
    box.id = "edit-" + row.dataset.messageId;
    box.name = "message_text";
    box.maxLength = 5000;
    box.rows = 2;
    box.value = text.textContent;
    const save = document.createElement("button");
    save.type = "submit";
    save.className = "button primary";
    save.textContent = "Save";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "link-button";
    cancel.textContent = "Cancel";
    const hint = document.createElement("span");
    hint.className = "edit-hint";
    hint.textContent = "Enter saves · Esc cancels";
    form.append(label, box, save, cancel, hint);
    text.hidden = true;
    text.after(form);
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);

    function done() {
      stopEditing(row, form);
      if (composer) composer.focus();
    }
    cancel.addEventListener("click", done);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        done();
      } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save.disabled = true;
      post(link.href, new FormData(form))
        .then(function (data) {
          replaceRow(data.html);
          if (composer) composer.focus();
        })
        .catch(function (error) {
          save.disabled = false;
          showError(row, error.message);
        });
    });
    return true;
  }
  startEditing = startEdit;

  function lastEditable() {
    const links = historyList().querySelectorAll("li[data-mine='1'] a.edit-message");
    return links.length ? links[links.length - 1].closest("li") : null;
  }

  /* history of an edited message */

  function toggleHistory(link) {
    const box = document.getElementById(link.dataset.history);
    if (!box) return;
    if (!box.hidden) {
      box.hidden = true;
      link.setAttribute("aria-expanded", "false");
      return;
    }
    fetch(link.href, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(new Error(FAILED));
      })
      .then(function (html) {
        box.replaceChildren(fragment(html));
        localizeTimes(box);
        box.hidden = false;
        link.setAttribute("aria-expanded", "true");
      })
      .catch(function () {});
  }

  // Delegated from the document: the group page replaces its history list as it updates.
  function inHistory(target) {
    const list = historyList();
    return list && target.closest && list.contains(target);
  }

  document.addEventListener("click", function (event) {
    if (!inHistory(event.target)) return;
    const edit = event.target.closest("a.edit-message");
    if (edit) {
      event.preventDefault();
      startEdit(edit.closest("li"));
      return;
    }
    const edited = event.target.closest("a.edited-link");
    if (edited) {
      event.preventDefault();
      toggleHistory(edited);
    }
  });

  // Reactions, the picker and delete for everyone: their forms post here and the row
  // comes back drawn again.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!inHistory(form) || !form.matches(".reaction-form, .delete form")) return;
    event.preventDefault();
    const row = form.closest("li");
    post(form.action, new FormData(form))
      .then(function (data) {
        replaceRow(data.html);
      })
      .catch(function (error) {
        showError(row, error.message);
      });
  });

  if (composer) {
    composer.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowUp" || composer.value !== "") return;
      if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      const row = lastEditable();
      if (!row) return;
      event.preventDefault();
      startEdit(row);
    });
  }

  ["message.edited", "message.deleted", "reaction"].forEach(function (type) {
    on(type, function (event) {
      const id = event.message_id || (event.message && event.message.id);
      if (id) refreshRow(id);
    });
  });
}
