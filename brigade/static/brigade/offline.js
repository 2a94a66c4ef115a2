/* The duty page offline (brigade/duty/offline.py): a tap made without a connection is kept
   on the phone (IndexedDB, idb-keyval) and shown at once as "waiting to send"; the waiting
   actions are sent in order when the connection returns (the online event, every 30 s and
   the Send now button), each with the Idempotency-Key it was given when it was made, so a
   resend after a lost answer is a repeat, never a second record. Each carries the time it
   was made on the phone. A patrol started offline has a local id until its start is sent;
   the actions after it are sent to the server's patrol then. What the server refuses (the
   patrol ended elsewhere, a shift cancelled) goes to a "not sent" list with its message,
   until the officer discards it; a session that expired keeps the queue until sign-in.
   All text is set as text, never as markup. */
(function () {
  "use strict";

  var QUEUE = "brigade-ops-queue";
  var FAILED = "brigade-ops-failed";
  var IDS = "brigade-ops-patrol-ids";
  var RETRY_MS = 30000;
  var store = window.idbKeyval;
  var panel = null;
  var sending = false;

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  function cookie(name) {
    var found = document.cookie.split("; ").filter(function (part) {
      return part.indexOf(name + "=") === 0;
    })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }

  function label(name) {
    return (panel && panel.dataset["label" + name.charAt(0).toUpperCase() + name.slice(1)]) || name;
  }

  function load(key) {
    return store.get(key).then(function (value) {
      return value || [];
    });
  }

  function timeOf(iso) {
    var at = new Date(iso);
    return ("0" + at.getHours()).slice(-2) + ":" + ("0" + at.getMinutes()).slice(-2);
  }

  // --- the queue ------------------------------------------------------------------------

  /* Add an action; consecutive taps on one counter of one patrol, none of them tried yet,
     are one request carrying their sum (the tally API takes a delta) and the first tap's
     time. */
  function enqueue(action) {
    return store
      .update(QUEUE, function (queue) {
        queue = queue || [];
        var last = queue[queue.length - 1];
        if (
          action.type === "tally" &&
          last &&
          last.type === "tally" &&
          !last.attempts &&
          last.patrol === action.patrol &&
          last.data.kind === action.data.kind
        ) {
          last.data.delta += action.data.delta;
          if (last.data.delta === 0) queue.pop();
          return queue;
        }
        queue.push(action);
        return queue;
      })
      .then(render);
  }

  function action(type, patrol, data) {
    return {
      id: newKey(),
      key: newKey(),
      type: type,
      patrol: patrol,
      data: data,
      at: new Date().toISOString(),
      attempts: 0,
    };
  }

  // A page's form (a hazard report with its photos, an assistance event) goes to the page
  // that would have taken it, as the browser would have sent it, with the session's
  // current CSRF token (the one in the copy shown offline may be older).
  function sendForm(item) {
    var body = new FormData();
    item.data.fields.forEach(function (pair) {
      if (pair[0] === "csrfmiddlewaretoken") return;
      if (pair[1] instanceof Blob) body.append(pair[0], pair[1], pair[2] || "photo");
      else body.append(pair[0], pair[1]);
    });
    body.append("csrfmiddlewaretoken", cookie("csrftoken"));
    return fetch(item.data.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Idempotency-Key": item.key },
      body: body,
    }).then(function (response) {
      var landed = new URL(response.url, window.location.href);
      if (response.redirected && landed.pathname.indexOf(panel.dataset.login) === 0) {
        return { ok: false, status: 401 };
      }
      if (response.ok && !response.redirected) {
        // the page came back with the form's errors
        return { ok: false, status: 400, json: function () { return Promise.resolve({ detail: label("formError") }); } };
      }
      return response;
    });
  }

  function request(item, patrolId) {
    if (item.type === "form") return sendForm(item);
    var api = panel.dataset.api;
    var body = {};
    var url;
    if (item.type === "start") {
      url = api;
      Object.keys(item.data).forEach(function (name) {
        if (item.data[name] !== "") body[name] = item.data[name];
      });
      body.started_at = item.at;
    } else if (item.type === "tally") {
      url = api + patrolId + "/tally/";
      body = { kind: item.data.kind, delta: item.data.delta, at: item.at };
    } else if (item.type === "checkin") {
      url = api + patrolId + "/check-in/";
      if (item.data.post) body.post = item.data.post;
      body.at = item.at;
    } else {
      url = api + patrolId + "/end/";
      body = { ended_at: item.at };
    }
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": cookie("csrftoken"),
        "Idempotency-Key": item.key,
      },
      body: JSON.stringify(body),
    });
  }

  function messageOf(response) {
    return response
      .json()
      .then(function (body) {
        if (body && typeof body.detail === "string") return body.detail;
        var parts = [];
        Object.keys(body || {}).forEach(function (field) {
          var value = body[field];
          parts.push([].concat(value).join(" "));
        });
        return parts.join(" ") || label("error");
      })
      .catch(function () {
        return label("error");
      });
  }

  function fail(item, message) {
    return store
      .update(FAILED, function (failed) {
        failed = failed || [];
        item.message = message;
        failed.push(item);
        return failed;
      })
      .then(function () {
        return store.update(QUEUE, function (queue) {
          return (queue || []).filter(function (other) {
            return other.id !== item.id;
          });
        });
      });
  }

  /* Send the waiting actions, in order, one at a time. Stops at the first that gets no
     answer (kept, tried again later) or a refused session; a refusal of the action itself
     moves it to the "not sent" list and the next one goes. */
  function flush() {
    if (sending || !navigator.onLine || !panel) return Promise.resolve();
    sending = true;
    panel.dataset.sending = "1";
    var sent = 0;
    setStatus(label("sending"));

    function next() {
      return Promise.all([load(QUEUE), store.get(IDS)]).then(function (loaded) {
        var queue = loaded[0];
        var ids = loaded[1] || {};
        if (!queue.length) return;
        var item = queue[0];
        var patrolId = item.patrol;
        if (item.type !== "start" && item.type !== "form" && String(patrolId).indexOf("local-") === 0) {
          patrolId = ids[item.patrol];
          if (!patrolId) return fail(item, label("depends")).then(next);
        }
        item.attempts += 1;
        return store
          .update(QUEUE, function (stored) {
            (stored || []).forEach(function (one) {
              if (one.id === item.id) one.attempts = item.attempts;
            });
            return stored;
          })
          .then(function () {
            return request(item, patrolId);
          })
          .then(
            function (response) {
              if (response.ok) {
                sent += 1;
                var done = Promise.resolve();
                if (item.type === "start") {
                  done = response.json().then(function (patrol) {
                    return store.update(IDS, function (map) {
                      map = map || {};
                      map[item.patrol] = patrol.id;
                      return map;
                    });
                  });
                }
                return done
                  .then(function () {
                    return store.update(QUEUE, function (stored) {
                      return (stored || []).filter(function (one) {
                        return one.id !== item.id;
                      });
                    });
                  })
                  .then(next);
              }
              if (response.status === 401 || response.status === 403) {
                showLogin(true);
                return;
              }
              if (response.status >= 500 || [408, 425, 429].indexOf(response.status) >= 0) {
                return; // no outcome: the same request (same key) goes again later
              }
              return messageOf(response).then(function (message) {
                return fail(item, message).then(next);
              });
            },
            function () {
              // no answer (the connection dropped): kept with its key, tried again later
            }
          );
      });
    }

    return next()
      .catch(function () {})
      .then(function () {
        sending = false;
        delete panel.dataset.sending;
        return Promise.all([load(QUEUE), load(FAILED)]);
      })
      .then(function (lists) {
        setStatus("");
        if (sent && !lists[0].length && isDutyPage()) {
          // the server's state, now that it has every action
          window.location.reload();
          return;
        }
        return render();
      });
  }

  function isDutyPage() {
    return window.location.pathname === panel.dataset.duty;
  }

  // --- what the page shows --------------------------------------------------------------

  function setStatus(text) {
    var status = panel && panel.querySelector("[data-role=status]");
    if (!status) return;
    if (!text && !navigator.onLine) text = label("offline");
    status.textContent = text;
  }

  function showLogin(show) {
    panel.querySelector("[data-role=login]").hidden = !show;
    if (show) panel.hidden = false;
  }

  function describe(item) {
    var what = item.type === "form" ? item.data.label : label(item.type);
    if (item.type === "tally") {
      var row = document.querySelector('[data-testid="tally-row-' + item.data.kind + '"] .tally-label');
      what = (row ? row.textContent.trim() : item.data.kind) + " " + (item.data.delta > 0 ? "+" : "") + item.data.delta;
    }
    return what;
  }

  function currentPatrol(queue) {
    var server = panel.dataset.patrolId;
    var ended = {};
    queue.forEach(function (item) {
      if (item.type === "end") ended[item.patrol] = true;
    });
    var current = server && !ended[server] ? server : null;
    var startItem = null;
    queue.forEach(function (item) {
      if (item.type === "start" && !ended[item.patrol]) {
        current = item.patrol;
        startItem = item;
      }
    });
    return { id: current, start: startItem, serverEnded: !!(server && ended[server]) };
  }

  function applyTallies(container, queue, patrol) {
    var totals = {};
    queue.forEach(function (item) {
      if (item.type === "tally" && item.patrol === patrol) {
        totals[item.data.kind] = (totals[item.data.kind] || 0) + item.data.delta;
      }
    });
    var sum = 0;
    container.querySelectorAll("output.tally-count").forEach(function (output) {
      var kind = output.dataset.kind || output.id.replace("tally-count-", "");
      if (output.dataset.serverCount === undefined) output.dataset.serverCount = output.textContent.trim();
      var count = parseInt(output.dataset.serverCount, 10) + (totals[kind] || 0);
      output.textContent = String(Math.max(count, 0));
      output.classList.toggle("text-warning-emphasis", !!totals[kind]);
      sum += Math.max(count, 0);
    });
    var total = document.getElementById("tally-total");
    if (total && container.id === "server-patrol") total.textContent = String(sum);
  }

  function checkinOf(queue, patrol) {
    var found = null;
    queue.forEach(function (item) {
      if (item.type === "checkin" && item.patrol === patrol) found = item;
    });
    return found;
  }

  function renderPatrol(queue) {
    var state = currentPatrol(queue);
    var serverView = document.getElementById("server-patrol");
    var startView = document.getElementById("server-start");
    var slot = document.getElementById("offline-patrol");
    var template = document.getElementById("offline-patrol-template");
    if (serverView) {
      serverView.hidden = state.serverEnded;
      var bar = document.querySelector(".duty-bar");
      if (bar) bar.hidden = state.serverEnded;
      if (!state.serverEnded) {
        applyTallies(serverView, queue, panel.dataset.patrolId);
        var checked = checkinOf(queue, panel.dataset.patrolId);
        var status = serverView.querySelector("[data-testid=checkin-status]");
        if (checked && status) status.textContent = label("checkin") + " " + timeOf(checked.at) + " · " + label("waiting");
      }
    }
    if (!slot || !template) return;
    var local = state.id && state.start ? state.id : null;
    if (startView) startView.hidden = !!local;
    if (!local) {
      slot.replaceChildren();
      return;
    }
    if (slot.dataset.patrol !== local) {
      slot.replaceChildren(template.content.cloneNode(true));
      slot.dataset.patrol = local;
      slot.querySelectorAll("form[data-offline]").forEach(function (form) {
        form.dataset.patrol = local;
      });
    }
    slot.querySelector("[data-role=mode]").textContent = state.start.data.modeLabel || "";
    slot.querySelector("[data-role=since]").textContent = timeOf(state.start.at);
    applyTallies(slot, queue, local);
    var checked = checkinOf(queue, local);
    if (checked) {
      slot.querySelector("[data-role=checkin]").textContent = label("checkin") + " " + timeOf(checked.at) + " · " + label("waiting");
    }
  }

  function render() {
    if (!panel) return Promise.resolve();
    return Promise.all([load(QUEUE), load(FAILED)]).then(function (lists) {
      var queue = lists[0];
      var failed = lists[1];
      renderPatrol(queue);
      panel.querySelector("[data-role=count]").textContent = String(queue.length);
      var list = panel.querySelector("[data-role=list]");
      list.replaceChildren();
      queue.forEach(function (item) {
        var li = document.createElement("li");
        li.textContent = describe(item) + " · " + timeOf(item.at) + " · " + label("waiting");
        li.dataset.testid = "queue-item";
        list.appendChild(li);
      });
      var box = panel.querySelector("[data-role=failed-box]");
      var failedList = panel.querySelector("[data-role=failed]");
      var itemTemplate = panel.querySelector("[data-role=failed-item]");
      failedList.replaceChildren();
      failed.forEach(function (item) {
        var li = itemTemplate.content.firstElementChild.cloneNode(true);
        li.querySelector("[data-role=what]").textContent = describe(item);
        li.querySelector("[data-role=when]").textContent = timeOf(item.at);
        li.querySelector("[data-role=message]").textContent = item.message || "";
        li.querySelector("[data-role=discard]").dataset.discard = item.id;
        failedList.appendChild(li);
      });
      box.hidden = !failed.length;
      var loginShown = !panel.querySelector("[data-role=login]").hidden;
      panel.hidden = !queue.length && !failed.length && !loginShown;
      panel.querySelector("[data-role=send]").hidden = !queue.length;
      setStatus("");
    });
  }

  // --- taps -----------------------------------------------------------------------------

  function serverPatrol() {
    return panel.dataset.patrolId;
  }

  function kindOf(form) {
    if (form.dataset.offline) return form.dataset.offline;
    if (form.id === "start-form") return "start";
    if (form.id === "check-in-form") return "checkin";
    return null;
  }

  function modeLabel(form, value) {
    var input = form.querySelector('input[name="mode"][value="' + CSS.escape(value) + '"]');
    var text = input && form.querySelector('label[for="' + CSS.escape(input.id) + '"]');
    return text ? text.textContent.trim() : value;
  }

  function onSubmit(event) {
    var form = event.target;
    if (!panel || !(form instanceof HTMLFormElement)) return;
    var type = kindOf(form);
    if (!type) return;
    var local = form.getAttribute("action") === "#";
    if (navigator.onLine && !local && !panel.dataset.waiting) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    if (type === "form") {
      enqueueForm(form);
      return;
    }
    var data = new FormData(form);
    var patrol = form.dataset.patrol || serverPatrol();
    if (type === "start") {
      var mode = String(data.get("mode") || "");
      enqueue(
        action("start", "local-" + newKey(), {
          mode: mode,
          modeLabel: modeLabel(form, mode),
          shift: String(data.get("shift") || ""),
          post: String(data.get("post") || ""),
          zone: String(data.get("zone") || ""),
          campaign: String(data.get("campaign") || ""),
          weather: String(data.get("weather") || ""),
        })
      );
    } else if (type === "tally") {
      enqueue(action("tally", patrol, { kind: String(data.get("kind")), delta: parseInt(data.get("delta"), 10) }));
    } else if (type === "checkin") {
      enqueue(action("checkin", patrol, { post: String(data.get("post") || "") }));
    } else if (type === "end") {
      enqueue(action("end", patrol, {}));
    }
    var details = document.getElementById("end-patrol");
    if (details) details.open = false;
  }

  function localNow() {
    var now = new Date();
    now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
    return now.toISOString().slice(0, 16);
  }

  function enqueueForm(form) {
    // a time left as the page proposed it is the time of the tap, not of the copy shown
    form.querySelectorAll("input[type=datetime-local]").forEach(function (input) {
      if (input.value === input.defaultValue) input.value = localNow();
    });
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "idempotency_key") return;
      if (value instanceof File) {
        if (value.size) fields.push([name, value.slice(0, value.size, value.type), value.name]);
      } else {
        fields.push([name, value]);
      }
    });
    var item = action("form", null, {
      url: form.action || window.location.href,
      label: form.dataset.offlineLabel || document.title,
      fields: fields,
    });
    enqueue(item).then(function () {
      form.reset();
      setStatus(label("saved"));
    });
  }

  function onClick(event) {
    var discard = event.target.closest("[data-discard]");
    if (discard) {
      var id = discard.dataset.discard;
      store
        .update(FAILED, function (failed) {
          return (failed || []).filter(function (item) {
            return item.id !== id;
          });
        })
        .then(render);
      return;
    }
    if (event.target.closest("#offline-queue [data-role=send]")) flush();
  }

  function rememberWaiting() {
    // whether anything waits, known synchronously at the next tap (order is kept: a tap
    // made online while older actions wait joins the queue behind them)
    return load(QUEUE).then(function (queue) {
      if (queue.length) panel.dataset.waiting = "1";
      else delete panel.dataset.waiting;
    });
  }

  function keepThisPage() {
    // the page the service worker will show offline: this copy, as soon as it can
    if (!("serviceWorker" in navigator) || !window.caches) return Promise.resolve();
    return navigator.serviceWorker
      .register(panel.dataset.sw, { scope: "/" })
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(function () {
        if (!navigator.onLine) return;
        return caches.open("brigade-ops-pages").then(function (cache) {
          return fetch(window.location.pathname, { credentials: "same-origin" }).then(function (response) {
            if (response.ok && !response.redirected) return cache.put(window.location.pathname, response);
          });
        });
      })
      .catch(function () {});
  }

  function start() {
    panel = document.getElementById("offline-queue");
    if (!panel || !store) return;
    document.addEventListener("submit", onSubmit, true);
    document.addEventListener("click", onClick);
    window.addEventListener("online", function () {
      render().then(flush);
    });
    window.addEventListener("offline", function () {
      setStatus("");
    });
    window.setInterval(flush, RETRY_MS);
    var oldRender = render;
    render = function () {
      return oldRender().then(rememberWaiting);
    };
    Promise.all([render(), keepThisPage()]).then(function () {
      document.documentElement.dataset.offlineReady = "1";
      return flush();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
