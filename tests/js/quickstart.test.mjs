// www/quickstart.mjs, run as the README says: every step answers as it narrates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

test("the quickstart's flow: expiry, refresh, grace, theft, revocation", async () => {
  const script = fileURLToPath(new URL("../../www/quickstart.mjs", import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [script]);
  const steps = stdout.split("\n").filter((line) => /^[✔✘]/.test(line)).map((line) => line.replace(/ \(session .*\)$/, "").replace(/hello .*$/, "hello"));
  assert.deepEqual(steps, [
    "✔ request now: hello",
    "✘ request 16 minutes later: token_expired",
    "✔ refresh at 16 minutes, with both tokens: the session's current pair",
    "✔ request with the new access token: hello",
    "✔ the old pair again, 10 s later (a second tab, inside the grace window): the session's current pair",
    "✘ the old pair again, 2 minutes later (a thief, past the grace window): refresh_token_reused",
    "✘ the legitimate client's next refresh: session_revoked",
  ]);
  assert.match(stdout, /error_description="token_expired": the client refreshes/);
});
