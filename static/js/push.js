/* The "turn on for this device" button on Mijn account > Meldingen.
 * It asks permission, registers /sw.js, subscribes with the portal's VAPID public key and
 * sends the subscription to the portal. Without JavaScript the button stays hidden.
 */
(function () {
  "use strict";

  function keyBytes(text) {
    var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function start() {
    var button = document.getElementById("notifications-turn-on");
    if (!button || button.dataset.ready) {
      return;
    }
    button.dataset.ready = "1";
    var status = document.getElementById("notifications-device-status");
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      status.textContent = button.dataset.unsupported;
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      status.textContent = "";
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") {
          throw new Error("denied");
        }
        return navigator.serviceWorker.register(button.dataset.worker, { scope: "/" });
      }).then(function () {
        return navigator.serviceWorker.ready;
      }).then(function (registration) {
        return registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(button.dataset.key)
        });
      }).then(function (subscription) {
        var json = subscription.toJSON();
        var body = new URLSearchParams();
        body.set("endpoint", json.endpoint);
        body.set("p256dh", json.keys.p256dh);
        body.set("auth", json.keys.auth);
        body.set("csrf_token", button.dataset.csrf);
        return fetch(button.dataset.action, {
          method: "POST", body: body, credentials: "same-origin",
          headers: { "X-CSRFToken": button.dataset.csrf }
        });
      }).then(function (response) {
        if (!response.ok) {
          throw new Error("refused");
        }
        return response.json();
      }).then(function (answer) {
        window.location.assign(answer.next);
      }).catch(function (error) {
        status.textContent = error && error.message === "denied"
          ? button.dataset.denied : button.dataset.failed;
        button.disabled = false;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", start);
  start();
})();
