// Child processes of the harness: each server-side helper runs in its own
// process (pinned to the server cores), prints one `BENCH_READY <json>` line
// when it is listening, and is stopped through its process group. Their
// output goes to a log file, not the terminal: the Worker logs every request.
// The process itself is managed by scripts/dev/processes.ts, the one process
// manager `npm start` and the tests use; this adds pinning and the ready line.
import type { ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { spawnManaged } from "../../scripts/dev/processes.ts";
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
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  let announce: (info: T) => void = () => {};
  const announced = new Promise<T>((resolve) => {
    announce = resolve;
  });
  const child = spawnManaged(name, cmd, cmdArgs, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    onLine: (line) => {
      if (line.startsWith("BENCH_READY ")) announce(JSON.parse(line.slice("BENCH_READY ".length)) as T);
      else log.write(`${line}\n`);
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const ready = await Promise.race([
    announced,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${name} not ready within ${readyTimeoutMs} ms; see ${options.logFile}`)),
        readyTimeoutMs,
      );
    }),
    child.exited.then(
      (code) =>
        // Give the log stream a moment to flush, then show its tail: the temp dir is removed at the end.
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error(`${name} exited with code ${code} before it was ready:\n${tail(options.logFile)}`)),
            200,
          ),
        ),
    ),
  ]).finally(() => clearTimeout(timer));
  let stopped: Promise<void> | undefined;
  return {
    name,
    pid: child.process.pid as number,
    ready,
    process: child.process,
    stop() {
      stopped ??= child.stop(5000).then(() => {
        log.end();
      });
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
