import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, openSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";

/** The repository root, where `uv run` finds the Python workspace. */
export const REPO_ROOT = resolve(import.meta.dirname, "../../..");
export const FRONTEND_DIR = resolve(import.meta.dirname, "../..");
export const ARTIFACTS_DIR = join(FRONTEND_DIR, "artifacts");

export interface RunningProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/**
 * Starts a command in its own process group (so stopping it stops `uv run` and the Python
 * process under it), with its output in artifacts/logs/<name>.log.
 */
export function start(name: string, command: string, args: string[], options: { cwd: string; env: Record<string, string> }): RunningProcess {
  const logDir = join(ARTIFACTS_DIR, "logs");
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${name}.log`);
  const log = openSync(logFile, "w");
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, PATH: searchPath(), ...options.env },
    stdio: ["ignore", log, log],
    detached: true,
  });
  return { name, child, logFile };
}

/** Stops a process group started by start(); a group already gone is fine. */
export function stop(pid: number | undefined, signal: NodeJS.Signals = "SIGTERM"): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: it has already exited.
  }
}

/** Stops a process group and waits for it to exit: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopAndWait(proc: RunningProcess, graceMs = 5_000): Promise<void> {
  const { child } = proc;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  stop(child.pid);
  const timer = setTimeout(() => stop(child.pid, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Polls `url` until it answers 200, failing early if the process dies first. */
export async function waitUntilReady(url: string, proc: RunningProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) {
      throw new Error(`${proc.name} exited with code ${proc.child.exitCode} before it was ready; see ${proc.logFile}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((wait) => setTimeout(wait, 250));
  }
  throw new Error(`${proc.name} was not ready at ${url} within ${timeoutMs / 1000} s; see ${proc.logFile}`);
}

/** PATH plus where the Makefile installs uv, so the suite runs from `make` and from a shell alike. */
function searchPath(): string {
  const extra = [join(REPO_ROOT, ".tools", "bin"), join(process.env.HOME ?? "", ".local", "bin")].filter((dir) => existsSync(dir));
  return [...extra, process.env.PATH ?? ""].join(":");
}
