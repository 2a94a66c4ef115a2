/* The officer pages' service worker (brigade/duty/offline.py), built with Workbox served by
   this app. The shell (styles, scripts, the queue's library) is precached; the officer's
   pages are network-first, and offline the last copy loaded is shown. Nothing is posted
   from here: the page's queue (offline.js) sends the waiting actions itself. */
"use strict";
var CONFIG = {{ config|safe }};
importScripts(CONFIG.workbox);
workbox.setConfig({ modulePathPrefix: CONFIG.modules, debug: CONFIG.debug });
workbox.core.setCacheNameDetails({ prefix: "brigade-ops" });
workbox.core.clientsClaim();
self.skipWaiting();

workbox.precaching.precacheAndRoute(CONFIG.precache, { ignoreURLParametersMatching: [/.*/] });

function isOfficerPage(url) {
  return CONFIG.pages.some(function (prefix) {
    return url.pathname === prefix || url.pathname.indexOf(prefix) === 0;
  });
}

// The officer's pages: the server's copy when it answers within a few seconds, else the
// last one loaded. A sign-in page (a redirect) is not kept as the duty page.
workbox.routing.registerRoute(
  function (options) {
    return options.request.mode === "navigate" && isOfficerPage(options.url);
  },
  new workbox.strategies.NetworkFirst({
    cacheName: "brigade-ops-pages",
    networkTimeoutSeconds: 4,
    // the pages vary by cookie and language; offline, the last copy is the one wanted
    matchOptions: { ignoreVary: true },
    plugins: [
      {
        cacheWillUpdate: function (options) {
          var response = options.response;
          if (!response || response.status !== 200 || response.redirected) return null;
          return response;
        },
      },
      new workbox.expiration.ExpirationPlugin({ maxEntries: 30 }),
    ],
  })
);

// Other static files (icons, fonts, scripts not in the shell): from the cache once loaded.
workbox.routing.registerRoute(
  function (options) {
    return options.url.origin === self.location.origin && options.url.pathname.indexOf("/static/") === 0;
  },
  new workbox.strategies.StaleWhileRevalidate({ cacheName: "brigade-ops-static" })
);
