/*
 * The service worker (served at /sw.js, scope "/"): shows the Web Push notifications the
 * notifications worker sends while no tab of the site is open, and opens or focuses the
 * conversation when one is clicked. The payload is JSON: {title, body, url, tag}; the
 * url is a path of this site, and nothing else is opened.
 */

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function readPayload(event) {
  try {
    return event.data ? event.data.json() : {};
  } catch (error) {
    return {};
  }
}

function samePath(url) {
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//") ? url : "/messages";
}

self.addEventListener("push", function (event) {
  const payload = readPayload(event);
  const title = typeof payload.title === "string" ? payload.title : "New message";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof payload.body === "string" ? payload.body : "",
      tag: typeof payload.tag === "string" ? payload.tag : undefined,
      data: { url: samePath(payload.url) },
    }),
  );
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  const target = new URL(samePath(event.notification.data && event.notification.data.url), self.location.origin);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      for (const client of windows) {
        if (new URL(client.url).pathname === target.pathname && "focus" in client) {
          return client.focus();
        }
      }
      return self.clients.openWindow(target.href);
    }),
  );
});
