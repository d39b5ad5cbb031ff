/*
 * AlumUnity Messaging pages: local times, live updates, the optimistic composer.
 * Loaded as an ES module (no build step); each part lives in pages/.
 *
 * Every fragment of user text arrives rendered (and escaped) by the server; these
 * scripts only ever put user text on the page through textContent.
 *
 * Live updates poll every 2 seconds. When the WebSocket client (realtime.js) has its
 * socket open it sets <html data-socket="open"> and dispatches DOM events named after
 * the event types ("messaging:message.new", ...); polling then pauses and those events
 * trigger the same small fetches instead.
 */

import { rememberZone } from "./pages/core.js";
import { initConversation } from "./pages/conversation.js";
import { initEditing } from "./pages/editing.js";
import { initGroup } from "./pages/group.js";
import { initConversations } from "./pages/list.js";
import { initMenus, initMessageMenus } from "./pages/menus.js";
import { initNotifications } from "./pages/notify.js";
import { localizeTimes } from "./pages/times.js";

function start() {
  rememberZone();
  initMenus();
  initNotifications();
  localizeTimes(document.body);
  document.body.addEventListener("htmx:load", function (event) {
    localizeTimes(event.target);
  });
  const page = document.body.dataset.page;
  if (page === "conversations") initConversations();
  const chat = document.getElementById("chat");
  if (page === "conversation" && chat) initConversation(chat);
  const group = document.getElementById("group");
  if (page === "group" && group) initGroup(group);
  if (document.querySelector("[data-message-base]")) {
    // The group page's menus move with the arrow keys as the one-to-one page's do.
    if (page === "group" && group) initMessageMenus(group);
    initEditing(document.getElementById("message-text") || document.getElementById("group-text"));
  }
}

// A module runs after the document is parsed.
start();
