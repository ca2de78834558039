/* Pantau's outbox: field reports and problems kept on the phone while there is no signal, and
   sent when it returns, each with its client_id, so that the server stores each exactly once.

   One file for two places:
   - the service worker imports it (importScripts) for the core: the outbox in IndexedDB and
     `sync()`, which Background Sync calls;
   - the report and problem forms, and a field user's home page, load it for the page part too:
     it takes over the form's submit, shows how many wait (#outbox-count), and sends on load,
     on the `online` event and on a timer that backs off.

   The protocol with the server is described in pantau/web/outbox.py: the form goes as multipart
   FormData with the headers X-Pantau-Outbox ("page" when the person waits for it, "queue" from
   the outbox), X-Pantau-Outbox-User and X-CSRFToken (from the csrftoken cookie). An item leaves
   the phone only when the server answers JSON naming its client_id: a login page, a captive
   portal or an error page never counts as delivered. Since the server stores a client_id once,
   sending an item twice (an answer lost on the way, two tabs) never makes two reports.

   IndexedDB: database "pantau", store "outbox", key client_id. An item:
     {client_id, kind: "report" | "problem", url: "/laporan/baru/", user: "desa-3513012001",
      entries: [[name, string or File]], summary: "Desa Ngadisari · Aman", saved_at: ms,
      labels: {name: the field's label on the form}, state: "waiting" | "failed", tries: n,
      error: null | the server's refusal in the API's error shape {detail, code, fields}}
   `fields` name the fields as they were posted; the list shows each by the label kept with
   the item (the page showing the list may not have that form).
   A failed item (the server refused its content: 4xx other than 403 and 429) is never dropped
   by the script: it stays, with the server's message, until the person deletes it.

   No library; no inline handlers (a strict CSP may come). Exposed as `PantauOutbox`. */
