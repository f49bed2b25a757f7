/* schoolportal push handlers, for importScripts() in the service worker at /sw.js (scope "/").
 *
 * The server sends (encrypted with aes128gcm, RFC 8291) a JSON payload:
 *   {"title": "Nieuw in Groep 1/2A", "body": "Schoolreisje", "url": "/posts/12", "tag": "n42"}
 * "url" is a path inside the portal; anything not on this origin opens "/". A tap focuses an
 * open portal window and navigates it there, or opens a new window.
 */
(function () {
  "use strict";
  var ICON = "/static/icons/favicon.svg";

  function targetOf(data) {
    var url = null;
    try {
      url = new URL((data && data.url) || "/", self.location.origin);
    } catch (error) {
      url = null;
    }
    return url && url.origin === self.location.origin ? url.href : self.location.origin + "/";
  }

  function show(data) {
    data = data || {};
    return self.registration.showNotification(data.title || "schoolportal", {
      body: data.body || "",
      tag: data.tag || "",
      icon: ICON,
      badge: ICON,
      data: { url: targetOf(data) }
    });
  }

  function openWindow(url) {
    return self.clients.openWindow(url);
  }

  function open(notification) {
    var url = (notification && notification.data && notification.data.url) || targetOf(null);
    return self.clients.matchAll({ type: "window" }).then(function (windows) {
      var here = windows.filter(function (client) {
        return new URL(client.url).origin === self.location.origin;
      });
      if (!here.length) {
        return openWindow(url);
      }
      var client = here[0];
      return client.navigate(url).then(function (navigated) {
        var shown = navigated || client;
        return shown.focus().catch(function () { return shown; });
      }, function () {
        return openWindow(url);
      });
    });
  }

  self.addEventListener("push", function (event) {
    var data;
    try {
      data = event.data ? event.data.json() : {};
    } catch (error) {
      data = { title: event.data.text() };
    }
    event.waitUntil(show(data));
  });

  self.addEventListener("notificationclick", function (event) {
    event.notification.close();
    event.waitUntil(open(event.notification));
  });

  // For the browser tests (and the real worker of the phone issue): the same functions.
  self.schoolportalPush = { show: show, open: open };
})();
