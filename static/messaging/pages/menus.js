/*
 * Menus and confirm steps (<details>): Escape or a click elsewhere closes them.
 *
 * Each message's actions sit in a small menu whose button shows on hover, on focus, or
 * after a long press on a touch screen. The buttons of one conversation are a single
 * Tab stop: arrow keys move between them (a roving tabindex), so a long history does
 * not cost a Tab press per message.
 */

const LONG_PRESS_MS = 500;
const BUTTON = "summary.message-menu-button";
// A finger moving further than this is scrolling, not pressing.
const PRESS_SLOP_PX = 10;

let swallowClick = false;

export function closeMenus(except, returnFocus) {
  document.querySelectorAll("details[open]").forEach(function (details) {
    if (except && details.contains(except)) return;
    details.open = false;
    const summary = details.querySelector("summary");
    if (returnFocus && summary && details.contains(document.activeElement)) summary.focus();
  });
}

export function initMenus() {
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeMenus(null, true);
  });
  document.addEventListener(
    "click",
    function (event) {
      // The click that ends a long press must not close the menu it just opened.
      if (!swallowClick) return;
      swallowClick = false;
      event.preventDefault();
      event.stopPropagation();
    },
    true
  );
  document.addEventListener("click", function (event) {
    closeMenus(event.target, false);
  });
  // An opened menu or form is brought into view; a report form takes the focus.
  document.addEventListener(
    "toggle",
    function (event) {
      const details = event.target;
      if (!details.open || !details.closest || !details.closest(".message, .group-message")) return;
      const panel = details.querySelector(".menu, form");
      if (panel) panel.scrollIntoView({ block: "nearest" });
      const reason = details.matches(".report") && details.querySelector("textarea");
      if (reason) reason.focus({ preventScroll: true });
    },
    true
  );
}

/* --- one conversation's message menus -------------------------------------------------- */

export function rove(list) {
  // Exactly one button in the tab order: the one last used, else the newest.
  const buttons = list.querySelectorAll(BUTTON);
  if (!buttons.length) return;
  let current = Array.prototype.find.call(buttons, function (button) {
    return button.tabIndex === 0 && button.dataset.roving === "1";
  });
  if (!current) current = buttons[buttons.length - 1];
  buttons.forEach(function (button) {
    button.tabIndex = button === current ? 0 : -1;
  });
  current.dataset.roving = "1";
}

function moveTo(list, button) {
  list.querySelectorAll(BUTTON).forEach(function (other) {
    other.tabIndex = -1;
    delete other.dataset.roving;
  });
  button.tabIndex = 0;
  button.dataset.roving = "1";
  button.focus();
  button.closest(".message, .group-message").scrollIntoView({ block: "nearest" });
}

export function initMessageMenus(list) {
  const keys = { ArrowUp: -1, ArrowDown: 1, Home: -Infinity, End: Infinity };
  list.addEventListener("keydown", function (event) {
    const button = event.target.closest && event.target.closest(BUTTON);
    if (!button || !(event.key in keys)) return;
    const buttons = Array.prototype.slice.call(list.querySelectorAll(BUTTON));
    const step = keys[event.key];
    const index = Math.max(0, Math.min(buttons.length - 1, buttons.indexOf(button) + step));
    event.preventDefault();
    moveTo(list, buttons[index]);
  });
  list.addEventListener("focusin", function (event) {
    const button = event.target.closest && event.target.closest(BUTTON);
    if (button && button.tabIndex !== 0) moveTo(list, button);
  });

  let pressTimer = null;
  let start = null;
  function cancel() {
    clearTimeout(pressTimer);
    start = null;
  }
  list.addEventListener("pointerdown", function (event) {
    cancel();
    swallowClick = false;
    if (event.pointerType !== "touch") return;
    const row = event.target.closest(".message");
    const menu = row && row.querySelector("details.message-menu");
    if (!menu || event.target.closest("details, a, button, textarea")) return;
    start = { x: event.clientX, y: event.clientY };
    pressTimer = setTimeout(function () {
      closeMenus(menu, false);
      menu.open = true;
      swallowClick = true;
    }, LONG_PRESS_MS);
  });
  list.addEventListener("pointermove", function (event) {
    if (!start) return;
    if (Math.hypot(event.clientX - start.x, event.clientY - start.y) > PRESS_SLOP_PX) cancel();
  });
  ["pointerup", "pointercancel"].forEach(function (name) {
    list.addEventListener(name, cancel);
  });
  list.addEventListener("contextmenu", function (event) {
    // A long press on a message opens its menu, not the browser's.
    const row = event.target.closest(".message");
    if (row && row.querySelector("details.message-menu[open]") && !event.target.closest("a")) {
      event.preventDefault();
    }
  });
  rove(list);
}
