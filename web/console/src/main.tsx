import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "../../shared/ui/base.css";
import "../../shared/ui/shell.css";
import "./console.css";
import "./ops/ops.css";
import "./screens/reviews.css";
import { App } from "./app.tsx";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// Web push (a kitchen's new orders with the tab closed); not during development, where Vite serves modules.
if ("serviceWorker" in navigator && import.meta.env.PROD) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch((error: unknown) => console.warn("service worker:", error));
  });
}
