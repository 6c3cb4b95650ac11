// The courier app's service worker: the app opens without a network (a
// courier in a basement car park still sees their job and keeps buffering
// positions), and pushes (a delivery offer while the app is in the
// background) are shown as notifications. The shared part is
// web/shared/sw/shell-worker.js, copied into the build by its Vite plugin.
importScripts("/shell-worker.js");
self.shellWorker.offline("courier-shell-v1", ["/", "/manifest.webmanifest", "/icon.svg", "/icon-maskable.svg"]);
self.shellWorker.notifications();
