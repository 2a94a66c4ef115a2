// The clerk's queue: keyboard shortcuts, the side panel, reply templates, the undo of a close.
// j/k move between rows, Enter opens the row in the side panel, a runs the row's next
// action, s signs, c closes, u undoes a close just made, r goes to the reply box,
// / searches, Esc closes the panel.
(function () {
  "use strict";

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("tr.queue-row"));
  }

  var current = -1;

  // The empty panel's text (and the shortcuts' help), put back when a ticket is closed.
  var sidePanel = document.getElementById("ticket-panel");
  var placeholder = sidePanel ? sidePanel.innerHTML : "";
  function clearPanel() {
    var panel = document.getElementById("ticket-panel");
    if (panel) panel.innerHTML = placeholder;
  }

  function select(index) {
    var all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row, i) {
      row.classList.toggle("table-active", i === current);
    });
    all[current].focus();
  }

  function openPanel(row) {
    if (!row || !window.htmx) return;
    window.htmx.ajax("GET", row.dataset.panelUrl, { target: "#ticket-panel", swap: "innerHTML" });
  }

  function typing(event) {
    var el = event.target;
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }

  function clickIn(scope, selector) {
    var button = scope && scope.querySelector(selector);
    if (button) {
      button.click();
      return true;
    }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape") {
      if (typing(event)) {
        event.target.blur();
        return;
      }
      clearPanel();
      return;
    }
    if (typing(event)) return;
    var all = rows();
    var row = all[current];
    var panel = document.getElementById("ticket-panel");
    switch (event.key) {
      case "j":
        select(current + 1);
        break;
      case "k":
        select(current - 1);
        break;
      case "Enter":
        openPanel(row);
        break;
      case "a":
        clickIn(row, "[data-action]");
        break;
      case "s":
        if (!clickIn(panel, "[data-shortcut='s']")) clickIn(row, "[data-action='sign']");
        break;
      case "c":
        if (!clickIn(panel, "[data-shortcut='c']")) clickIn(row, "[data-action='close']");
        break;
      case "u":
        if (!clickIn(panel, "[data-shortcut='u']")) clickIn(document, "[data-shortcut='u']");
        break;
      case "r":
        var box = panel && panel.querySelector("[data-shortcut-focus='r']");
        if (box) box.focus();
        else openPanel(row);
        break;
      case "/":
        var search = document.getElementById("queue-search");
        if (search) search.focus();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var template = event.target.closest("[data-template]");
    if (template) {
      var box = document.getElementById(template.dataset.target);
      if (box) {
        box.value = template.dataset.template;
        box.focus();
      }
      return;
    }
    if (event.target.closest("[data-panel-close]")) clearPanel();
  });

  // The undo of a close: counts its seconds down (from what the server said was left),
  // then goes away; the server refuses a late undo anyway (409).
  function countDown(scope) {
    var boxes = (scope || document).querySelectorAll("[data-undo-seconds]");
    Array.prototype.forEach.call(boxes, function (box) {
      if (box.dataset.counting) return;
      box.dataset.counting = "1";
      var end = Date.now() + parseInt(box.dataset.undoSeconds, 10) * 1000;
      var left = box.querySelector("[data-undo-left]");
      var timer = window.setInterval(function () {
        var seconds = Math.ceil((end - Date.now()) / 1000);
        if (seconds <= 0 || !box.isConnected) {
          window.clearInterval(timer);
          box.remove();
          return;
        }
        if (left) left.textContent = String(seconds);
      }, 250);
    });
  }
  countDown(document);
  document.body.addEventListener("htmx:afterSwap", function (event) {
    countDown(event.detail.target);
  });

  // The side panel sits below the sticky navbar, whatever its height (queue.css).
  var navbar = document.querySelector("nav.navbar");
  function measure() {
    if (navbar) {
      document.documentElement.style.setProperty("--navbar-height", navbar.offsetHeight + "px");
    }
  }
  measure();
  if (navbar && window.ResizeObserver) new window.ResizeObserver(measure).observe(navbar);

  // After an action in the panel, reload the queue's rows so the order stays right.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id === "ticket-panel" && event.detail.requestConfig.verb === "post") {
      var done = event.detail.target.querySelector("[data-testid='panel-done']");
      if (done) {
        window.htmx.ajax("GET", window.location.href, { target: "[data-testid='ticket-table'] tbody", select: "[data-testid='ticket-table'] tbody", swap: "outerHTML" });
      }
    }
  });
})();

// A refused action (409: another clerk moved the ticket first; 400: a field to fix)
// answers with the panel and its message: show it rather than drop it as an error.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  var target = event.detail.target;
  if ((status === 400 || status === 409) && target && target.closest("#ticket-panel")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
