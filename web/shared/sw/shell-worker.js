// What the PWAs' service workers share, loaded by each app's public/sw.js
// with importScripts (a classic worker script, so it is plain JavaScript that
// is copied, not bundled: see vite-plugin.ts). The app shell opens without a
// network: pages are network-first with the cached shell as fallback; built
// assets are content-hashed, so cache-first is safe. Requests to other
// origins (the API, map tiles, WebSockets) are never touched.
self.shellWorker = {
  /** Caches `shell` under `cache` at install, drops older caches at activation, serves pages and assets offline. */
  offline(cache, shell) {
    self.addEventListener("install", (event) => {
      event.waitUntil(
        caches
          .open(cache)
          .then((opened) => opened.addAll(shell))
          .then(() => self.skipWaiting()),
      );
    });

    self.addEventListener("activate", (event) => {
      event.waitUntil(
        caches
          .keys()
          .then((keys) => Promise.all(keys.filter((key) => key !== cache).map((key) => caches.delete(key))))
          .then(() => self.clients.claim()),
      );
    });

    self.addEventListener("fetch", (event) => {
      const request = event.request;
      const url = new URL(request.url);
      if (request.method !== "GET" || url.origin !== self.location.origin) return;
      if (request.mode === "navigate") {
        event.respondWith(
          fetch(request)
            .then((response) => {
              const copy = response.clone();
              caches.open(cache).then((opened) => opened.put("/", copy));
              return response;
            })
            .catch(() => caches.match("/").then((cached) => cached ?? Response.error())),
        );
        return;
      }
      if (url.pathname.startsWith("/assets/") || shell.includes(url.pathname)) {
        event.respondWith(
          caches.match(request).then(
            (cached) =>
              cached ??
              fetch(request).then((response) => {
                if (response.ok) {
                  const copy = response.clone();
                  caches.open(cache).then((opened) => opened.put(request, copy));
                }
                return response;
              }),
          ),
        );
      }
    });
  },

  /** Shows pushes (JSON `{ title, body, url, tag }`) as notifications; a tap opens or focuses the app. */
  notifications() {
    self.addEventListener("push", (event) => {
      let message = { title: "Edge Delivery", body: "", url: "/", tag: undefined };
      try {
        message = { ...message, ...event.data?.json() };
      } catch {
        // A payload that is not JSON: the default title, its text as the body.
        message.body = event.data?.text() ?? "";
      }
      event.waitUntil(
        self.registration.showNotification(message.title, {
          body: message.body,
          tag: message.tag,
          icon: "/icon.svg",
          data: { url: message.url },
          requireInteraction: true,
        }),
      );
    });

    self.addEventListener("notificationclick", (event) => {
      event.notification.close();
      const url = new URL(event.notification.data?.url ?? "/", self.location.origin).href;
      event.waitUntil(
        self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
          const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
          if (open) return open.focus();
          return self.clients.openWindow(url);
        }),
      );
    });
  },
};
