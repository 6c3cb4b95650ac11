// The committed API contract (web/shared/api/) is what the routes produce, and
// the document passes Redocly's recommended rules with no error and no
// warning beyond the ones listed here.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { buildContract, CONTRACT_FILES, type ContractFile, staleFiles } from "./contract.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Warnings still standing, by rule (the accepted exceptions live in .redocly.lint-ignore.yaml). */
const EXPECTED_WARNINGS = [
  // The project has no licence yet; naming one is not a linter's call.
  "info-license",
];

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }>;
}

interface Operation {
  operationId?: string;
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  responses: Record<string, unknown>;
  "x-websocket"?: { clientMessages: { $ref: string }; serverMessages: { $ref: string } };
}

let files: ContractFile[];
let doc: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

function operations(): Array<[string, Operation]> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]): [string, Operation] => [`${method.toUpperCase()} ${path}`, op]),
  );
}

beforeAll(async () => {
  files = await buildContract();
  const document = files.find((f) => f.path === CONTRACT_FILES.document);
  if (!document) throw new Error("no document built");
  doc = JSON.parse(document.content) as typeof doc;
}, 30_000);

describe("the API contract", () => {
  it("is committed as the routes produce it (else run `npm run api:generate`)", async () => {
    expect(await staleFiles(files)).toEqual([]);
  });

  it("passes redocly lint with no errors and only the expected warnings", async () => {
    const run = promisify(execFile);
    const redocly = `${ROOT}node_modules/.bin/redocly`;
    const result = await run(redocly, ["lint", CONTRACT_FILES.document, "--format=json"], {
      cwd: ROOT,
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
    const report = JSON.parse(result.stdout) as LintReport;
    const problems = report.problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
    expect(report.totals.errors, problems.join("\n")).toBe(0);
    expect(report.problems.map((p) => p.ruleId).sort(), problems.join("\n")).toEqual([...EXPECTED_WARNINGS].sort());
  }, 30_000);

  it("names every operation with a unique camelCase operationId", () => {
    const ids = operations().map(([name, op]) => op.operationId ?? `(none on ${name})`);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z0-9]*$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("marks the query parameters the server cannot do without as required", () => {
    for (const path of ["/v1/restaurants", "/v1/couriers/live", "/v1/admin/nearest-couriers"]) {
      const params = doc.paths[path]?.get?.parameters ?? [];
      for (const name of ["lat", "lng"]) {
        expect(params.find((p) => p.name === name && p.in === "query")?.required, `${path} ${name}`).toBe(true);
      }
    }
    // The rest have defaults or are filters.
    const listed = doc.paths["/v1/restaurants"]?.get?.parameters ?? [];
    expect(listed.filter((p) => p.required).map((p) => p.name)).toEqual(["lat", "lng"]);
  });

  it("documents each WebSocket's upgrade and both directions of its messages", () => {
    const sockets = operations().filter(([, op]) => "101" in op.responses);
    expect(sockets.map(([name]) => name).sort()).toEqual([
      "GET /v1/admin/live-map/{region}/live",
      "GET /v1/couriers/live",
      "GET /v1/orders/{id}/live",
      "GET /v1/restaurants/{id}/board/live",
    ]);
    for (const [name, op] of sockets) {
      const protocol = op["x-websocket"];
      expect(protocol, name).toBeDefined();
      for (const ref of [protocol?.clientMessages.$ref, protocol?.serverMessages.$ref]) {
        const schema = ref?.replace("#/components/schemas/", "") ?? "";
        expect(doc.components.schemas[schema], `${name}: ${ref}`).toBeDefined();
      }
    }
  });
});
