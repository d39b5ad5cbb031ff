/* The conversations list: kept fresh by polling or socket events, and the New-message panel. */

import { coalesced, fragment, isLoginRedirect, on, poller, processHtmx, setUnreadTotal } from "./core.js";
import { localizeTimes } from "./times.js";

function replaceList(html) {
  const current = document.getElementById("conversation-list");
  if (!current || current.querySelector("details[open]")) return;
  const focusedId = document.activeElement && document.activeElement.id;
  const replacement = fragment(html).firstElementChild;
  if (!replacement) return;
  current.replaceWith(replacement);
  processHtmx(replacement);
  localizeTimes(replacement);
  setUnreadTotal(replacement.dataset.unreadTotal);
  if (focusedId && document.getElementById(focusedId)) {
    document.getElementById(focusedId).focus();
  }
}

export function initConversations() {
  const refresh = coalesced(function () {
    const list = document.getElementById("conversation-list");
    if (!list || list.dataset.live !== "1") return;
    // Never pull the rug from under an open confirm step.
    if (list.querySelector("details[open]")) return;
    const url = "/messages?seen=" + encodeURIComponent(list.dataset.fingerprint || "");
    return fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" }).then(
      function (response) {
        if (isLoginRedirect(response)) return window.location.reload();
        if (response.status !== 200) return;
        return response.text().then(replaceList);
      }
    );
  });
  const polling = poller(refresh);
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
    const close = event.target.closest("[data-close-picker]");
    if (!close) return;
    const panel = document.getElementById("picker-panel");
    if (!panel || !panel.contains(close)) return;
    event.preventDefault();
    panel.innerHTML = "";
    const button = document.getElementById("new-message-button");
    if (button) button.focus();
  });
}
