/* 爱心妈妈 service worker, served by activities.phone.views.service_worker at /m/sw.js (scope /m/).
 * The view writes SHELL (the shell's URLs, hashed in production), VERSION and SCOPE above this line.
 *
 * - install: cache the shell (CSS, JS, icons, manifest, the offline page);
 * - pages under /m/: network first (a slow network falls back to the cached copy after a few
 *   seconds), cached on success; offline, the cached copy, the same page for another child
 *   (/m/log/?child=… → /m/log/), or the offline page;
 * - shell files: from the cache, refreshed in the background;
 * - everything else (the API above all) is left alone: static/phone/app.js queues records itself;
 * - message {type: "warm", urls}: cache pages not cached yet, so they open offline later.
 */
/* global SHELL, VERSION, SCOPE */
"use strict";

var SHELL_CACHE = "aixin-shell-" + VERSION;
var PAGES_CACHE = "aixin-pages-" + VERSION;
var OFFLINE_URL = SHELL[0];
var SLOW_NETWORK_MS = 6000;
var shellPaths = new Set(SHELL.map(function (u) { return new URL(u, self.location).pathname; }));

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    return cache.addAll(SHELL);
  }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf("aixin-") === 0 && k !== SHELL_CACHE && k !== PAGES_CACHE;
    }).map(function (k) { return caches.delete(k); }));
  }).then(function () {
    return self.clients.claim();
  }));
});

function cacheable(response) {
  return response && response.ok && response.type === "basic" && !response.redirected;
}

// Pages vary on the cookie and the language (Vary: Cookie, Accept-Language), which a service worker
// cannot see on a navigation; the cache is this login's own (app.js empties it on logging out).
var MATCH = { ignoreVary: true };
var MATCH_ANY_QUERY = { ignoreVary: true, ignoreSearch: true };

function fromCache(request) {
  return caches.open(PAGES_CACHE).then(function (cache) {
    return cache.match(request.url, MATCH).then(function (hit) {
      return hit || cache.match(request.url, MATCH_ANY_QUERY);
    });
  });
}

function page(request) {
  var network = fetch(request).then(function (response) {
    if (cacheable(response)) {
      var copy = response.clone();
      caches.open(PAGES_CACHE).then(function (cache) { return cache.put(request.url, copy); });
    }
    return response;
  });
  var slow = new Promise(function (resolve) {
    setTimeout(function () { fromCache(request).then(resolve); }, SLOW_NETWORK_MS);
  });
  return Promise.race([network.catch(function () { return null; }), slow]).then(function (first) {
    if (first) return first;
    // The network failed (or is slow and nothing is cached): the cached copy, else the network, else offline.
    return fromCache(request).then(function (hit) {
      return hit || network.catch(function () {
        return caches.match(OFFLINE_URL, MATCH).then(function (offline) { return offline || Response.error(); });
      });
    });
  });
}

function shellFile(request) {
  return caches.match(request, MATCH).then(function (hit) {
    var refresh = fetch(request).then(function (response) {
      if (cacheable(response)) {
        var copy = response.clone();
        caches.open(SHELL_CACHE).then(function (cache) { return cache.put(request, copy); });
      }
      return response;
    });
    if (hit) {
      refresh.catch(function () {});
      return hit;
    }
    return refresh;
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (url.pathname.indexOf(SCOPE) === 0) event.respondWith(page(request));
    return;
  }
  if (shellPaths.has(url.pathname)) event.respondWith(shellFile(request));
});

function warm(urls) {
  return caches.open(PAGES_CACHE).then(function (cache) {
    return urls.reduce(function (chain, u) {
      var absolute = new URL(u, self.location).href;
      return chain.then(function () {
        return cache.match(absolute, MATCH).then(function (hit) {
          if (hit) return null;
          return fetch(absolute, { credentials: "same-origin" }).then(function (response) {
            if (cacheable(response)) return cache.put(absolute, response);
            return null;
          }).catch(function () { return null; });
        });
      });
    }, Promise.resolve());
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var reply = function () { if (event.ports && event.ports[0]) event.ports[0].postMessage(data.type); };
  if (data.type === "warm" && Array.isArray(data.urls)) {
    event.waitUntil(warm(data.urls.filter(function (u) {
      return new URL(u, self.location).pathname.indexOf(SCOPE) === 0;
    })).then(reply, reply));
  }
});
