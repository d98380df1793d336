// The load and fault harness (harness/run.mjs) in its short mode: memory, Redis, PostgreSQL,
// and Durable Objects, D1 and KV in workerd; its invariant report is printed, and every
// invariant must hold (KV's are reported only: it has no compare-and-swap).
import { test } from "node:test";
import assert from "node:assert/strict";
import { runAll } from "./harness/run.mjs";

test("several processes, one store, racing tabs, attacks, logouts and faults: every invariant holds", async () => {
  const reports = await runAll();
  for (const report of reports) {
    console.log(`${report.store}: ${report.processes} process(es), ${report.sessions} sessions, ${report.refreshes} refreshes; errors seen: ${report.errorCodes.join(", ")}; faults absorbed: ${report.transientFailuresRetried} retried, ${report.burstsTakenOver} bursts taken over from a killed process`);
    for (const [invariant, held] of Object.entries(report.invariants)) console.log(`  ${held ? "held" : "BROKEN"}: ${invariant}`);
    if (report.bestEffort) continue; // KV: reported above, not promised
    assert.deepEqual(report.violations, [], report.store);
    assert.ok(Object.values(report.invariants).every(Boolean), report.store);
    assert.ok(report.refreshes > report.sessions, `${report.store}: the rounds refreshed`);
    if (["redis", "postgres"].includes(report.store)) {
      // The faults did happen: cut connections and the stall failed calls that were retried,
      // and the killed process left bursts for its replacement.
      assert.ok(report.transientFailuresRetried > 0, `${report.store}: no fault was felt`);
      assert.ok(report.burstsTakenOver > 0, `${report.store}: no burst was in the killed process`);
    }
  }
  assert.deepEqual(reports.map((r) => r.store), ["memory", "redis", "postgres", "workerd do", "workerd d1", "workerd kv"]);
});
