// Child processes and orderly shutdown for `npm start`. Every resource is
// registered as it starts; Ctrl-C (or SIGTERM, or a child dying) releases them
// in reverse order, so the proxy outlives the Worker that uses it and the
// database outlives the proxy.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface ManagedChild {
  name: string;
  process: ChildProcess;
  /** Resolves with the exit code (or 128 + signal number) once the child has gone. */
  exited: Promise<number>;
  /** The stop signal to the child's whole process group, SIGKILL if it lingers. */
  stop(graceMs?: number): Promise<number>;
  /** SIGKILL to the whole group at once, as a crash would (tests of recovery). */
  kill(): Promise<number>;
}

export interface SpawnManagedOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Prefix for each output line; defaults to `[name]`. */
  prefix?: string;
  /** Receives each output line instead of the terminal (e.g. to watch for readiness, or to keep a server quiet). */
  onLine?: (line: string) => void;
  /** Run as another user (PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
  /** What `stop()` sends first; SIGTERM unless the program defines a better "stop now, cleanly" signal. */
  stopSignal?: NodeJS.Signals;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

function pipeLines(stream: NodeJS.ReadableStream | null, write: (line: string) => void): void {
  if (!stream) return;
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  lines.on("line", write);
}

export function spawnManaged(
  name: string,
  command: string,
  args: readonly string[],
  options: SpawnManagedOptions = {},
): ManagedChild {
  // A process group of its own: wrangler starts workerd (and esbuild) below
  // it, and killing only the direct child would orphan them. It also keeps
  // the terminal's Ctrl-C from reaching the child before we decide to stop it.
  const child = spawn(command, [...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  const prefix = options.prefix ?? `[${name}]`;
  const onLine = options.onLine;
  pipeLines(child.stdout, onLine ?? ((line) => process.stdout.write(`${prefix} ${line}\n`)));
  pipeLines(child.stderr, onLine ?? ((line) => process.stderr.write(`${prefix} ${line}\n`)));

  const exited = new Promise<number>((resolve) => {
    child.once("error", (error) => {
      process.stderr.write(`${prefix} failed to start: ${error.message}\n`);
      resolve(127);
    });
    child.once("exit", (code, signal) => resolve(code ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 0) : 0)));
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });

  const signalGroup = (signal: NodeJS.Signals): void => {
    if (done || child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };

  return {
    name,
    process: child,
    exited,
    async stop(graceMs = 5000) {
      signalGroup(options.stopSignal ?? "SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), graceMs);
      });
      const first = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      if (first === "timeout") {
        process.stderr.write(`${prefix} did not stop within ${graceMs} ms; killing it\n`);
        signalGroup("SIGKILL");
      }
      return exited;
    },
    kill() {
      signalGroup("SIGKILL");
      return exited;
    },
  };
}

export interface Lifecycle {
  /** Registers a resource to release on shutdown; released last-in, first-out. */
  add(name: string, release: () => Promise<unknown> | unknown): void;
  /** Releases everything once (later calls wait for the first) and exits the process with `code`. */
  shutdown(reason: string, code?: number): Promise<never>;
  /**
   * Routes SIGINT/SIGTERM/SIGHUP to `shutdown`. A second signal while stopping
   * only says so: exiting early would orphan the database under a running
   * Worker, and a terminal's Ctrl-C reaches npm, tsx and us at once, so one
   * keypress can already arrive twice.
   */
  handleSignals(): void;
  readonly stopping: boolean;
}

export function createLifecycle(log: (message: string) => void = (m) => process.stderr.write(`${m}\n`)): Lifecycle {
  const resources: { name: string; release: () => Promise<unknown> | unknown }[] = [];
  let stopping: Promise<never> | undefined;

  async function releaseAll(reason: string, code: number): Promise<never> {
    log(`\nStopping (${reason})...`);
    for (const resource of resources.reverse()) {
      try {
        await resource.release();
      } catch (error) {
        log(`  ${resource.name}: ${error instanceof Error ? error.message : String(error)}`);
        if (code === 0) code = 1;
      }
    }
    log("Stopped.");
    process.exit(code);
  }

  const lifecycle: Lifecycle = {
    add(name, release) {
      resources.push({ name, release });
    },
    shutdown(reason, code = 0) {
      stopping ??= releaseAll(reason, code);
      return stopping;
    },
    handleSignals() {
      for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
        process.on(signal, () => {
          if (stopping) {
            log(`${signal}: already stopping, in order; please wait.`);
            return;
          }
          void lifecycle.shutdown(signal, 0);
        });
      }
    },
    get stopping() {
      return stopping !== undefined;
    },
  };
  return lifecycle;
}

function parentOf(pid: number): { ppid: number; args: string } | undefined {
  try {
    const out = execFileSync("ps", ["-o", "ppid=,args=", "-p", String(pid)], { encoding: "utf8" }).trim();
    const match = /^(\d+)\s+(.*)$/.exec(out);
    return match ? { ppid: Number(match[1]), args: match[2] ?? "" } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The processes that launched us, up to `npm` itself. A SIGTERM sent to
 * npm's own PID ends npm without passing it on, orphaning everything below
 * it; watching the launchers lets us notice and stop in order anyway.
 */
export function launchers(maxDepth = 4): number[] {
  const chain: number[] = [];
  let pid = process.ppid;
  for (let depth = 0; depth < maxDepth && pid > 1; depth++) {
    const info = parentOf(pid);
    if (!info) break;
    chain.push(pid);
    if (/^npm\b|\/npm(-cli\.js)?\b/.test(info.args)) return chain;
    pid = info.ppid;
  }
  // Not started through npm: our direct parent is the launcher.
  return chain.slice(0, 1);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Shuts the lifecycle down when a launcher exits; returns a function that stops watching. */
export function stopWithLaunchers(lifecycle: Lifecycle, pids = launchers(), everyMs = 500): () => void {
  const timer = setInterval(() => {
    if (process.ppid === 1 || pids.some((pid) => !alive(pid))) {
      clearInterval(timer);
      void lifecycle.shutdown("the process that started us exited", 0);
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
