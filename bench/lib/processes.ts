// Child processes of the harness: each server-side helper runs in its own
// process (pinned to the server cores), prints one `BENCH_READY <json>` line
// when it is listening, and is stopped through its process group. Their
// output goes to a log file, not the terminal: the Worker logs every request.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { type Pinning, pinnedCommand } from "./taskset.ts";

export interface Child<T> {
  name: string;
  pid: number;
  ready: T;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  readyTimeoutMs?: number;
}

export async function spawnReady<T>(
  name: string,
  pinning: Pinning,
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): Promise<Child<T>> {
  const [cmd, cmdArgs] = pinnedCommand(pinning, "server", command, args);
  const log = createWriteStream(options.logFile, { flags: "a" });
  const child = spawn(cmd, cmdArgs, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const ready = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`${name} not ready within ${options.readyTimeoutMs ?? 60_000} ms; see ${options.logFile}`)),
      options.readyTimeoutMs ?? 60_000,
    );
    lines.on("line", (line) => {
      if (line.startsWith("BENCH_READY ")) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice("BENCH_READY ".length)) as T);
      } else log.write(`${line}\n`);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      // Give the log stream a moment to flush, then show its tail: the temp dir is removed at the end.
      setTimeout(
        () => reject(new Error(`${name} exited with code ${code} before it was ready:\n${tail(options.logFile)}`)),
        200,
      );
    });
  });
  let stopped: Promise<void> | undefined;
  return {
    name,
    pid: child.pid as number,
    ready,
    process: child,
    stop() {
      stopped ??= (async () => {
        const group = -(child.pid as number);
        try {
          process.kill(group, "SIGTERM");
        } catch {
          return;
        }
        const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 5000).unref());
        if ((await Promise.race([exited, timeout])) === "timeout") {
          try {
            process.kill(group, "SIGKILL");
          } catch {
            // gone
          }
        }
        log.end();
      })();
      return stopped;
    },
  };
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Tells the parent this helper is listening. */
export function announceReady(info: unknown): void {
  process.stdout.write(`BENCH_READY ${JSON.stringify(info)}\n`);
}

/** Ends the helper on SIGTERM/SIGINT after `cleanup`. */
export function onStop(cleanup: () => Promise<unknown> | unknown): void {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      void Promise.resolve()
        .then(cleanup)
        .finally(() => process.exit(0));
    });
  }
}
