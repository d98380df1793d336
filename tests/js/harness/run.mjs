// The load and fault harness (#18): several processes share one session store and refresh the
// same sessions at once — tabs racing inside the grace window, an attacker replaying after it,
// logouts, revoke-all, sessions past their lifetime — while the store's connections are cut,
// the store is stalled past storeTimeout, and a process is killed in the middle of a round.
// Then it checks, over every session: no legitimate client was logged out, every late replay
// revoked its session, nothing refreshed past its lifetime or after its revocation, every
// error was typed. Once per store: memory (one process), Redis, PostgreSQL (four processes),
// and in workerd Durable Objects, D1 and KV (KV best effort: reported, not promised).
//   node tests/js/harness/run.mjs [--long]   (the short mode runs in the test command)
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Key, MemoryStore, errorCodes } from "../../../pkg/node.js";
import { command, issuerOver, openStore } from "./client.mjs";

const CLIENT = fileURLToPath(new URL("./client.mjs", import.meta.url));
const KNOWN = new Set(errorCodes());

/** `count` child processes answering commands, each with its own store connection. */
async function processes(count, spec, keys) {
  let nextId = 0;
  const spawnOne = async () => {
    const child = fork(CLIENT, ["--child"], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
    const pending = new Map();
    child.on("message", (message) => {
      pending.get(message.id)?.(message);
      pending.delete(message.id);
    });
    child.on("exit", () => {
      for (const resolve of pending.values()) resolve({ lost: true });
      pending.clear();
    });
    const send = (message) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve({ lost: true });
        const id = ++nextId;
        pending.set(id, resolve);
        child.send({ ...message, id });
      });
    await send({ op: "init", spec, keys });
    return { send, kill: () => child.kill("SIGKILL"), stop: () => send({ op: "exit" }), child };
  };
  return Promise.all(Array.from({ length: count }, spawnOne)).then((all) => ({ all, spawnOne }));
}

/** `count` clients in this process over one memory store (no process can share it). */
async function inProcess(count, store, keys) {
  const spawnOne = async () => {
    const issuer = issuerOver(store, keys);
    return { send: (message) => command(issuer, message), kill: () => {}, stop: async () => {} };
  };
  return Promise.all(Array.from({ length: count }, spawnOne)).then((all) => ({ all, spawnOne }));
}

/** The clients of a store this process can reach: child processes (or, for memory, this
 *  process), and the coordinator's own Issuer. */
async function localClients(spec, keys, workers) {
  const memory = new MemoryStore();
  const pool = spec.kind === "memory" ? await inProcess(workers, memory, keys) : await processes(workers, spec, keys);
  const own = await openStore(spec, memory);
  const issuer = issuerOver(own.store, keys);
  return { pool, control: { send: (message) => command(issuer, message) }, close: own.close };
}

