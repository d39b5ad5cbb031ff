/*
 * One conversation: rows from the server (new messages, older pages), read receipts,
 * the other member's status and typing, and the socket's events. The view stays pinned
 * to the newest message unless the reader has scrolled up.
 */

import { coalesced, fragment, isLoginRedirect, on, poller, processHtmx, setUnreadTotal } from "./core.js";
import { initComposer } from "./composer.js";
import { initMessageMenus, rove } from "./menus.js";
import { localizeTimes, separateDays } from "./times.js";

// Without a fresh signal, "is typing…" ends by itself after this long.
const TYPING_SHOW_MS = 6000;
const NEAR_BOTTOM_PX = 80;
const LOAD_OLDER_PX = 150;
const STATUS_LABELS = {
  online: "Online",
  away: "Away",
  do_not_disturb: "Do not disturb",
  offline: "Offline",
};

function createView(chat) {
  const scroller = document.getElementById("scroller");
  const list = document.getElementById("message-list");
  const newBelow = document.getElementById("new-below");
  const view = {
    chat: chat,
    list: list,
    scroller: scroller,
    otherId: chat.dataset.otherId,
    stickToBottom: true,
    nearBottom: function () {
      return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
    },
    scrollToBottom: function () {
      scroller.scrollTop = scroller.scrollHeight;
      newBelow.hidden = true;
    },
    removeEmpty: function () {
      const empty = document.getElementById("empty-conversation");
      if (empty && list.querySelector("li.message")) empty.remove();
    },
    afterInsert: function (root) {
      processHtmx(root);
      localizeTimes(root);
      separateDays(list);
      rove(list);
      view.removeEmpty();
    },
  };
  return view;
}

function markRead(ids) {
  ids.forEach(function (id) {
    const row = document.getElementById("message-" + id);
    if (!row || row.dataset.read !== "0") return;
    row.dataset.read = "1";
    const receipt = row.querySelector(".receipt");
    if (receipt) {
      receipt.textContent = "✓✓";
      receipt.classList.add("is-read");
      receipt.setAttribute("aria-label", "Read");
      receipt.title = "Read";
    }
  });
}

function presenceHeader(chat, statusLine) {
  function syncDot() {
    // The header avatar's dot follows the status line's state (status-online, ...).
    const line = statusLine.querySelector(".status");
    const avatar = chat.querySelector(".chat-header .avatar");
    if (!line || !avatar) return;
    const state = Array.prototype.find.call(line.classList, function (name) {
      return name !== "status" && name.indexOf("status-") === 0;
    });
    let dot = avatar.querySelector(".presence-dot");
    if (!dot) {
      dot = document.createElement("span");
      avatar.append(dot);
    }
    dot.className = "presence-dot " + (state || "status-offline");
  }
  return {
    fromHtml: function (html) {
      statusLine.innerHTML = html;
      localizeTimes(statusLine);
      syncDot();
    },
    fromEvent: function (status, lastSeenAt) {
      const span = document.createElement("span");
      span.className = "status status-" + status;
      if (status === "offline" && lastSeenAt) {
        span.append("Last seen ");
        const time = document.createElement("time");
        time.setAttribute("datetime", lastSeenAt);
        time.dataset.format = "relative";
        span.append(time);
      } else {
        span.textContent = STATUS_LABELS[status] || "Offline";
      }
      statusLine.replaceChildren(span);
      localizeTimes(statusLine);
      syncDot();
    },
  };
}

function typingIndicator(line) {
  let timer = null;
  return function show(isTyping) {
    clearTimeout(timer);
    line.hidden = !isTyping;
    if (isTyping) {
      timer = setTimeout(function () {
        line.hidden = true;
      }, TYPING_SHOW_MS);
    }
  };
}

