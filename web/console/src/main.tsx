import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "../../shared/ui/base.css";
import "../../shared/ui/shell.css";
import "./console.css";
import "./ops/ops.css";
import { App } from "./app.tsx";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
