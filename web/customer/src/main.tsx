import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "../../shared/ui/base.css";
import "../../shared/ui/shell.css";
import "./styles.css";
import "./care.css";
import { App } from "./app.tsx";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// Offline start-up: the shell is cached by the service worker (not during development, where Vite serves modules).
if ("serviceWorker" in navigator && import.meta.env.PROD) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch((error: unknown) => console.warn("service worker:", error));
  });
}
