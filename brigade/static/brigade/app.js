/* Brigade Ops: progressive enhancement only; every page works without this file. */
(function () {
  "use strict";

  function feedback(message) {
    var box = document.getElementById("tally-feedback");
    if (box) {
      box.textContent = message;
      box.classList.add("text-danger");
    }
  }

  // A tap that did not reach the server must not look saved.
  document.addEventListener("htmx:sendError", function (event) {
    var section = event.target.closest("[data-network-error]");
    if (section) feedback(section.dataset.networkError);
  });
  document.addEventListener("htmx:responseError", function (event) {
    var section = event.target.closest("[data-network-error]");
    if (section) feedback(section.dataset.networkError);
  });

  // A Print button (data-print): the page's own print view, without an inline handler.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  // A short buzz confirms a tap when the phone supports it.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful && event.target.closest(".tally-row") && navigator.vibrate) {
      navigator.vibrate(15);
    }
  });

  /* Idempotency-Key (brigade/core/idempotency.py): every form a page renders carries a key of
     its own, so that a double click, or a resend of a request whose answer was lost, is
     carried out once and answered as the first time. A plain form sends it as the hidden
     field, htmx as the header. Once an answer arrives the form gets a new key: the next
     tap is a new request (a tally's +1 counts again). */
  var FIELD = "idempotency_key";
  var HEADER = "Idempotency-Key";

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  function isWrite(form) {
    var method = (form.getAttribute("method") || "get").toLowerCase();
    return method !== "get" || ["hx-post", "hx-put", "hx-patch", "hx-delete"].some(function (a) {
      return form.hasAttribute(a);
    });
  }

  function fieldOf(form) {
    var field = form.querySelector('input[name="' + FIELD + '"]');
    if (!field && isWrite(form)) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = FIELD;
      field.value = newKey();
      form.appendChild(field);
    }
    return field;
  }

  function keyForms(root) {
    if (!root || !root.querySelectorAll) return;
    if (root.tagName === "FORM") fieldOf(root);
    root.querySelectorAll("form").forEach(fieldOf);
  }

  // The element that holds a request's key: its form's field, else the element itself.
  function holderKey(elt, renew) {
    var form = elt.tagName === "FORM" ? elt : elt.closest("form") || elt.form;
    var field = form ? fieldOf(form) : null;
    if (field) {
      if (renew) field.value = newKey();
      return field.value;
    }
    if (renew || !elt.dataset.idempotencyKey) elt.dataset.idempotencyKey = newKey();
    return elt.dataset.idempotencyKey;
  }

  document.addEventListener("DOMContentLoaded", function () {
    keyForms(document);
  });
  // A page brought back by the Back button is shown again, not rendered again: its forms
  // get new keys, so that sending one again is a new request, not the old one's answer.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll('input[name="' + FIELD + '"]').forEach(function (field) {
      field.value = newKey();
    });
    document.querySelectorAll("[data-idempotency-key]").forEach(function (elt) {
      elt.dataset.idempotencyKey = newKey();
    });
  });
  document.addEventListener("htmx:load", function (event) {
    keyForms(event.detail.elt);
  });
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.verb === "get") return;
    event.detail.headers[HEADER] = holderKey(event.detail.elt, false);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    // no answer (the network failed): keep the key, so that a retry is a repeat
    if (!xhr || !xhr.status || event.detail.requestConfig.verb === "get") return;
    if (document.body.contains(event.detail.elt)) holderKey(event.detail.elt, true);
  });
  // A refusal of the key (brigade/core/idempotency.py) is shown, above the page's content.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.getResponseHeader("Idempotency-Refused")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