const percentile = (values, p) => {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

/**
 * Runs the harness against `spec` (`{ kind: "memory" | "redis" | "postgres", url?, …admin }`);
 * `faults` (for the shared stores) are `{ cutConnections(), stall(ms) }`. Resolves to the report.
 */
export async function runHarness({ spec, faults, connect, sessions: count = 24, workers = 4, rounds = 3, tabs = 3 }) {
  const keys = { signing: (await Key.generateAsync("ES256", { kid: "h" })).toPrivateJwk(), refresh: Key.generate("HS256").toPrivateJwk() };
  const { pool, control, close } = await (connect ?? localClients)(spec, keys, workers);
  const codes = [];
  const latencies = [];
  let refreshes = 0;
  let retried = 0;
  let takenOver = 0;

  // Sessions, each with a role that decides what must become of it.
  const roles = ["normal", "attacked", "logout", "expired", "revokeAll", "normal"];
  const sessions = [];
  for (let i = 0; i < count; i++) {
    const role = roles[i % roles.length];
    const subject = role === "revokeAll" ? "everywhere" : `user-${i % 5}`;
    const { pair } = await control.send({ op: "start", subject, claims: { i } });
    sessions.push({ i, role, subject, first: pair, pair, worker: i % workers, events: [] });
  }
  const note = (session, event) => session.events.push({ ...event, at: Date.now() });
  const record = (session, result, what) => {
    retried += result.retried ?? 0;
    if (result.ok) {
      refreshes += 1;
      session.pair = result.pair;
    } else {
      codes.push(result.code);
    }
    note(session, { what, ok: result.ok, code: result.code });
  };

  // Rounds of racing tabs, with the faults in the middle one.
  const started = Date.now();
  for (let round = 0; round < rounds; round++) {
    const middle = round === Math.floor(rounds / 2);
    const bursts = sessions.map(async (session) => {
      let answer = await pool.all[session.worker].send({ op: "burst", pair: session.pair, tabs });
      for (let attempt = 0; answer.lost && attempt < 100; attempt++) {
        // Its process was killed mid-refresh: its replacement takes the session over with the
        // last pair it knew of (a rotation that landed unseen is within the grace window).
        note(session, { what: "taken over" });
        if (attempt === 0) takenOver += 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
        answer = await pool.all[session.worker].send({ op: "burst", pair: session.pair, tabs });
      }
      latencies.push(answer.endedAt - answer.startedAt);
      for (const result of answer.results) record(session, result, "tab");
    });
    if (middle && faults) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await faults.cutConnections();
      const victim = pool.all[1 % workers];
      victim.kill();
      pool.all[1 % workers] = await pool.spawnOne();
      await faults.stall(500);
    }
    await Promise.all(bursts);
  }
  const elapsed = Date.now() - started;

  // The attacker replays each attacked session's first pair after the grace window.
  for (const session of sessions.filter((s) => s.role === "attacked")) {
    const answer = await control.send({ op: "replay", pair: session.first, offset: 61 });
    note(session, { what: "replay", ok: answer.result.ok, code: answer.result.code });
    if (!answer.result.ok) codes.push(answer.result.code);
  }
  // Logouts by their owners, and "log out everywhere" for one subject.
  for (const session of sessions.filter((s) => s.role === "logout")) {
    const answer = await pool.all[session.worker].send({ op: "logout", pair: session.pair });
    note(session, { what: "logout", ok: answer.result.ok, code: answer.result.code });
  }
  const { count: revokedAll } = await control.send({ op: "revokeAll", subject: "everywhere" });
  for (const session of sessions.filter((s) => s.role === "revokeAll")) note(session, { what: "revokeAll" });
  // Every owner refreshes once more: the expired ones past the session's lifetime.
  await Promise.all(
    sessions.map(async (session) => {
      const offset = session.role === "expired" ? 3601 : 0;
      const answer = await pool.all[session.worker].send({ op: "refresh", pair: session.pair, offset });
      note(session, { what: "final", ok: answer.result.ok, code: answer.result.code });
      if (!answer.result.ok) codes.push(answer.result.code);
    }),
  );

  // The invariants, over every session.
  // Past its lifetime a session is refused by its record (session_expired) or, first, by the
  // access token's age, which the lifetime bounds too (token_too_old).
  const expectations = {
    normal: ["ok"],
    attacked: ["session_revoked"],
    logout: ["session_revoked"],
    revokeAll: ["session_revoked"],
    expired: ["session_expired", "token_too_old"],
  };
  const violations = [];
  for (const session of sessions) {
    const final = session.events.findLast((e) => e.what === "final");
    const got = final.ok ? "ok" : final.code;
    if (!expectations[session.role].includes(got)) violations.push(`session ${session.i} (${session.role}): ended ${got}, expected ${expectations[session.role].join(" or ")}`);
    const tabFailures = session.events.filter((e) => e.what === "tab" && !e.ok);
    if (tabFailures.length) violations.push(`session ${session.i}: a legitimate tab got ${tabFailures.map((e) => e.code).join(", ")}`);
    const replay = session.events.find((e) => e.what === "replay");
    if (replay && replay.code !== "refresh_token_reused") violations.push(`session ${session.i}: the late replay got ${replay.ok ? "new tokens" : replay.code}`);
  }
  const untyped = codes.filter((code) => !KNOWN.has(code));
  const report = {
    store: spec.label ?? spec.kind,
    processes: spec.kind === "memory" || spec.kind === "workerd" ? 1 : workers,
    sessions: count,
    refreshes,
    revokedAll,
    invariants: {
      "no legitimate client logged out": violations.filter((v) => /tab|\(normal\)/.test(v)).length === 0,
      "every late replay revoked its session": violations.filter((v) => /replay|\(attacked\)/.test(v)).length === 0,
      "no refresh after logout or revoke-all": violations.filter((v) => /\((logout|revokeAll)\)/.test(v)).length === 0,
      "no session outlived its lifetime": violations.filter((v) => /\(expired\)/.test(v)).length === 0,
      "every error typed": untyped.length === 0,
    },
    violations: [...violations, ...untyped.map((code) => `untyped error: ${code}`)],
    errorCodes: [...new Set(codes)].sort(),
    transientFailuresRetried: retried,
    burstsTakenOver: takenOver,
    refreshesPerSecond: Math.round((refreshes * 1000) / Math.max(1, elapsed)),
    burstMsP50: percentile(latencies, 50),
    burstMsP99: percentile(latencies, 99),
  };
  await Promise.all(pool.all.map((worker) => worker.stop()));
  await close();
  return report;
}

