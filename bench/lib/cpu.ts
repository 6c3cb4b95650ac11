// Where the CPU goes during a run: user+system time of process groups read
// from /proc before and after, per completed request. A coarse profile that
// needs no instrumentation of the code under test (Linux only; elsewhere the
// figures are simply absent).
import { readdirSync, readFileSync } from "node:fs";

const CLK_TCK = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  ticks: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = text.lastIndexOf(")");
    const comm = text.slice(text.indexOf("(") + 1, close);
    const fields = text.slice(close + 2).split(" ");
    // fields[0] is state (field 3); utime, stime, cutime, cstime are fields 14-17. The reaped
    // children's time (cutime, cstime) counts short-lived processes, e.g. a PostgreSQL backend per connection.
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return { pid, ppid: Number(fields[1]), comm, ticks };
  } catch {
    return undefined;
  }
}

function allStats(): ProcStat[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) out.push(stat);
  }
  return out;
}

/** A named group: some root pids with all their descendants, or every process with a given name. */
export interface CpuGroup {
  name: string;
  rootPids?: number[];
  /** With rootPids: include their descendants (default true). */
  descendants?: boolean;
  comm?: string;
}

function groupTicks(groups: readonly CpuGroup[]): Map<string, number> {
  const stats = allStats();
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) {
    const list = children.get(s.ppid) ?? [];
    list.push(s);
    children.set(s.ppid, list);
  }
  const byPid = new Map(stats.map((s) => [s.pid, s]));
  const result = new Map<string, number>();
  for (const group of groups) {
    let ticks = 0;
    if (group.comm) for (const s of stats) if (s.comm === group.comm) ticks += s.ticks;
    const stack = [...(group.rootPids ?? [])];
    const seen = new Set<number>();
    while (stack.length) {
      const pid = stack.pop() as number;
      if (seen.has(pid)) continue;
      seen.add(pid);
      const s = byPid.get(pid);
      if (s) ticks += s.ticks;
      if (group.descendants !== false) for (const c of children.get(pid) ?? []) stack.push(c.pid);
    }
    result.set(group.name, ticks);
  }
  return result;
}

export interface CpuSample {
  /** CPU milliseconds per group over the interval. */
  ms: Record<string, number>;
}

/** Starts a measurement; call the returned function at the end of the interval. */
export function cpuMeter(groups: readonly CpuGroup[]): () => CpuSample {
  const before = groupTicks(groups);
  return () => {
    const after = groupTicks(groups);
    const ms: Record<string, number> = {};
    for (const group of groups) {
      ms[group.name] = (((after.get(group.name) ?? 0) - (before.get(group.name) ?? 0)) * 1000) / CLK_TCK;
    }
    return { ms };
  };
}

/** Pids under `rootPid` (itself included) whose command name is `comm`: e.g. the workerd a Miniflare host started. */
export function descendantsNamed(rootPid: number, comm: string): number[] {
  const stats = allStats();
  const children = new Map<number, number[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  const byPid = new Map(stats.map((s) => [s.pid, s]));
  const out: number[] = [];
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop() as number;
    if (byPid.get(pid)?.comm === comm) out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}
