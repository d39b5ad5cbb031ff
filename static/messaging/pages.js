/*
 * AlumUnity Messaging pages: local times, live updates, the optimistic composer.
 *
 * Every fragment of user text arrives rendered (and escaped) by the server; this script
 * only ever puts user text on the page through textContent.
 *
 * Live updates poll every 2 seconds. When the WebSocket client (realtime.js) has its
 * socket open it sets <html data-socket="open"> and dispatches DOM events named after
 * the SPEC §4 event types ("messaging:message.new", ...); polling then pauses and those
 * events trigger the same small fetches instead.
 */
(function () {
  "use strict";

  var POLL_MS = 2000;
  var TYPING_SEND_MS = 3000;
  var TYPING_SHOW_MS = 6000;
  var REMOVED_TEXT = "Message removed by a moderator";
  var STATUS_LABELS = {
    online: "Online",
    away: "Away",
    do_not_disturb: "Do not disturb",
    offline: "Offline",
  };

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function socketOpen() {
    return document.documentElement.dataset.socket === "open";
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function processHtmx(element) {
    if (window.htmx && element) window.htmx.process(element);
  }

  function isLoginRedirect(response) {
    return response.redirected && response.url.indexOf("/accounts/login/") !== -1;
  }

  /* --- times in the reader's zone ------------------------------------------------------ */

  var timeOnly = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  var weekday = new Intl.DateTimeFormat(undefined, { weekday: "short" });
  var dayMonth = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
  var fullDate = new Intl.DateTimeFormat(undefined, {
    day: "numeric",
    month: "short",
    year: "numeric",
  });
  var longForm = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });
  var longDay = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long" });
  var longDayOfYear = new Intl.DateTimeFormat(undefined, { dateStyle: "full" });

  function sameDay(a, b) {
    return a.toDateString() === b.toDateString();
  }

  function formatMoment(date, style) {
    var now = new Date();
    // In a conversation the day separators carry the date.
    if (style === "time") return timeOnly.format(date);
    if (sameDay(date, now)) return timeOnly.format(date);
    var yesterday = new Date(now);
    yesterday.setDate(now.getDate() - 1);
    if (sameDay(date, yesterday)) return "Yesterday";
    if (now - date < 6 * 24 * 3600 * 1000) return weekday.format(date);
    if (date.getFullYear() === now.getFullYear()) return dayMonth.format(date);
    return fullDate.format(date);
  }

  function localizeTimes(root) {
    if (!root || !root.querySelectorAll) return;
    root.querySelectorAll("time[datetime]").forEach(function (element) {
      var date = new Date(element.getAttribute("datetime"));
      if (isNaN(date)) return;
      element.textContent = formatMoment(date, element.dataset.format);
      element.title = longForm.format(date);
    });
  }

  /* --- day separators in a conversation, in the reader's zone ----------------------------- */

  function dayName(date) {
    var now = new Date();
    if (sameDay(date, now)) return "Today";
    var yesterday = new Date(now);
    yesterday.setDate(now.getDate() - 1);
    if (sameDay(date, yesterday)) return "Yesterday";
    return date.getFullYear() === now.getFullYear() ? longDay.format(date) : longDayOfYear.format(date);
  }

  // Rebuilt whole after every change to the list: rows arrive at both ends, and the
  // reader's day boundaries are known only here.
  function separateDays(list) {
    list.querySelectorAll("li.day-separator").forEach(function (element) {
      element.remove();
    });
    var previous = null;
    list.querySelectorAll("li.message").forEach(function (row) {
      var time = row.querySelector("time[datetime]");
      var date = time ? new Date(time.getAttribute("datetime")) : new Date(); // pending: now
      if (isNaN(date)) return;
      if (!previous || !sameDay(previous, date)) {
        var separator = document.createElement("li");
        separator.className = "day-separator";
        var label = document.createElement("span");
        label.textContent = dayName(date);
        separator.append(label);
        row.before(separator);
      }
      previous = date;
    });
  }

  /* --- unread total in the header and the title ------------------------------------------ */

  function setUnreadTotal(total) {
    total = parseInt(total, 10) || 0;
    var badge = document.getElementById("unread-total");
    if (badge) {
      badge.textContent = String(total);
      badge.setAttribute("aria-label", total + " unread");
      badge.classList.toggle("is-empty", total === 0);
    }
    var title = document.title.replace(/^\(\d+\)\s*/, "");
    document.title = total ? "(" + total + ") " + title : title;
  }

  /* --- polling that steps aside while the socket is open --------------------------------- */

  function poller(tick) {
    var timer = null;
    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(run, POLL_MS);
    }
    function run() {
      if (socketOpen()) return schedule();
      Promise.resolve(tick()).then(schedule, schedule);
    }
    schedule();
    // When the socket comes up, one fetch fills whatever happened in between.
    new MutationObserver(function () {
      if (socketOpen()) tick();
    }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-socket"] });
    return { now: tick };
  }

  function coalesced(fetcher) {
    // At most one request in flight; a call during it runs once more afterwards.
    var inflight = null;
    var again = false;
    return function run() {
      if (inflight) {
        again = true;
        return inflight;
      }
      inflight = Promise.resolve()
        .then(fetcher)
        .catch(function () {})
        .then(function () {
          inflight = null;
          if (again) {
            again = false;
            return run();
          }
        });
      return inflight;
    };
  }

  function on(type, handler) {
    document.addEventListener("messaging:" + type, function (event) {
      handler(event.detail || {});
    });
  }

  /* --- conversations list ------------------------------------------------------------------ */

  function initConversations() {
    var refresh = coalesced(function () {
      var list = document.getElementById("conversation-list");
      if (!list || list.dataset.live !== "1") return;
      // Never pull the rug from under an open confirm step.
      if (list.querySelector("details[open]")) return;
      var url = "/messages?seen=" + encodeURIComponent(list.dataset.fingerprint || "");
      return fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" }).then(
        function (response) {
          if (isLoginRedirect(response)) return window.location.reload();
          if (response.status !== 200) return;
          return response.text().then(function (html) {
            var current = document.getElementById("conversation-list");
            if (!current || current.querySelector("details[open]")) return;
            var focusedId = document.activeElement && document.activeElement.id;
            var replacement = fragment(html).firstElementChild;
            if (!replacement) return;
            current.replaceWith(replacement);
            processHtmx(replacement);
            localizeTimes(replacement);
            setUnreadTotal(replacement.dataset.unreadTotal);
            if (focusedId && document.getElementById(focusedId)) {
              document.getElementById(focusedId).focus();
            }
          });
        }
      );
    });
    var polling = poller(refresh);
    ["message.new", "message.read", "message.hidden", "conversation.deleted", "presence"].forEach(
      function (type) {
        on(type, function () {
          polling.now();
        });
      }
    );
    // A delete (htmx) asks for fresh totals through this trigger.
    document.body.addEventListener("conversations-changed", function () {
      polling.now();
    });

    document.addEventListener("click", function (event) {
      var close = event.target.closest("[data-close-picker]");
      if (!close) return;
      var panel = document.getElementById("picker-panel");
      if (!panel || !panel.contains(close)) return;
      event.preventDefault();
      panel.innerHTML = "";
      var button = document.getElementById("new-message-button");
      if (button) button.focus();
    });
  }

  /* --- one conversation --------------------------------------------------------------------- */

  function initConversation(chat) {
    var otherId = chat.dataset.otherId;
    var otherName = chat.dataset.otherName;
    var scroller = document.getElementById("scroller");
    var list = document.getElementById("message-list");
    var form = document.getElementById("composer");
    var textarea = document.getElementById("message-text");
    var errorBox = document.getElementById("composer-error");
    var typingLine = document.getElementById("typing");
    var statusLine = document.getElementById("chat-status");
    var liveRegion = document.getElementById("live-region");
    var newBelow = document.getElementById("new-below");
    var sendUrl = form.getAttribute("action");
    var stickToBottom = true;
    var typingTimer = null;
    var lastTypingSent = 0;
    var loadingOlder = false;
    separateDays(list);

    function nearBottom() {
      return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
    }

    function scrollToBottom() {
      scroller.scrollTop = scroller.scrollHeight;
      newBelow.hidden = true;
    }

    function afterInsert(root) {
      processHtmx(root);
      localizeTimes(root);
      separateDays(list);
      var empty = document.getElementById("empty-conversation");
      if (empty && list.querySelector("li.message")) empty.remove();
    }

    /* rows from the server: new messages, confirmations, older pages */

    function lastShownId() {
      var rows = list.querySelectorAll("li[data-message-id]");
      return rows.length ? rows[rows.length - 1].dataset.messageId : "";
    }

    function insertRows(html, announce) {
      var incoming = fragment(html).querySelectorAll("li[data-message-id]");
      var added = 0;
      incoming.forEach(function (row) {
        if (document.getElementById(row.id)) return;
        var clientId = row.dataset.clientId;
        var pending = clientId && findPending(clientId);
        if (pending) {
          pending.replaceWith(row);
        } else {
          list.insertBefore(row, list.querySelector("li.pending"));
        }
        afterInsert(row);
        added += 1;
        if (announce && row.classList.contains("theirs")) {
          var text = row.querySelector(".text");
          liveRegion.textContent = otherName + ": " + (text ? text.textContent : "");
        }
      });
      if (added) {
        if (stickToBottom) scrollToBottom();
        else newBelow.hidden = false;
      }
      return added;
    }

    function markRead(ids) {
      ids.forEach(function (id) {
        var row = document.getElementById("message-" + id);
        if (!row || row.dataset.read !== "0") return;
        row.dataset.read = "1";
        var receipt = row.querySelector(".receipt");
        if (receipt) {
          receipt.textContent = "✓✓";
          receipt.classList.add("is-read");
          receipt.setAttribute("aria-label", "Read");
          receipt.title = "Read";
        }
      });
    }

    function showTyping(isTyping) {
      clearTimeout(typingTimer);
      typingLine.hidden = !isTyping;
      if (isTyping) {
        typingTimer = setTimeout(function () {
          typingLine.hidden = true;
        }, TYPING_SHOW_MS);
      }
    }

    function syncPresenceDot() {
      // The header avatar's dot follows the status line's state (status-online, ...).
      var line = statusLine.querySelector(".status");
      var avatar = chat.querySelector(".chat-header .avatar");
      if (!line || !avatar) return;
      var state = Array.prototype.find.call(line.classList, function (name) {
        return name !== "status" && name.indexOf("status-") === 0;
      });
      var dot = avatar.querySelector(".presence-dot");
      if (!dot) {
        dot = document.createElement("span");
        avatar.append(dot);
      }
      dot.className = "presence-dot " + (state || "status-offline");
    }

    function showStatus(status, lastSeenAt) {
      var span = document.createElement("span");
      span.className = "status status-" + status;
      if (status === "offline" && lastSeenAt) {
        span.append("Last seen ");
        var time = document.createElement("time");
        time.setAttribute("datetime", lastSeenAt);
        time.dataset.format = "relative";
        span.append(time);
      } else {
        span.textContent = STATUS_LABELS[status] || "Offline";
      }
      statusLine.replaceChildren(span);
      localizeTimes(statusLine);
      syncPresenceDot();
    }

    var fetchUpdates = coalesced(function () {
      if (chat.dataset.live !== "1") return;
      var params = new URLSearchParams();
      var after = lastShownId();
      if (after) params.set("after", after);
      var unread = Array.prototype.map.call(
        list.querySelectorAll('li[data-mine="1"][data-read="0"]'),
        function (row) {
          return row.dataset.messageId;
        }
      );
      if (unread.length) params.set("unread", unread.slice(-100).join(","));
      if (document.visibilityState === "visible") params.set("seen", "1");
      return fetch(chat.dataset.updatesUrl + "?" + params.toString(), {
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
          insertRows(data.html, true);
          markRead(Object.keys(data.read || {}));
          statusLine.innerHTML = data.status_html;
          localizeTimes(statusLine);
          syncPresenceDot();
          showTyping(Boolean(data.typing));
          setUnreadTotal(data.unread_total);
        });
      });
    });

    /* older messages on scroll-up, keeping the reader's place */

    function loadOlder() {
      var link = list.querySelector("a.load-older");
      if (!link || loadingOlder) return;
      loadingOlder = true;
      fetch(link.href, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          var heightBefore = scroller.scrollHeight;
          var topBefore = scroller.scrollTop;
          var rows = fragment(html);
          var firstNew = rows.querySelector("li[data-message-id]");
          link.closest("li").replaceWith(rows);
          afterInsert(list);
          scroller.scrollTop = topBefore + (scroller.scrollHeight - heightBefore);
          if (firstNew && link === document.activeElement) firstNew.setAttribute("tabindex", "-1");
        })
        .catch(function () {})
        .then(function () {
          loadingOlder = false;
        });
    }

    scroller.addEventListener("scroll", function () {
      stickToBottom = nearBottom();
      if (stickToBottom) newBelow.hidden = true;
      if (scroller.scrollTop < 150) loadOlder();
    });
    list.addEventListener("click", function (event) {
      if (event.target.closest("a.load-older")) {
        event.preventDefault();
        loadOlder();
      }
    });
    newBelow.addEventListener("click", function () {
      stickToBottom = true;
      scrollToBottom();
      textarea.focus();
    });

    /* the composer: optimistic send, confirmation or failure with a retry */

    function findPending(clientId) {
      return Array.prototype.find.call(list.querySelectorAll("li.pending"), function (row) {
        return row.dataset.clientId === clientId;
      });
    }

    function pendingRow(text, clientId) {
      var row = document.createElement("li");
      row.className = "message mine pending";
      row.dataset.clientId = clientId;
      var bubble = document.createElement("div");
      bubble.className = "bubble";
      var paragraph = document.createElement("p");
      paragraph.className = "text";
      paragraph.textContent = text;
      bubble.append(paragraph);
      var state = document.createElement("p");
      state.className = "send-state";
      state.setAttribute("role", "status");
      row.append(bubble, state);
      row._text = text;
      return row;
    }

    function setSendState(row, label, withActions) {
      var state = row.querySelector(".send-state");
      state.replaceChildren(label);
      if (!withActions) return;
      var retry = document.createElement("button");
      retry.type = "button";
      retry.className = "link-button";
      retry.textContent = "Retry";
      retry.addEventListener("click", function () {
        post(row);
      });
      var edit = document.createElement("button");
      edit.type = "button";
      edit.className = "link-button";
      edit.textContent = "Edit";
      edit.addEventListener("click", function () {
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
      var confirmed = fragment(data.html).firstElementChild;
      row.replaceWith(confirmed);
      afterInsert(confirmed);
      if (stickToBottom) scrollToBottom();
    }

    function failSend(row, status, message) {
      errorBox.textContent = message || "Your message could not be sent. Please try again.";
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
      var body = new FormData();
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
          failSend(row, 0, "You seem to be offline. The message was not sent; retry when you are back.");
        });
    }

    function autosize() {
      textarea.style.height = "auto";
      textarea.style.height = Math.min(textarea.scrollHeight + 2, window.innerHeight * 0.4) + "px";
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = textarea.value;
      if (!text.trim()) return;
      var clientId = window.crypto && window.crypto.randomUUID ? window.crypto.randomUUID() : String(Date.now()) + Math.random();
      var row = pendingRow(text, clientId);
      list.append(row);
      separateDays(list);
      var empty = document.getElementById("empty-conversation");
      if (empty) empty.remove();
      textarea.value = "";
      autosize();
      stickToBottom = true;
      scrollToBottom();
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
      var now = Date.now();
      if (!textarea.value.trim() || now - lastTypingSent < TYPING_SEND_MS) return;
      lastTypingSent = now;
      var socket = window.messagingSocket;
      if (socket && socket.send({ type: "typing", to_user_id: otherId })) return;
      fetch(chat.dataset.typingUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() },
      }).catch(function () {});
    });

    /* the socket's events, when realtime.js delivers them */

    function concernsThisConversation(message) {
      return message && (message.sender_id === otherId || message.recipient_id === otherId);
    }

    on("message.new", function (event) {
      // Another conversation's message still changes the unread total in the header.
      if (concernsThisConversation(event.message) && event.message.sender_id === otherId) {
        showTyping(false);
      }
      // A message already shown arrives again when a moderator restores it.
      var shown = document.getElementById("message-" + event.message.id);
      if (shown && !event.message.hidden) {
        shown.classList.remove("is-hidden");
        var shownText = shown.querySelector(".text");
        if (shownText) shownText.textContent = event.message.message_text;
        return;
      }
      fetchUpdates();
    });
    on("message.read", function (event) {
      if (event.reader_id === otherId) markRead((event.message_ids || []).map(String));
    });
    on("message.hidden", function (event) {
      var row = document.getElementById("message-" + event.message_id);
      if (!row) return;
      row.classList.add("is-hidden");
      var text = row.querySelector(".text");
      if (text) text.textContent = REMOVED_TEXT;
      row.querySelectorAll(".attachment, details.report").forEach(function (element) {
        element.remove();
      });
    });
    on("typing", function (event) {
      if (event.user_id === otherId) showTyping(event.is_typing !== false);
    });
    on("presence", function (event) {
      if (event.user_id === otherId) showStatus(event.status, event.last_seen_at);
    });
    on("conversation.deleted", function (event) {
      if (String(event.conversation_id) === chat.dataset.conversationId) window.location.reload();
    });

    /* start: at the highlighted message, or at the newest */

    var highlighted = chat.dataset.highlight && document.getElementById("message-" + chat.dataset.highlight);
    if (highlighted) {
      stickToBottom = false;
      highlighted.scrollIntoView({ block: "center" });
      highlighted.setAttribute("tabindex", "-1");
      highlighted.focus({ preventScroll: true });
    } else {
      scrollToBottom();
    }
    autosize();
    if (!highlighted && !textarea.value) textarea.focus({ preventScroll: true });

    var polling = poller(fetchUpdates);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") polling.now();
    });
  }

  /* --- start ------------------------------------------------------------------------------ */

  /* --- menus and confirm steps (<details>): Escape or a click elsewhere closes them --- */

  function closeMenus(except, returnFocus) {
    document.querySelectorAll("details[open]").forEach(function (details) {
      if (except && details.contains(except)) return;
      details.open = false;
      var summary = details.querySelector("summary");
      if (returnFocus && summary && details.contains(document.activeElement)) summary.focus();
    });
  }

  function start() {
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") closeMenus(null, true);
    });
    document.addEventListener("click", function (event) {
      closeMenus(event.target, false);
    });
    localizeTimes(document.body);
    document.body.addEventListener("htmx:load", function (event) {
      localizeTimes(event.target);
    });
    var page = document.body.dataset.page;
    if (page === "conversations") initConversations();
    var chat = document.getElementById("chat");
    if (page === "conversation" && chat) initConversation(chat);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