/** Fault injectors over an admin connection: cut every other connection, stall the store. */
export async function redisFaults(url) {
  const { createClient } = await import("redis");
  const admin = createClient({ url });
  admin.on("error", () => {});
  await admin.connect();
  return {
    cutConnections: () => admin.sendCommand(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"]),
    stall: (ms) => admin.sendCommand(["DEBUG", "SLEEP", String(ms / 1000)]),
    close: () => admin.quit(),
  };
}

export async function postgresFaults(url, table) {
  const { default: pg } = await import("pg");
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  return {
    cutConnections: () =>
      admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'"),
    stall: async (ms) => {
      await admin.query("BEGIN");
      await admin.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      await admin.query(`SELECT pg_sleep(${ms / 1000})`);
      await admin.query("COMMIT");
    },
    close: () => admin.end(),
  };
}

/** The clients of a store in workerd (Miniflare with real Durable Objects, D1 and KV): every
 *  command a request to the harness's Worker, many at once (no process to kill, no connection
 *  to cut: the faults are the local stores'). */
export function workerdClients(store) {
  return async (spec, keys, workers) => {
    const { Miniflare } = await import("miniflare");
    const root = fileURLToPath(new URL("../../..", import.meta.url));
    const mf = new Miniflare({
      modules: true,
      modulesRoot: root,
      scriptPath: fileURLToPath(new URL("../worker/harness-worker.mjs", import.meta.url)),
      modulesRules: [
        { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
        { type: "CompiledWasm", include: ["**/*.wasm"] },
      ],
      compatibilityDate: "2025-06-01",
      kvNamespaces: ["SESSIONS_KV"],
      d1Databases: ["SESSIONS_D1"],
      durableObjects: { SESSIONS_DO: "SessionStoreObject" },
      bindings: { KEYS: JSON.stringify(keys) },
    });
    const send = async (message) => (await mf.dispatchFetch("http://harness/", { method: "POST", body: JSON.stringify({ ...message, store }) })).json();
    const client = { send, kill: () => {}, stop: async () => {} };
    const all = Array.from({ length: workers }, () => client);
    return { pool: { all, spawnOne: async () => client }, control: { send }, close: () => mf.dispose() };
  };
}

/** Every store, started here; the long mode also prints refreshes per second and latencies. */
export async function runAll({ long = false } = {}) {
  const { startPostgres, startRedis } = await import("../support/servers.mjs");
  const size = long ? { sessions: 240, rounds: 8 } : { sessions: 24, rounds: 3 };
  const reports = [await runHarness({ spec: { kind: "memory" }, ...size })];
  const redis = await startRedis(async (port) => {
    const { createClient } = await import("redis");
    const probe = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
    probe.on("error", () => {});
    try {
      await probe.connect();
      return (await probe.ping()) === "PONG";
    } finally {
      await probe.quit().catch(() => {});
    }
  });
  try {
    const faults = await redisFaults(redis.url);
    reports.push(await runHarness({ spec: { kind: "redis", url: redis.url, prefix: "harness:" }, faults, ...size }));
    await faults.close();
  } finally {
    await redis.stop();
  }
  const postgres = await startPostgres(async (port) => {
    const { default: pg } = await import("pg");
    const probe = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
    try {
      await probe.connect();
      return true;
    } finally {
      await probe.end().catch(() => {});
    }
  });
  try {
    const table = "harness_sessions";
    const url = postgres.connectionString;
    // The table exists before the stall locks it.
    const { default: pg } = await import("pg");
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    await setup.query(`CREATE TABLE IF NOT EXISTS ${table} (subject text NOT NULL, session_id text NOT NULL, value text NOT NULL, version bigint NOT NULL, expires_at bigint NOT NULL, PRIMARY KEY (subject, session_id))`);
    await setup.end();
    const faults = await postgresFaults(url, table);
    reports.push(await runHarness({ spec: { kind: "postgres", url, table }, faults, ...size }));
    await faults.close();
  } finally {
    await postgres.stop();
  }
  for (const store of ["do", "d1", "kv"]) {
    const report = await runHarness({ spec: { kind: "workerd", label: `workerd ${store}` }, connect: workerdClients(store), ...size });
    // KV has no compare-and-swap: its invariants are reported, not promised.
    reports.push({ ...report, bestEffort: store === "kv" });
  }
  return reports;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const reports = await runAll({ long: process.argv.includes("--long") });
  console.log("store | processes | sessions | refreshes | refreshes/s | burst p50 ms | burst p99 ms | invariants");
  for (const r of reports) {
    const held = Object.values(r.invariants).every(Boolean);
    const verdict = held ? "all held" : `${r.bestEffort ? "(best effort) " : ""}${r.violations.join("; ")}`;
    console.log([r.store, r.processes, r.sessions, r.refreshes, r.refreshesPerSecond, r.burstMsP50, r.burstMsP99, verdict].join(" | "));
  }
  console.log(JSON.stringify(reports, null, 2));
}
