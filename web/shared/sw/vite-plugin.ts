// Puts web/shared/sw/shell-worker.js into an app's build as /shell-worker.js,
// beside its own public/sw.js that loads it with importScripts. Build only:
// the apps register their service worker in production builds alone.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";

const SOURCE = fileURLToPath(new URL("./shell-worker.js", import.meta.url));

export function sharedServiceWorker(): Plugin {
  return {
    name: "shared-service-worker",
    apply: "build",
    generateBundle() {
      this.emitFile({ type: "asset", fileName: "shell-worker.js", source: readFileSync(SOURCE, "utf8") });
    },
  };
}
