// The customer app's service worker: the app shell opens without a network
// (a customer on a train still sees their order page and the cart they
// built). The shared part is web/shared/sw/shell-worker.js, copied into the
// build by its Vite plugin.
importScripts("/shell-worker.js");
self.shellWorker.offline("customer-shell-v1", ["/", "/manifest.webmanifest", "/icon.svg", "/icon-maskable.svg"]);