(function (global) {
  "use strict";

  var DB_NAME = "pantau";
  var STORE = "outbox";
  var LOCK = "pantau-outbox";
  var SYNC_TAG = "pantau-outbox";
  var SEND_TIMEOUT = 120000; // ms for one background send (photos on a slow line)

  // ---- The outbox in IndexedDB -------------------------------------------------------------

  var dbPromise = null;

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = global.indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore(STORE, { keyPath: "client_id" });
        };
        request.onsuccess = function () {
          var db = request.result;
          db.onversionchange = function () {
            db.close();
            dbPromise = null;
          };
          resolve(db);
        };
        request.onerror = function () {
          dbPromise = null;
          reject(request.error);
        };
      });
    }
    return dbPromise;
  }

  // One transaction on the store; resolves with the result of `work`'s request once the
  // transaction is committed (a put is on disk when this resolves).
  function transact(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var request = work(tx.objectStore(STORE));
        tx.oncomplete = function () {
          resolve(request ? request.result : undefined);
        };
        tx.onerror = tx.onabort = function () {
          reject(tx.error || new Error("IndexedDB"));
        };
      });
    });
  }

  function put(item) {
    return transact("readwrite", function (store) { return store.put(item); });
  }

  function remove(clientId) {
    return transact("readwrite", function (store) { return store.delete(clientId); });
  }

  function get(clientId) {
    return transact("readonly", function (store) { return store.get(clientId); });
  }

  function all() {
    return transact("readonly", function (store) { return store.getAll(); }).then(function (items) {
      return (items || []).sort(function (a, b) { return a.saved_at - b.saved_at; });
    });
  }

  // Tell the other tabs (and the pages, when the worker sent something) to redraw.
  var channel = global.BroadcastChannel ? new BroadcastChannel(LOCK) : null;

  function changed() {
    if (channel) channel.postMessage("changed");
  }

  // ---- Sending -------------------------------------------------------------------------------

  function uuid() {
    if (global.crypto && global.crypto.randomUUID) return global.crypto.randomUUID();
    // Older browsers: a version-4 UUID from getRandomValues (also outside secure contexts).
    var b = global.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); });
    h = h.join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  // Django's CSRF token, from its cookie: always the current one, also for an item saved under
  // an older login. The worker has no document.cookie; it reads the Cookie Store where there is
  // one (Chrome), else sends none and the page sends the item instead.
  function csrfToken() {
    if (global.document) {
      var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
      return Promise.resolve(match ? decodeURIComponent(match[1]) : "");
    }
    if (global.cookieStore) {
      return global.cookieStore.get("csrftoken").then(function (c) { return c ? c.value : ""; },
        function () { return ""; });
    }
    return Promise.resolve("");
  }

  function formData(item) {
    var body = new FormData();
    item.entries.forEach(function (entry) {
      var value = entry[1];
      if (entry[0] === "csrfmiddlewaretoken") return; // stale in a kept page: the header wins
      if (value instanceof Blob) body.append(entry[0], value, value.name || "foto");
      else body.append(entry[0], value);
    });
    return body;
  }

  // POST one item; `how` is "queue" or "page". Resolves with the fetch Response, rejects on a
  // network error (no signal, connection dropped, timeout, abort). With `onProgress` (a page
  // whose person watches the upload) it goes by XMLHttpRequest, the one way a page learns how
  // much of the body is sent: onProgress(sent bytes, total bytes).
  function post(item, how, signal, onProgress) {
    return csrfToken().then(function (token) {
      var headers = {
        "X-CSRFToken": token,
        "X-Pantau-Outbox": how,
        "X-Pantau-Outbox-User": encodeURIComponent(item.user),
      };
      if (onProgress && global.XMLHttpRequest) {
        return postWatched(item.url, formData(item), headers, signal, onProgress);
      }
      return fetch(item.url, {
        method: "POST",
        body: formData(item),
        credentials: "same-origin",
        cache: "no-store",
        signal: signal,
        headers: headers,
      });
    });
  }

  // The XMLHttpRequest twin of fetch for post(): resolves with what judge() reads of a Response.
  function postWatched(url, body, headers, signal, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.withCredentials = true;
      Object.keys(headers).forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
      xhr.upload.onprogress = function (event) {
        if (event.lengthComputable) onProgress(event.loaded, event.total);
      };
      xhr.onload = function () {
        var target = new URL(url, global.location.href).href;
        var text = xhr.responseText;
        resolve({
          status: xhr.status,
          ok: xhr.status >= 200 && xhr.status < 300,
          url: xhr.responseURL,
          redirected: !!xhr.responseURL && xhr.responseURL !== target,
          headers: { get: function (name) { return xhr.getResponseHeader(name); } },
          json: function () { return Promise.resolve().then(function () { return JSON.parse(text); }); },
          text: function () { return Promise.resolve(text); },
        });
      };
      xhr.onerror = xhr.ontimeout = xhr.onabort = function () { reject(new Error("network")); };
      if (signal) {
        if (signal.aborted) return reject(new Error("abort"));
        signal.addEventListener("abort", function () { xhr.abort(); });
      }
      xhr.send(body);
    });
  }

  // What an answer means for an item: "sent", "login" (the session ended), "other_user" (saved
  // by another account than the one logged in), "refused" (the server will not take this
  // content: 4xx other than 403/429) or "later" (403, 429, 5xx, or anything that is not our
  // answer: keep it and try again).
  function judge(item, response, loginPath) {
    var type = response.headers.get("Content-Type") || "";
    var read = type.indexOf("application/json") === 0
      ? response.json().catch(function () { return null; })
      : Promise.resolve(null);
    return read.then(function (data) {
      var status = response.status;
      if (response.ok && data && data.client_id === item.client_id) {
        return { outcome: "sent", data: data };
      }
      if (response.redirected && loginPath && new URL(response.url).pathname === loginPath) {
        return { outcome: "login" };
      }
      if (status === 403 && data && data.code === "other_user") {
        return { outcome: "other_user", data: data };
      }
      if (status >= 400 && status < 500 && status !== 403 && status !== 429) {
        return { outcome: "refused", data: data || { detail: "HTTP " + status, fields: {} } };
      }
      return { outcome: "later", status: status };
    });
  }

  // Send one item of the outbox and act on the answer: delete it when it arrived, mark it when
  // it was refused, leave it otherwise. Resolves with {outcome, data}.
  function send(item, loginPath) {
    var signal = global.AbortSignal && AbortSignal.timeout ? AbortSignal.timeout(SEND_TIMEOUT)
      : undefined;
    return post(item, "queue", signal).then(function (response) {
      return judge(item, response, loginPath);
    }, function () {
      return { outcome: "network" };
    }).then(function (result) {
      if (result.outcome === "sent") {
        return remove(item.client_id).then(function () { return result; });
      }
      if (result.outcome === "refused") {
        return get(item.client_id).then(function (stored) {
          if (!stored) return result; // sent meanwhile from elsewhere
          stored.state = "failed";
          stored.error = result.data;
          stored.tries = (stored.tries || 0) + 1;
          return put(stored).then(function () { return result; });
        });
      }
      return result;
    });
  }

  // Send every waiting item (of `options.user`, or of anyone in the worker: the server refuses
  // an item of another account), oldest first, one at a time. Stops at the first network
  // error. One sync at a time across tabs and the worker (Web Locks, where there are some).
  function sync(options) {
    options = options || {};
    function run() {
      var summary = { sent: [], refused: 0, network: false, login: false, later: false };
      return all().then(function (items) {
        var skip = {};
        var waiting = items.filter(function (item) {
          return item.state !== "failed" && (!options.user || item.user === options.user);
        });
        return waiting.reduce(function (previous, item) {
          return previous.then(function () {
            if (summary.network || skip[item.user]) return;
            return send(item, options.login).then(function (result) {
              if (result.outcome === "sent") summary.sent.push(result.data);
              else if (result.outcome === "refused") summary.refused += 1;
              else if (result.outcome === "network") summary.network = true;
              else if (result.outcome === "login" || result.outcome === "other_user") {
                skip[item.user] = true;
                if (!options.user || item.user === options.user) summary.login = true;
              } else summary.later = true;
            });
          });
        }, Promise.resolve());
      }).then(function () {
        changed();
        return summary;
      });
    }
    if (global.navigator && navigator.locks) {
      return navigator.locks.request(LOCK, { ifAvailable: true }, function (lock) {
        return lock ? run() : { busy: true };
      });
    }
    return run();
  }

  var api = {
    SYNC_TAG: SYNC_TAG,
    uuid: uuid,
    put: put,
    get: get,
    remove: remove,
    all: all,
    post: post,
    judge: judge,
    send: send,
    sync: sync,
    changed: changed,
    channel: channel,
  };
  global.PantauOutbox = api;

  if (global.document && global.indexedDB && global.fetch && global.FormData) page(api);

  // ---- The page part ---------------------------------------------------------------------------

  function page(outbox) {
    var box = document.getElementById("outbox");
    var user = document.body.getAttribute("data-user") || "";
    if (!box || !user) return;
    var loginPath = box.getAttribute("data-login-url");
    var countEl = document.getElementById("outbox-count");
    var statusEl = document.getElementById("outbox-status");
    var itemsEl = document.getElementById("outbox-items");
    var othersEl = document.getElementById("outbox-others");
    var keepButton = document.getElementById("outbox-keep");
    var SLOW = 8000; // ms before offering to keep a slow send on the phone
    var DELAYS = [15, 30, 60, 120, 300]; // s between retries, then every 5 minutes
    var attempt = 0;
    var timer = null;
    var syncing = null;
    var sending = null; // the AbortController of the send the person waits for

    function text(key) {
      var el = box.querySelector('[data-text="' + key + '"]');
      return el ? el.textContent.trim() : key;
    }

    // What the status line says while something waits; when the count falls to 0 under one
    // of these (sent by the worker or another tab), it says that everything went.
    var PENDING = ["saved", "offline", "sending", "slow", "later", "login"];
    var said = null;

    function say(key, extra) {
      said = key;
      statusEl.textContent = "";
      if (key) {
        var p = document.createElement("p");
        p.textContent = text(key);
        statusEl.appendChild(p);
      }
      (extra || []).forEach(function (node) { statusEl.appendChild(node); });
      box.hidden = false;
    }

    // ---- The counter and the list ----

    function render() {
      return outbox.all().then(function (items) {
        var mine = items.filter(function (item) { return item.user === user; });
        var others = items.filter(function (item) { return item.user !== user; });
        countEl.textContent = String(mine.length);
        countEl.setAttribute("data-count", String(mine.length));
        itemsEl.textContent = "";
        mine.forEach(function (item) { itemsEl.appendChild(row(item)); });
        var names = others.map(function (item) { return item.user; }).filter(function (n, i, a) {
          return a.indexOf(n) === i;
        });
        othersEl.hidden = !names.length;
        othersEl.textContent = names.length ? text("others").replace("%s", names.join(", ")) : "";
        var waiting = mine.filter(function (item) { return item.state !== "failed"; });
        if (!waiting.length && PENDING.indexOf(said) !== -1) {
          say(waiting.length < mine.length ? "refused" : "sent");
        }
        box.hidden = !mine.length && !names.length && !statusEl.textContent && navigator.onLine;
        return mine;
      }, function () {
        return [];
      });
    }

    function row(item) {
      var li = document.createElement("li");
      li.className = "outbox-item" + (item.state === "failed" ? " is-failed" : "");
      li.setAttribute("data-client-id", item.client_id);
      li.setAttribute("data-state", item.state);
      var when = new Date(item.saved_at);
      var head = document.createElement("span");
      var shown;
      try {
        shown = when.toLocaleString(document.documentElement.lang || [], {
          day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
          timeZone: "Asia/Jakarta",
        }) + " WIB";
      } catch (e) {
        shown = when.toLocaleString();
      }
      head.textContent = text(item.kind) + " · " + item.summary + " · " + shown;
      li.appendChild(head);
      if (item.state === "failed") {
        var error = item.error || {};
        var p = document.createElement("p");
        p.className = "error";
        p.textContent = error.detail || error.message || ""; // message: an item refused under an older script
        li.appendChild(p);
        Object.keys(error.fields || {}).forEach(function (name) {
          var f = document.createElement("p");
          f.className = "error";
          f.textContent = ((item.labels || {})[name] || name) + ": " + error.fields[name];
          li.appendChild(f);
        });
        li.appendChild(button("retry", "data-outbox-retry"));
        li.appendChild(button("delete", "data-outbox-delete"));
      }
      return li;
    }

    function button(key, attribute) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "link";
      b.setAttribute(attribute, "");
      b.textContent = text(key);
      return b;
    }

    itemsEl.addEventListener("click", function (event) {
      var li = event.target.closest("li[data-client-id]");
      if (!li) return;
      var id = li.getAttribute("data-client-id");
      if (event.target.closest("[data-outbox-delete]")) {
        if (global.confirm(text("confirm"))) outbox.remove(id).then(render).then(outbox.changed);
      } else if (event.target.closest("[data-outbox-retry]")) {
        outbox.get(id).then(function (item) {
          if (!item) return;
          item.state = "waiting";
          item.error = null;
          return outbox.put(item);
        }).then(function () {
          attempt = 0;
          return syncNow();
        });
      }
    });

    // ---- Sending what waits ----

    function schedule() {
      clearTimeout(timer);
      var delay = DELAYS[Math.min(attempt, DELAYS.length - 1)];
      attempt += 1;
      timer = setTimeout(syncNow, delay * 1000);
    }

    function followLinks(sent) {
      return sent.filter(function (data) { return data.next && data.next !== data.url; })
        .map(function (data) {
          var p = document.createElement("p");
          var a = document.createElement("a");
          a.href = data.next;
          a.textContent = text("follow") + " #" + data.id;
          p.appendChild(a);
          return p;
        });
    }

    function notes(sent) {
      var lines = [];
      sent.forEach(function (data) {
        (data.notes || []).forEach(function (note) {
          var p = document.createElement("p");
          p.textContent = note;
          lines.push(p);
        });
      });
      return lines;
    }

    function syncNow() {
      if (syncing) return syncing;
      if (!navigator.onLine) {
        return render().then(function (mine) { if (mine.length) say("offline"); });
      }
      syncing = outbox.all().then(function (items) {
        var waiting = items.filter(function (item) {
          return item.user === user && item.state !== "failed";
        });
        if (!waiting.length) return render();
        say("sending");
        return outbox.sync({ user: user, login: loginPath }).then(function (result) {
          if (result.busy) {
            // The worker or another tab is sending: look again soon.
            clearTimeout(timer);
            timer = setTimeout(syncNow, 3000);
            return render();
          }
          var extra = notes(result.sent).concat(followLinks(result.sent));
          if (result.login) say("login", extra);
          else if (result.network) say("offline", extra);
          else if (result.later) say("later", extra);
          else if (result.refused) say("refused", extra);
          else if (result.sent.length) say("sent", extra);
          if (result.network || result.later) schedule();
          else attempt = 0;
          return render();
        });
      }).catch(function () {
        schedule();
      }).then(function () {
        syncing = null;
      });
      return syncing;
    }

    function askBackgroundSync() {
      if (!navigator.serviceWorker) return;
      navigator.serviceWorker.getRegistration().then(function (registration) {
        if (registration && registration.sync) return registration.sync.register(outbox.SYNC_TAG);
      }).catch(function () {});
    }

    global.addEventListener("online", function () {
      attempt = 0;
      syncNow();
    });
    global.addEventListener("offline", function () {
      render().then(function (mine) { if (mine.length) say("offline"); });
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") syncNow();
    });
    if (outbox.channel) outbox.channel.addEventListener("message", function () { render(); });

    // ---- The form ----

    function nowWib() {
      // The field is "observed at (WIB)": UTC+7 whatever the phone's time zone.
      return new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 16);
    }

    // A new report: a new client_id, the time now. A page kept by the worker carries the
    // client_id and time of the day it was kept; a form sent back with errors keeps both.
    function fresh(form) {
      form.elements.client_id.value = outbox.uuid();
      if (form.elements.observed_at) form.elements.observed_at.value = nowWib();
    }

    function valueOf(field) {
      return field && "value" in field ? field.value : null;
    }

    function summary(form) {
      var names = (form.getAttribute("data-outbox-summary") || "").split(/\s+/);
      var title = form.getAttribute("data-outbox-title") || "";
      return [title].concat(names.map(function (name) {
        var field = form.elements[name];
        if (!field) return "";
        if (field.tagName === "SELECT") {
          return field.selectedOptions.length ? field.selectedOptions[0].text : "";
        }
        if (field.length !== undefined && !field.tagName) { // radio buttons
          var checked = Array.prototype.filter.call(field, function (r) { return r.checked; })[0];
          return checked && checked.labels.length ? checked.labels[0].textContent.trim() : "";
        }
        return field.value || "";
      })).filter(Boolean).join(" · ").slice(0, 120);
    }

    // The label of each field the form posts, by its name (a group's legend for radio buttons).
    function labels(form) {
      var found = {};
      Array.prototype.forEach.call(form.elements, function (field) {
        if (!field.name || found[field.name]) return;
        var label = field.labels && field.labels.length ? field.labels[0].textContent : "";
        if (field.type === "radio" || field.type === "checkbox") {
          var legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
          if (legend) label = legend.textContent;
        }
        label = label.replace(/\s*\*\s*$/, "").trim();
        if (label) found[field.name] = label;
      });
      return found;
    }

    function snapshot(form) {
      var entries = [];
      new FormData(form).forEach(function (value, name) {
        if (name === "csrfmiddlewaretoken") return;
        if (value instanceof File && !value.name && !value.size) return; // no photo chosen
        entries.push([name, value]);
      });
      return {
        client_id: form.elements.client_id.value || outbox.uuid(),
        kind: form.getAttribute("data-outbox"),
        url: new URL(form.action, location.href).pathname,
        user: user,
        entries: entries,
        summary: summary(form),
        labels: labels(form),
        saved_at: Date.now(),
        state: "waiting",
        tries: 0,
        error: null,
      };
    }

    // Ready for the next report: what was typed is cleared, where and when (the fields named
    // in data-outbox-keep) stay, a new client_id.
    function reset(form) {
      var kept = (form.getAttribute("data-outbox-keep") || "").split(/\s+/).filter(Boolean)
        .map(function (name) { return [name, valueOf(form.elements[name])]; });
      form.reset();
      kept.forEach(function (pair) {
        var field = form.elements[pair[0]];
        if (field && pair[1] !== null) field.value = pair[1];
      });
      ["lat", "lon"].forEach(function (name) {
        if (form.elements[name]) form.elements[name].value = "";
      });
      var located = document.getElementById("locate-status");
      if (located) located.textContent = "";
      fresh(form);
    }

    // Put the item in the outbox; only once it is stored is the form cleared.
    function keep(form, item, reason) {
      return outbox.put(item).then(function () {
        reset(form);
        say(reason);
        outbox.changed();
        askBackgroundSync();
        if (navigator.onLine) schedule();
        return render();
      }, function (error) {
        say("storage", [document.createTextNode(String(error && error.message || error))]);
      }).then(function () {
        box.scrollIntoView({ block: "start" });
      });
    }

    // The server sent the form back with its errors: show it in place of this one, with the
    // photos still chosen.
    function replaceForm(form, html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var next = doc.getElementById(form.id);
      if (!next) return false;
      next = document.adoptNode(next);
      Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
        var twin = next.querySelector('input[type=file][name="' + input.name + '"]');
        if (twin && input.files && input.files.length) {
          try { twin.files = input.files; } catch (e) { /* the person chooses them again */ }
        }
      });
      form.replaceWith(next);
      if (global.htmx) global.htmx.process(next);
      rememberSelects(next);
      document.dispatchEvent(new CustomEvent("pantau:form-replaced", { detail: { form: next } }));
      var first = next.querySelector(".alert, .has-error");
      if (first) first.scrollIntoView({ block: "center" });
      return true;
    }

    function busy(form, on) {
      var submit = form.querySelector("[type=submit]");
      if (submit) submit.disabled = on;
      if (on) form.setAttribute("data-busy", "");
      else form.removeAttribute("data-busy");
    }

    // The person pressed "send": with signal, post it and go where the server says; without
    // (or when the post fails on the way), keep it on the phone.
    function submit(event) {
      var form = event.target;
      if (!form.matches || !form.matches("form[data-outbox]")) return;
      event.preventDefault();
      if (form.hasAttribute("data-busy")) return;
      var item = snapshot(form);
      if (!navigator.onLine) {
        keep(form, item, "saved");
        return;
      }
      busy(form, true);
      say("sending");
      sending = new AbortController();
      var slow = setTimeout(function () {
        say("slow");
        keepButton.hidden = false;
      }, SLOW);
      var meter = form.querySelector("[data-send-progress]");
      var bar = meter && meter.querySelector("progress");
      var label = meter && meter.querySelector("[data-send-progress-text]");
      function progress(sent, total) {
        if (!meter) return;
        meter.hidden = false;
        var percent = total ? Math.floor((100 * sent) / total) : 0;
        bar.value = percent;
        bar.max = 100;
        label.textContent = text("sending") + " " + percent + "% (" +
          Math.round(sent / 1024) + " / " + Math.round(total / 1024) + " KB)";
      }
      function done() {
        clearTimeout(slow);
        keepButton.hidden = true;
        sending = null;
        busy(form, false);
        if (meter) meter.hidden = true;
      }
      outbox.post(item, "page", sending.signal, progress).then(function (response) {
        return outbox.judge(item, response, loginPath).then(function (result) {
          done();
          if (result.outcome === "sent") {
            location.assign(result.data.next || result.data.url);
          } else if (result.outcome === "login" || result.outcome === "other_user") {
            return keep(form, item, "login");
          } else if (result.outcome === "refused") {
            // The form with its errors, as a post without the script gets it.
            return response.text().then(function (html) {
              statusEl.textContent = "";
              said = null;
              if (!replaceForm(form, html)) return keep(form, item, "later");
              return render();
            });
          } else {
            return keep(form, item, "later");
          }
        });
      }, function () {
        done();
        return keep(form, item, "saved");
      }).catch(function () {
        done();
        return keep(form, item, "later");
      });
    }

    document.addEventListener("submit", submit);
    keepButton.addEventListener("click", function () {
      if (sending) sending.abort();
    });

    // A stage's questions come from the server (htmx). Without signal and not kept by the
    // worker, put the stage back as it was and say so, rather than mixing two stages.
    function rememberSelects(root) {
      Array.prototype.forEach.call(root.querySelectorAll("select[hx-get]"), function (select) {
        select.setAttribute("data-last", select.value);
      });
    }

    function stageFailed(event) {
      var el = event.detail && event.detail.elt;
      if (!el || !el.matches || !el.matches("form[data-outbox] select[hx-get]")) return;
      if (el.hasAttribute("data-last")) el.value = el.getAttribute("data-last");
      say("stage");
    }

    document.addEventListener("htmx:sendError", stageFailed);
    document.addEventListener("htmx:responseError", stageFailed);
    document.addEventListener("htmx:afterSettle", function () {
      var form = document.querySelector("form[data-outbox]");
      if (form) rememberSelects(form);
    });

    var form = document.querySelector("form[data-outbox]");
    if (form) {
      if (!form.querySelector(".alert, .has-error")) fresh(form);
      rememberSelects(form);
    }
    render().then(function (mine) {
      if (!mine.length) return;
      if (navigator.onLine) syncNow();
      else say("offline");
    });
  }
})(self);
