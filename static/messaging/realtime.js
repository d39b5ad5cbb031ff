/*
 * AlumUnity Messaging WebSocket client.
 *
 * Connects to /ws/messages/ with the session cookie and turns every server event into a
 * DOM event on `document`: {"type": "message.new", ...} becomes a CustomEvent named
 * "messaging:message.new" whose `detail` is the event itself. While the socket is open
 * <html data-socket="open"> tells the pages to pause their polling; when it is not,
 * data-socket="closed" and they poll. After a reconnect it dispatches
 * "messaging:reconnected" so a page fetches what it missed (?after=<last id>).
 *
 * window.messagingSocket.send({type: "typing", to_user_id: "..."}) and
 * send({type: "read", message_id: 42}) return false when the socket is not open (the
 * page then uses the REST endpoints).
 */
(function () {
  "use strict";

  var PING_MS = 25000;
  // Without input for this long (or with the tab hidden) pings say "idle", and the
  // server turns the member "away" after its own inactivity window.
  var IDLE_MS = 60000;
  var BACKOFF_FIRST_MS = 1000;
  var BACKOFF_MAX_MS = 30000;
  // Close codes after which retrying cannot help: signed out / expired, or not allowed.
  var FINAL_CODES = { 4401: true, 4403: true };

  var root = document.documentElement;
  var socket = null;
  var attempts = 0;
  var everOpened = false;
  var stopped = false;
  var pingTimer = null;
  var retryTimer = null;
  var lastInputAt = Date.now();

  function dispatch(type, detail) {
    document.dispatchEvent(new CustomEvent("messaging:" + type, { detail: detail }));
  }

  function setState(state) {
    root.dataset.socket = state;
  }

  function url() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + "/ws/messages/";
  }

  function isIdle() {
    return document.visibilityState !== "visible" || Date.now() - lastInputAt > IDLE_MS;
  }

  function send(message) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  function ping() {
    send(isIdle() ? { type: "ping", idle: true } : { type: "ping" });
  }

  function scheduleReconnect() {
    if (stopped) return;
    // Exponential backoff with jitter, so a restarted server is not hit by every tab at once.
    var ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * Math.pow(2, attempts));
    attempts += 1;
    retryTimer = setTimeout(connect, ceiling / 2 + Math.random() * (ceiling / 2));
  }

  function connect() {
    clearTimeout(retryTimer);
    if (stopped || (socket && socket.readyState <= WebSocket.OPEN)) return;
    try {
      socket = new WebSocket(url());
    } catch (error) {
      setState("closed");
      return scheduleReconnect();
    }

    socket.addEventListener("open", function () {
      attempts = 0;
      setState("open");
      ping();
      clearInterval(pingTimer);
      pingTimer = setInterval(ping, PING_MS);
      if (everOpened) dispatch("reconnected", {});
      everOpened = true;
    });

    socket.addEventListener("message", function (message) {
      var event;
      try {
        event = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (event && typeof event.type === "string") dispatch(event.type, event);
    });

    socket.addEventListener("close", function (event) {
      clearInterval(pingTimer);
      socket = null;
      setState("closed");
      if (FINAL_CODES[event.code]) {
        stopped = true;
        dispatch("closed", { code: event.code });
        return;
      }
      scheduleReconnect();
    });
  }

  ["keydown", "pointerdown", "touchstart", "scroll"].forEach(function (name) {
    window.addEventListener(
      name,
      function () {
        var wasIdle = Date.now() - lastInputAt > IDLE_MS;
        lastInputAt = Date.now();
        if (wasIdle) ping();
      },
      { passive: true, capture: true }
    );
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      lastInputAt = Date.now();
      // A laptop waking up: reconnect now rather than after the backoff.
      if (!socket) {
        attempts = 0;
        connect();
      } else {
        ping();
      }
    } else {
      ping();
    }
  });

  window.addEventListener("online", function () {
    if (!socket) {
      attempts = 0;
      connect();
    }
  });

  window.messagingSocket = {
    send: send,
    isOpen: function () {
      return !!socket && socket.readyState === WebSocket.OPEN;
    },
  };

  setState("closed");
  connect();
})();
