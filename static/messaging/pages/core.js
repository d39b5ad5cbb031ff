/*
 * What every page script shares: requests to this server, fragments from it, the unread
 * total, and live updates that poll until the WebSocket client (realtime.js) is open.
 */

const POLL_MS = 2000;
// The server draws day separators in this zone from the first paint (see times.js).
const ZONE_COOKIE = "tz";
const YEAR_SECONDS = 365 * 24 * 3600;

export function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"] || "";
  } catch (error) {
    return "";
  }
}

export function socketOpen() {
  return document.documentElement.dataset.socket === "open";
}

export function fragment(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  return template.content;
}

export function processHtmx(element) {
  if (window.htmx && element) window.htmx.process(element);
}

export function isLoginRedirect(response) {
  return response.redirected && response.url.indexOf("/accounts/login/") !== -1;
}

export function rememberZone() {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  document.cookie =
    ZONE_COOKIE + "=" + encodeURIComponent(zone) + "; path=/; max-age=" + YEAR_SECONDS + "; samesite=lax";
}

/* --- unread total in the header and the title ------------------------------------------ */

export function setUnreadTotal(total) {
  total = parseInt(total, 10) || 0;
  const badge = document.getElementById("unread-total");
  if (badge) {
    badge.textContent = String(total);
    badge.setAttribute("aria-label", total + " unread");
    badge.classList.toggle("is-empty", total === 0);
  }
  const title = document.title.replace(/^\(\d+\)\s*/, "");
  document.title = total ? "(" + total + ") " + title : title;
}

/* --- polling that steps aside while the socket is open --------------------------------- */

export function poller(tick) {
  let timer = null;
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

export function coalesced(fetcher) {
  // At most one request in flight; a call during it runs once more afterwards.
  let inflight = null;
  let again = false;
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

/* Socket events arrive as DOM events named after their type ("messaging:message.new"). */
export function on(type, handler) {
  document.addEventListener("messaging:" + type, function (event) {
    handler(event.detail || {});
  });
}
