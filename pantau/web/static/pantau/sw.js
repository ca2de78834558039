/* Pantau's service worker. Served at /sw.js by pantau.web.pwa.service_worker, which puts before
   this text one line: self.PANTAU = {version, shell, offline, pages, login, outboxScript}.

   - install: keeps the shell (CSS, htmx, the scripts, the icons, the offline page) in the cache
     "pantau-shell-<version>"; the version is a hash of those files, so a change makes a new
     worker that replaces the old one and drops its cache.
   - the field pages (home, report form, problem form) and their htmx fragments (a stage's
     questions): network first, and the answer kept in "pantau-pages" / "pantau-fragments";
     without signal (or when the network takes more than a few seconds) the kept copy. These
     are one account's pages: pwa.js deletes them on logout. Pages showing a one-time message
     (data-flash) and redirects (to the login page) are not kept.
   - the shell's files: from the cache, else the network.
   - any other page without signal: the offline page. Everything else (POST, the API, the
     admin, photos, other users' data) is not touched: it goes to the network as without a
     worker.
   - Background Sync "pantau-outbox": sends the outbox of offline.js (imported below). */
"use strict";

var C = self.PANTAU;
var SHELL = "pantau-shell-" + C.version;
var PAGES = "pantau-pages";
var FRAGMENTS = "pantau-fragments";
var NETWORK_WAIT = 6000; // ms before a slow network loses to the kept page

importScripts(C.outboxScript);

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL).then(function (cache) {
      // no-cache: revalidated (a 304 when the browser has it already), never a stale copy.
      return cache.addAll(C.shell.map(function (url) {
        return new Request(url, { cache: "no-cache" });
      }));
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf("pantau-shell-") === 0 && key !== SHELL;
      }).map(function (key) {
        return caches.delete(key);
      }));
    }).then(function () {
      return self.clients.claim();
    })
  );
});

function keepable(response) {
  return response && response.status === 200 && !response.redirected && response.type === "basic";
}

// Keep a page's answer, unless it shows a one-time message (it would show it again offline).
function store(cacheName, key, response) {
  if (!keepable(response)) return Promise.resolve();
  var headers = new Headers(response.headers);
  return response.text().then(function (body) {
    if (body.indexOf("data-flash") !== -1) return;
    return caches.open(cacheName).then(function (cache) {
      return cache.put(key, new Response(body, { status: 200, headers: headers }));
    });
  });
}

function kept(cacheName, url, ignoreSearch) {
  return caches.open(cacheName).then(function (cache) {
    return cache.match(url, { ignoreVary: true }).then(function (hit) {
      return hit || (ignoreSearch ? cache.match(url, { ignoreVary: true, ignoreSearch: true })
        : undefined);
    });
  });
}

function offlinePage() {
  return caches.open(SHELL).then(function (cache) {
    return cache.match(C.offline);
  }).then(function (page) {
    return page || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
  });
}

// Network first; the kept copy when the network fails or is slow (the network's answer, when
// it comes, still refreshes the kept copy).
function networkFirst(event, fragment) {
  var request = event.request;
  var cacheName = fragment ? FRAGMENTS : PAGES;
  // A page is kept without its query (a problem form filled from one report is not the form
  // to open offline); a fragment with it (?stage=N: that stage's questions).
  var keep = fragment || !new URL(request.url).search;
  var network = fetch(request).then(function (response) {
    if (keep) event.waitUntil(store(cacheName, request.url, response.clone()).catch(function () {}));
    return response;
  });
  event.waitUntil(network.catch(function () {}));
  var late = new Promise(function (resolve) {
    setTimeout(resolve, NETWORK_WAIT, null);
  });
  function fallback() {
    return kept(cacheName, request.url, !fragment).then(function (hit) {
      if (hit) return hit;
      if (request.mode === "navigate") return offlinePage();
      return Response.error();
    });
  }
  return Promise.race([network, late]).then(function (first) {
    if (first) return first;
    return kept(cacheName, request.url, !fragment).then(function (hit) {
      return hit || network;
    });
  }).catch(fallback);
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (C.shell.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.open(SHELL).then(function (cache) {
      return cache.match(request, { ignoreSearch: true, ignoreVary: true });
    }).then(function (hit) {
      return hit || fetch(request);
    }));
  } else if (C.pages.indexOf(url.pathname) !== -1) {
    event.respondWith(networkFirst(event, request.headers.get("HX-Request") === "true"));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(offlinePage));
  }
});

// Keep the field pages that are not kept yet (asked by a field page, see pwa.js): the first
// page after the worker installed came in before it, and a form not opened since logging in
// must open without signal too.
function keepPages() {
  return caches.open(PAGES).then(function (cache) {
    return Promise.all(C.pages.map(function (path) {
      var key = new URL(path, self.location.origin).href;
      return cache.match(key, { ignoreVary: true }).then(function (hit) {
        if (hit) return;
        return fetch(key, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
          return store(PAGES, key, response);
        });
      }).catch(function () {});
    }));
  });
}

function forgetPages() {
  return Promise.all([caches.delete(PAGES), caches.delete(FRAGMENTS)]);
}

self.addEventListener("message", function (event) {
  var message = event.data || {};
  if (message.type === "logout") event.waitUntil(forgetPages());
  else if (message.type === "keep-pages") event.waitUntil(keepPages());
});

// Background Sync: the browser wakes the worker when the signal returns, even with no page
// open. A failure that may pass (no network, server busy) is thrown so the browser tries again.
self.addEventListener("sync", function (event) {
  if (event.tag !== self.PantauOutbox.SYNC_TAG) return;
  event.waitUntil(self.PantauOutbox.sync({ login: C.login }).then(function (result) {
    if (result.network || result.later) throw new Error("Pantau: outbox not sent yet");
  }));
});
