/* Passkeys (WebAuthn): add one on /account, log in with one on /login and at the second step.
   The buttons arrive disabled with a note that they need JavaScript; this script enables
   them. The server sends the options as JSON (base64url for bytes) and gets the answer back
   the same way; it checks everything, this script only carries it. */
(function () {
  "use strict";
  var autofill = null; // {box, controller} of the pending autofill (conditional) request

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = atob(base64), bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer), binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function say(box, text) { box.querySelector(".passkey__note").textContent = text || ""; }

  function post(box, url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body || {}),
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRFToken": box.dataset.csrf}
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw {server: data.error || box.dataset.failed}; }
        return data;
      });
    });
  }

  function asJSON(credential) {
    var r = credential.response, out = {
      id: credential.id, rawId: toText(credential.rawId), type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: {clientDataJSON: toText(r.clientDataJSON)}
    };
    if (r.attestationObject) {
      out.response.attestationObject = toText(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = toText(r.authenticatorData);
      out.response.signature = toText(r.signature);
      if (r.userHandle) { out.response.userHandle = toText(r.userHandle); }
    }
    return out;
  }

  function ask(box, options, conditional) {
    options.challenge = toBytes(options.challenge);
    if (box.dataset.passkey === "register") {
      options.user.id = toBytes(options.user.id);
      (options.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
      return navigator.credentials.create({publicKey: options});
    }
    (options.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    var request = {publicKey: options};
    if (conditional) {
      autofill = {box: box, controller: new AbortController()};
      request.mediation = "conditional";
      request.signal = autofill.controller.signal;
    }
    return navigator.credentials.get(request);
  }

  function run(box, conditional) {
    var button = box.querySelector("button");
    if (!conditional) { button.disabled = true; say(box, box.dataset.waiting); }
    return post(box, box.dataset.options).then(function (options) {
      return ask(box, options, conditional);
    }).then(function (credential) {
      var name = box.querySelector("input[name=passkey_name]");
      return post(box, box.dataset.verify,
                  {credential: asJSON(credential), name: name ? name.value : ""});
    }).then(function (result) {
      window.location.assign(result.redirect);
    }).catch(function (error) {
      button.disabled = false;
      if (error && error.name === "AbortError") { return; }
      say(box, error && error.server ? error.server : box.dataset.cancelled);
    });
  }

  function stopAutofill() {
    if (autofill) { autofill.controller.abort(); autofill = null; }
  }

  function init() {
    if (autofill && !document.contains(autofill.box)) { stopAutofill(); }
    document.querySelectorAll("[data-passkey]").forEach(function (box) {
      if (box.dataset.ready) { return; }
      box.dataset.ready = "1";
      if (!window.PublicKeyCredential || !navigator.credentials) {
        say(box, box.dataset.unsupported);
        return;
      }
      var button = box.querySelector("button");
      button.disabled = false;
      say(box, "");
      button.addEventListener("click", function () { stopAutofill(); run(box, false); });
      if ("autofill" in box.dataset && PublicKeyCredential.isConditionalMediationAvailable) {
        PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
          if (available && !autofill) { run(box, true); }
        });
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  document.addEventListener("htmx:after:settle", init);
}());
