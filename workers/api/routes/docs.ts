// The API reference page, /v1/docs: Swagger UI over /v1/openapi.json, served
// entirely by this Worker. Swagger UI's script and stylesheet are bundled into
// the Worker as text (wrangler.toml `rules`, pinned by the lockfile), so the
// page needs no CDN and works offline, and its Content-Security-Policy can
// allow nothing but this origin.
import swaggerUiPackage from "swagger-ui-dist/package.json";
import swaggerUiCss from "swagger-ui-dist/swagger-ui.css";
import swaggerUiBundle from "swagger-ui-dist/swagger-ui-bundle.js";
import type { App } from "../context.ts";

const ASSETS = `/v1/docs/assets/${swaggerUiPackage.version}`;

// No inline script: the start-up code is a file of its own, so script-src stays 'self'.
const INIT = `window.ui = SwaggerUIBundle({
  url: "/v1/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  showExtensions: true,
  defaultModelsExpandDepth: 0,
  // Swagger UI would otherwise send the document to validator.swagger.io.
  validatorUrl: null,
});
`;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Edge Delivery API reference</title>
    <link rel="stylesheet" href="${ASSETS}/swagger-ui.css" />
    <script src="${ASSETS}/swagger-ui-bundle.js" defer></script>
    <script src="${ASSETS}/init.js" defer></script>
  </head>
  <body>
    <div id="swagger-ui"><noscript>The API reference needs JavaScript; the document itself is at /v1/openapi.json.</noscript></div>
  </body>
</html>
`;

/** Everything from this origin, nothing else; Swagger UI sets style attributes and uses data: images. */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

const FILES: Record<string, { body: string; type: string }> = {
  "swagger-ui.css": { body: swaggerUiCss, type: "text/css; charset=utf-8" },
  "swagger-ui-bundle.js": { body: swaggerUiBundle, type: "text/javascript; charset=utf-8" },
  "init.js": { body: INIT, type: "text/javascript; charset=utf-8" },
};

export function registerDocsRoutes(app: App): void {
  app.get("/v1/docs", (c) => {
    c.header("content-security-policy", DOCS_CSP);
    c.header("x-content-type-options", "nosniff");
    c.header("referrer-policy", "no-referrer");
    c.header("cache-control", "no-cache");
    return c.html(PAGE);
  });

  app.get(`${ASSETS}/:file`, (c) => {
    const file = FILES[c.req.param("file")];
    if (!file) return c.notFound();
    c.header("content-type", file.type);
    c.header("x-content-type-options", "nosniff");
    // The version is in the path: a new Swagger UI gets new URLs.
    c.header("cache-control", "public, max-age=31536000, immutable");
    return c.body(file.body);
  });
}
