/* Installs Pantau's service worker (sw.js, served from the site's root) and keeps one account's
   pages away from the next one on a shared phone.

   - Every page: register the worker. On a field page (one with the outbox), ask it to keep the
     field pages it does not have yet (home, report form, problem form): they must open without
     signal even if the person has not opened them since logging in.
   - A logged-out page (the login page after "log out", or after the session ended), or a page
     of another account than the last one: the kept pages are deleted. The outbox is not: what
     waits to be sent belongs to its account and is sent when that account logs in again.

   The worker's address comes from this script tag's data-worker attribute. */
(function () {
  "use strict";
  var script = document.currentScript;
  var worker = script && script.getAttribute("data-worker");
  var body = document.body;
  var PAGE_CACHES = /^pantau-(pages|fragments)$/;

  function forgetPages() {
    if (window.caches) {
      caches.keys().then(function (keys) {
        return Promise.all(keys.filter(function (key) { return PAGE_CACHES.test(key); })
          .map(function (key) { return caches.delete(key); }));
      }).catch(function () {});
    }
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "logout" });
    }
  }

  function start() {
    if (!body || !body.hasAttribute("data-user")) return; // the offline page: nothing to do
    var user = body.getAttribute("data-user");
    var last = null;
    try {
      last = localStorage.getItem("pantau-user");
      localStorage.setItem("pantau-user", user);
    } catch (e) { /* private mode: the login page still clears */ }
    if (!user || (last && last !== user)) forgetPages();

    document.addEventListener("submit", function (event) {
      if (event.target.matches && event.target.matches("form[data-logout]")) forgetPages();
    });

    if (!worker || !("serviceWorker" in navigator)) return;
    var scope = new URL("./", new URL(worker, location.href)).pathname;
    navigator.serviceWorker.register(worker, { scope: scope })
      .then(function () {
        // A field page (it has the outbox): have the worker keep the field pages it does not
        // have yet (it fetches only those missing).
        if (!user || !document.getElementById("outbox")) return;
        return navigator.serviceWorker.ready.then(function (registration) {
          if (registration.active) registration.active.postMessage({ type: "keep-pages" });
        });
      })
      .catch(function () { /* no worker: the forms still work with signal */ });
  }

  // The header's menu and the dashboard's filters (details[data-open-wide]): always open on a
  // desk screen (the CSS hides the menu's button there), a button on a phone; the open menu
  // closes with Escape.
  if (window.matchMedia) {
    var wide = window.matchMedia("(min-width: 48rem)");
    var fit = function () {
      document.querySelectorAll("details[data-open-wide]").forEach(function (d) {
        d.open = wide.matches;
      });
    };
    fit();
    if (wide.addEventListener) wide.addEventListener("change", fit);
    document.addEventListener("keydown", function (event) {
      var menu = document.querySelector("details[data-menu]");
      if (event.key === "Escape" && menu && menu.open && !wide.matches) menu.open = false;
    });
  }

  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
