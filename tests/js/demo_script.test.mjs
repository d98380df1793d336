// The main job's script (scripts/demo.sh): the build is skipped when nothing it is made from
// changed, and a busy port is said plainly instead of a stack trace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const env = { ...process.env, PATH: `${process.env.HOME}/.cargo/bin:${process.env.PATH}`, BUILD_PKG_DRY_RUN: "1" };

test("build-pkg.sh: pkg/ as just built is up to date; another output or other arguments are not", () => {
  const run = (...args) => spawnSync("scripts/build-pkg.sh", args, { cwd: ROOT, env, encoding: "utf8" });
  const same = run();
  assert.equal(same.status, 0, same.stderr);
  assert.equal(same.stdout.trim(), "pkg/ is up to date (nothing it is built from changed)");
  assert.equal(run("target/never-built").stdout.trim(), "target/never-built/ would be built");
  assert.equal(run("pkg", "--no-default-features", "--features", "keys").stdout.trim(), "pkg/ would be built", "other cargo arguments");
});

test("serve.mjs: a busy port is named, with what to do, and the process ends", { timeout: 60_000 }, async () => {
  const taken = createServer();
  taken.listen(0, "127.0.0.1");
  await once(taken, "listening");
  const { port } = taken.address();
  try {
    const demo = spawn(process.execPath, ["www/serve.mjs", String(port)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    demo.stderr.on("data", (chunk) => (stderr += chunk));
    const [code] = await once(demo, "exit");
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is busy .*PORT=${port + 1} \\./scripts/demo\\.sh`));
    assert.doesNotMatch(stderr, /at .*serve\.mjs/, "no stack trace");
  } finally {
    taken.close();
  }
});
