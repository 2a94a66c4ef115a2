/* The duty page: the bar's End opens the end form in place and brings its confirm button
   into view (without this file the link jumps to the form's summary, one tap more); the end
   form sent back with a question or an error is brought into view as the page opens. */
(function () {
  "use strict";

  function bringIntoView(details) {
    var target = details.querySelector("[type=submit]") || details;
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-open-details]");
    if (!link) return;
    var details = document.getElementById(link.dataset.openDetails);
    if (!details) return;
    event.preventDefault();
    details.open = true;
    bringIntoView(details);
  });

  function showAnswer() {
    var details = document.getElementById("end-patrol");
    if (details && details.open) bringIntoView(details);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showAnswer);
  } else {
    showAnswer();
  }
})();