export function initConversation(chat) {
  const view = createView(chat);
  const list = view.list;
  const scroller = view.scroller;
  const otherId = view.otherId;
  const liveRegion = document.getElementById("live-region");
  const newBelow = document.getElementById("new-below");
  const showTyping = typingIndicator(document.getElementById("typing"));
  const status = presenceHeader(chat, document.getElementById("chat-status"));
  const composer = initComposer(view);
  let loadingOlder = false;
  separateDays(list);
  initMessageMenus(list);
  // A report answered in place replaces its menu: the focus goes to the answer, and the
  // menus' one Tab stop to a menu that is still there.
  list.addEventListener("htmx:load", function (event) {
    if (!event.target.matches || !event.target.matches(".reported")) return;
    event.target.focus();
    rove(list);
  });

  function lastShownId() {
    const rows = list.querySelectorAll("li[data-message-id]");
    return rows.length ? rows[rows.length - 1].dataset.messageId : "";
  }

  function insertRows(html, announce) {
    let added = 0;
    fragment(html)
      .querySelectorAll("li[data-message-id]")
      .forEach(function (row) {
        if (document.getElementById(row.id)) return;
        const pending = row.dataset.clientId && composer.findPending(row.dataset.clientId);
        if (pending) pending.replaceWith(row);
        else list.insertBefore(row, list.querySelector("li.pending"));
        view.afterInsert(row);
        added += 1;
        if (announce && row.classList.contains("theirs")) {
          const text = row.querySelector(".text");
          liveRegion.textContent = chat.dataset.otherName + ": " + (text ? text.textContent : "");
        }
      });
    if (added) {
      if (view.stickToBottom) view.scrollToBottom();
      else newBelow.hidden = false;
    }
    return added;
  }

  function updatesQuery() {
    const params = new URLSearchParams();
    const after = lastShownId();
    if (after) params.set("after", after);
    const unread = Array.prototype.map.call(
      list.querySelectorAll('li[data-mine="1"][data-read="0"]'),
      function (row) {
        return row.dataset.messageId;
      }
    );
    if (unread.length) params.set("unread", unread.slice(-100).join(","));
    if (document.visibilityState === "visible") params.set("seen", "1");
    return params.toString();
  }

  const fetchUpdates = coalesced(function () {
    if (chat.dataset.live !== "1") return;
    return fetch(chat.dataset.updatesUrl + "?" + updatesQuery(), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      if (isLoginRedirect(response) || response.status === 404) {
        // Logged out, or the history changed under us (deleted on another device).
        window.location.reload();
        return;
      }
      if (!response.ok) return;
      return response.json().then(function (data) {
        // Typing first: the typist's message ends it, in the same frame that shows it.
        showTyping(Boolean(data.typing));
        insertRows(data.html, true);
        markRead(Object.keys(data.read || {}));
        status.fromHtml(data.status_html);
        setUnreadTotal(data.unread_total);
      });
    });
  });

  /* older messages on scroll-up, keeping the reader's place */

  function rowsFrom(query) {
    const url = window.location.pathname + "?" + query;
    return fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" }).then(
      function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text().then(fragment);
      }
    );
  }

  function loadOlder() {
    const link = list.querySelector("a.load-older");
    if (!link || loadingOlder) return;
    loadingOlder = true;
    const first = list.querySelector("li[data-message-id]");
    rowsFrom("before=" + encodeURIComponent(first ? first.dataset.messageId : ""))
      .then(function (rows) {
        const heightBefore = scroller.scrollHeight;
        const topBefore = scroller.scrollTop;
        const firstNew = rows.querySelector("li[data-message-id]");
        rows.querySelectorAll("li.day-separator").forEach(function (separator) {
          separator.remove();
        });
        link.closest("li").replaceWith(rows);
        view.afterInsert(list);
        scroller.scrollTop = topBefore + (scroller.scrollHeight - heightBefore);
        if (firstNew && link === document.activeElement) firstNew.setAttribute("tabindex", "-1");
      })
      .catch(function () {})
      .then(function () {
        loadingOlder = false;
      });
  }

  scroller.addEventListener("scroll", function () {
    view.stickToBottom = view.nearBottom();
    if (view.stickToBottom) newBelow.hidden = true;
    if (scroller.scrollTop < LOAD_OLDER_PX) loadOlder();
  });
  list.addEventListener("click", function (event) {
    if (event.target.closest("a.load-older")) {
      event.preventDefault();
      loadOlder();
    }
  });
  newBelow.addEventListener("click", function () {
    view.stickToBottom = true;
    view.scrollToBottom();
    composer.focus();
  });
  // Whatever changes size (a font, the composer growing, a banner), the newest message
  // stays in view while the reader is at the bottom.
  const pin = new ResizeObserver(function () {
    if (view.stickToBottom) view.scrollToBottom();
  });
  pin.observe(scroller);
  pin.observe(list);

  /* the socket's events, when realtime.js delivers them */

  function restore(row) {
    // A moderator restored it: the server draws it again (its links included), from the
    // page around it, since a restore is rare.
    rowsFrom("message=" + encodeURIComponent(row.dataset.messageId))
      .then(function (rows) {
        const fresh = rows.getElementById(row.id);
        if (!fresh || !row.isConnected) return;
        fresh.classList.remove("is-highlighted");
        row.replaceWith(fresh);
        view.afterInsert(fresh);
      })
      .catch(function () {});
  }

  on("message.new", function (event) {
    const message = event.message || {};
    // Another conversation's message still changes the unread total in the header.
    if (message.sender_id === otherId) showTyping(false);
    const shown = document.getElementById("message-" + message.id);
    if (shown && !message.hidden) return restore(shown);
    fetchUpdates();
  });
  on("message.read", function (event) {
    if (event.reader_id === otherId) markRead((event.message_ids || []).map(String));
  });
  on("message.hidden", function (event) {
    const row = document.getElementById("message-" + event.message_id);
    if (!row) return;
    row.classList.add("is-hidden");
    const text = row.querySelector(".text");
    if (text) text.textContent = chat.dataset.removedText;
    row.querySelectorAll(".attachment, details.message-menu").forEach(function (element) {
      element.remove();
    });
    rove(list);
  });
  on("typing", function (event) {
    if (event.user_id === otherId) showTyping(event.is_typing !== false);
  });
  on("presence", function (event) {
    if (event.user_id === otherId) status.fromEvent(event.status, event.last_seen_at);
  });
  on("conversation.deleted", function (event) {
    if (String(event.conversation_id) === chat.dataset.conversationId) window.location.reload();
  });

  /* start: at the highlighted message, or at the newest */

  const highlighted = chat.dataset.highlight && document.getElementById("message-" + chat.dataset.highlight);
  if (highlighted) {
    view.stickToBottom = false;
    highlighted.scrollIntoView({ block: "center" });
    highlighted.setAttribute("tabindex", "-1");
    highlighted.focus({ preventScroll: true });
  } else {
    view.scrollToBottom();
    if (composer.isEmpty()) composer.focus();
  }

  const polling = poller(fetchUpdates);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") polling.now();
  });
}
