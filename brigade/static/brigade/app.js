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

  // A short buzz confirms a tap when the phone supports it.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful && event.target.closest(".tally-row") && navigator.vibrate) {
      navigator.vibrate(15);
    }
  });
})();
