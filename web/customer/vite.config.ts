// The customer app is its own static site (a PWA for Pages): `vite build` writes
// it to web/customer/dist. The dev server's origin (127.0.0.1:5175) is one the
// local Worker's CONSOLE_ORIGINS allows.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { sharedServiceWorker } from "../shared/sw/vite-plugin.ts";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  envDir: here,
  plugins: [sharedServiceWorker()],
  // React's automatic runtime, compiled by Vite's own transformer (no React plugin needed).
  oxc: { jsx: { runtime: "automatic", importSource: "react" } },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: true },
  server: {
    host: "127.0.0.1",
    port: 5175,
    strictPort: true,
    fs: { allow: [fileURLToPath(new URL("../..", import.meta.url))] },
  },
  preview: { host: "127.0.0.1", port: 4175 },
});
