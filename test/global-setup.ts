import type { TestProject } from "vitest/node";
import { startWsProxy } from "../scripts/dev/ws-proxy.ts";
import { prepareTestDatabase } from "./database.ts";

export default async function setup(project: TestProject) {
  const proxy = await startWsProxy();
  const wsProxy = `127.0.0.1:${proxy.port}`;
  const database = await prepareTestDatabase(wsProxy);
  project.provide("wsProxy", wsProxy);
  project.provide("databaseUrl", database.url);
  return async () => {
    await proxy.close();
    await database.dispose();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    wsProxy: string;
    databaseUrl: string;
  }
}
