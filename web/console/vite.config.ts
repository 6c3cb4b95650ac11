// The restaurant and operator console is a static site for Cloudflare Pages:
// `vite build` writes it to web/console/dist. The dev server's origin
// (127.0.0.1:5173) is the one the local Worker's CONSOLE_ORIGINS already allows.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  envDir: here,
  // React's automatic runtime, compiled by Vite's own transformer (no React plugin needed).
  oxc: { jsx: { runtime: "automatic", importSource: "react" } },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: true },
  server: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
    // web/shared lives beside the app's root.
    fs: { allow: [fileURLToPath(new URL("..", import.meta.url))] },
  },
  preview: { host: "127.0.0.1", port: 4173 },
});
