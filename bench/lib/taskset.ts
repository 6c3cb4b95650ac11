// CPU pinning. With `taskset` and at least two cores, the server side (the
// Worker's workerd, the WebSocket-to-Postgres proxy, the peer servers) runs on
// one set of cores and the load generator on the other, so they do not steal
// each other's time slices. Without either, everything runs unpinned and the
// output says so.
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";

export interface Pinning {
  enabled: boolean;
  server: string;
  loadgen: string;
  cpus: number;
  reason: string;
}

export function planPinning(disabled = false): Pinning {
  const cpus = availableParallelism();
  const probe = spawnSync("taskset", ["-p", String(process.pid)], { encoding: "utf8" });
  const hasTaskset = probe.status === 0;
  if (disabled) return { enabled: false, server: "", loadgen: "", cpus, reason: "pinning disabled (--no-pin)" };
  if (!hasTaskset) return { enabled: false, server: "", loadgen: "", cpus, reason: "`taskset` not found: unpinned" };
  if (cpus < 2) return { enabled: false, server: "", loadgen: "", cpus, reason: "one CPU only: unpinned" };
  // Half the cores each; on this project's 2-core machines that is core 0 vs core 1.
  const half = Math.floor(cpus / 2);
  const range = (from: number, to: number) => (from === to ? String(from) : `${from}-${to}`);
  return {
    enabled: true,
    server: range(0, half - 1),
    loadgen: range(half, cpus - 1),
    cpus,
    reason: "taskset",
  };
}

/** Prefixes a command with `taskset -c <cores>` for the given side, when pinning is on. */
export function pinnedCommand(
  pinning: Pinning,
  side: "server" | "loadgen",
  command: string,
  args: readonly string[],
): [string, string[]] {
  if (!pinning.enabled) return [command, [...args]];
  return ["taskset", ["-c", pinning[side], command, ...args]];
}

/** Pins every thread of a running process (this one, or a machine service on request). Returns the old mask. */
export function pinProcess(pinning: Pinning, side: "server" | "loadgen", pid: number): string | undefined {
  if (!pinning.enabled) return undefined;
  const before = spawnSync("taskset", ["-c", "-p", String(pid)], { encoding: "utf8" });
  const old = /:\s*(\S+)\s*$/.exec(before.stdout.trim())?.[1];
  const result = spawnSync("taskset", ["-a", "-c", "-p", pinning[side], String(pid)], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`taskset on pid ${pid} failed: ${result.stderr.trim()}`);
  return old;
}

/** Restores a mask saved by pinProcess. */
export function unpinProcess(pid: number, mask: string | undefined): void {
  if (!mask) return;
  spawnSync("taskset", ["-a", "-c", "-p", mask, String(pid)], { encoding: "utf8" });
}

export function describePinning(pinning: Pinning): string {
  if (!pinning.enabled) return `not pinned (${pinning.reason}; ${pinning.cpus} CPUs)`;
  return `taskset: server side on CPU ${pinning.server}, load generator on CPU ${pinning.loadgen} (${pinning.cpus} CPUs)`;
}
