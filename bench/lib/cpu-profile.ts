// A V8 CPU profile of the bench Worker (its isolate runs the Worker and its Durable Objects) through
// workerd's inspector, which worker-host.ts opens when BENCH_INSPECTOR_PORT is set:
//
//   npx tsx bench/lib/cpu-profile.ts PORT SECONDS [OUT.cpuprofile]
//
// Prints self time by function (JS functions, plus the runtime's own: "(program)" is workerd's C++
// outside any JS call, "(garbage collector)" GC) and writes the profile for Chrome DevTools.
import { writeFileSync } from "node:fs";
import { WebSocket } from "ws";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export async function profileWorker(port: number, seconds: number, name = "bench-worker"): Promise<Profile> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
    id: string;
    title?: string;
    webSocketDebuggerUrl: string;
  }[];
  const target = targets.find((t) => `${t.id} ${t.title ?? ""}`.includes(name)) ?? targets[0];
  if (!target) throw new Error(`no inspector target on port ${port}`);
  const url = target.webSocketDebuggerUrl.startsWith("ws")
    ? target.webSocketDebuggerUrl
    : `ws://127.0.0.1:${port}/${target.id}`;
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let nextId = 1;
  const pending = new Map<number, (result: unknown) => void>();
  ws.on("message", (data) => {
    const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: 200 });
  await call("Profiler.start");
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const { profile } = (await call("Profiler.stop")) as { profile: Profile };
  ws.close();
  return profile;
}

/**
 * Self time per function, largest first, in ms and as a share of the sampled time (idle excluded).
 * `maxGapUs`: leave out samples that came more than this after the one before. On a loaded machine
 * the sampler thread is starved and a single late sample is charged seconds (decision 59).
 */
export function selfTimes(
  profile: Profile,
  maxGapUs = Number.POSITIVE_INFINITY,
): { name: string; ms: number; share: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const f = node.callFrame;
    if (f.functionName === "(idle)") return;
    const us = profile.timeDeltas[i] ?? 0;
    if (us > maxGapUs) return;
    const key = `${f.functionName || "(anonymous)"}${f.url ? ` ${f.url.split("/").pop()}:${f.lineNumber + 1}` : ""}`;
    self.set(key, (self.get(key) ?? 0) + us);
    total += us;
  });
  return [...self.entries()]
    .map(([name, us]) => ({ name, ms: us / 1000, share: total ? us / total : 0 }))
    .sort((a, b) => b.ms - a.ms);
}

/** Inclusive time per function (itself and what it called), largest first: where a path's time goes. */
export function totalTimes(
  profile: Profile,
  maxGapUs = Number.POSITIVE_INFINITY,
): { name: string; ms: number; share: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n: ProfileNode) =>
    `${n.callFrame.functionName || "(anonymous)"}${n.callFrame.url ? ` ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber + 1}` : ""}`;
  const total = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const leaf = byId.get(id);
    if (!leaf || leaf.callFrame.functionName === "(idle)") return;
    const us = profile.timeDeltas[i] ?? 0;
    if (us > maxGapUs) return;
    busy += us;
    const seen = new Set<string>();
    for (let n: ProfileNode | undefined = leaf; n; n = byId.get(parent.get(n.id) ?? -1)) seen.add(key(n));
    for (const k of seen) total.set(k, (total.get(k) ?? 0) + us);
  });
  return [...total.entries()]
    .map(([name, us]) => ({ name, ms: us / 1000, share: busy ? us / busy : 0 }))
    .sort((a, b) => b.ms - a.ms);
}

if (process.argv[1]?.endsWith("cpu-profile.ts")) {
  const [port, seconds, out] = process.argv.slice(2);
  const profile = await profileWorker(Number(port), Number(seconds ?? 10));
  if (out) writeFileSync(out, JSON.stringify(profile));
  const rows = selfTimes(profile);
  const busy = rows.reduce((s, r) => s + r.ms, 0);
  console.log(`busy (non-idle) ${busy.toFixed(0)} ms of ${Number(seconds) * 1000} ms`);
  console.log("-- self time");
  for (const r of rows.slice(0, 40))
    console.log(`${r.ms.toFixed(1).padStart(9)} ms ${(r.share * 100).toFixed(1).padStart(5)} %  ${r.name}`);
  console.log("-- inclusive time");
  for (const r of totalTimes(profile).slice(0, 60))
    console.log(`${r.ms.toFixed(1).padStart(9)} ms ${(r.share * 100).toFixed(1).padStart(5)} %  ${r.name}`);
}
