/* WebAuthn on the hosted pages: run navigator.credentials.get/create with the options the
 * server put on the form (data-options, JSON with base64url fields), then post the credential
 * back as JSON in the form's hidden "credential" field. */
"use strict";

(function () {
  function fromBase64url(text) {
    let b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) {
      b64 += "=";
    }
    const binary = atob(b64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    const bytes = new Uint8Array(buffer);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 1) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return Object.assign({}, item, { id: fromBase64url(item.id) });
    });
  }

  function requestOptions(options) {
    return Object.assign({}, options, {
      challenge: fromBase64url(options.challenge),
      allowCredentials: descriptors(options.allowCredentials),
    });
  }

  function creationOptions(options) {
    return Object.assign({}, options, {
      challenge: fromBase64url(options.challenge),
      user: Object.assign({}, options.user, { id: fromBase64url(options.user.id) }),
      excludeCredentials: descriptors(options.excludeCredentials),
    });
  }

  function credentialJson(credential) {
    const r = credential.response;
    const response = { clientDataJSON: toBase64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toBase64url(r.attestationObject);
      if (typeof r.getTransports === "function") {
        response.transports = r.getTransports();
      }
    }
    if (r.authenticatorData) {
      response.authenticatorData = toBase64url(r.authenticatorData);
      response.signature = toBase64url(r.signature);
      if (r.userHandle) {
        response.userHandle = toBase64url(r.userHandle);
      }
    }
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: response,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults
        ? credential.getClientExtensionResults()
        : {},
    };
  }

  function failure(error, creating) {
    if (error && error.name === "NotAllowedError") {
      return "The request was cancelled or timed out. Try again when you are ready.";
    }
    if (error && error.name === "InvalidStateError" && creating) {
      return "This authenticator is already registered for your account.";
    }
    if (error && error.name === "SecurityError") {
      return "This site cannot use security keys or passkeys at this address.";
    }
    return "Your browser could not complete the request. Try again, or use another method.";
  }

  function setUp(form) {
    const creating = form.dataset.webauthn === "create";
    const options = JSON.parse(form.dataset.options);
    const status = form.querySelector("[role=status]");
    const alert = form.querySelector(".alert-error");
    const button = form.querySelector("[data-webauthn-start]");

    function showError(text) {
      status.textContent = "";
      alert.textContent = text;
      alert.hidden = false;
      button.disabled = false;
      button.focus();
    }

    if (!window.PublicKeyCredential || !navigator.credentials) {
      showError("This browser cannot use security keys or passkeys. Use another method.");
      button.hidden = true;
      return;
    }

    async function ceremony() {
      button.disabled = true;
      alert.hidden = true;
      status.textContent = "Follow the instructions from your browser…";
      try {
        const credential = creating
          ? await navigator.credentials.create({ publicKey: creationOptions(options) })
          : await navigator.credentials.get({ publicKey: requestOptions(options) });
        form.elements.credential.value = JSON.stringify(credentialJson(credential));
        status.textContent = "Checking…";
        form.submit();
      } catch (error) {
        showError(failure(error, creating));
      }
    }

    button.hidden = false;
    button.addEventListener("click", ceremony);
    if (form.dataset.autostart === "1") {
      ceremony();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-webauthn]").forEach(setUp);
  });
})();
