/* The duty page: the bar's End opens the end form in place and brings its confirm button
   into view (without this file the link jumps to the form's summary, one tap more). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-open-details]");
    if (!link) return;
    var details = document.getElementById(link.dataset.openDetails);
    if (!details) return;
    event.preventDefault();
    details.open = true;
    var target = details.querySelector("[type=submit]") || details;
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  });
})();
