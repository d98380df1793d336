// Real Redis and PostgreSQL servers for the store tests: Debian's (scripts/setup.sh installs
// them), each on 127.0.0.1 on a free port with a throwaway data directory, started here and
// stopped by `stop()` (and by the process's exit, should a test fail first).
import { spawn, spawnSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });

/** `name` on the PATH, else in PostgreSQL's versioned bin directory. */
function binary(name) {
  const found = spawnSync("sh", ["-c", `command -v ${name} || ls /usr/lib/postgresql/*/bin/${name} 2>/dev/null | tail -1`], { encoding: "utf8" });
  const path = found.stdout.trim().split("\n").pop();
  if (!path) throw new Error(`${name} is not installed (scripts/setup.sh installs it)`);
  return path;
}

/** Polls `ready` every 50 ms until it resolves true, for at most `ms`. */
async function waitFor(ready, ms, what) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await ready().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not start within ${ms} ms`);
}

/** `stop()` for a server spawned in its own process group (runuser does not pass signals on:
 *  the whole group is signalled). */
function started(child, dir) {
  const signal = (name) => {
    try {
      process.kill(-child.pid, name);
    } catch {
      // Already gone.
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      signal("SIGINT");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      signal("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", () => signal("SIGKILL"));
  return stop;
}

/** A Redis server; `ready(port)` says whether it answers. */
export async function startRedis(ready) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "jwt-refresh-redis-"));
  const child = spawn(binary("redis-server"), ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--enable-debug-command", "local"], { stdio: "ignore", detached: true });
  const stop = started(child, dir);
  await waitFor(() => ready(port), 10_000, "redis-server");
  return { port, url: `redis://127.0.0.1:${port}`, stop };
}

/** A PostgreSQL server (as the `postgres` user when run as root, which initdb refuses). */
export async function startPostgres(ready) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "jwt-refresh-pg-"));
  const root = process.getuid?.() === 0;
  if (root) chownSync(dir, Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout), Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout));
  const as = (command, args) => (root ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args]);
  const data = join(dir, "data");
  const [initCommand, initArgs] = as(binary("initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync"]);
  const init = spawnSync(initCommand, initArgs, { encoding: "utf8" });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const [command, args] = as(binary("postgres"), ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]);
  const child = spawn(command, args, { stdio: "ignore", detached: true });
  const stop = started(child, dir);
  await waitFor(() => ready(port), 20_000, "postgres");
  return { port, connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}
