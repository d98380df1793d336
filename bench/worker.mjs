// Runs benchmark loops inside workerd. POST {alg, lib, op, n}: n operations, timed inside the
// isolate (Date.now only advances on I/O in workerd, so the caller also times from outside).
import * as pkg from "../pkg/workerd.js";
import { adapters, tokens } from "./libs.mjs";
import { dpopRuns } from "./dpop.mjs";

let ready;
let dpop;

export default {
  async fetch(request, env) {
    ready ??= (async () => {
      const keys = JSON.parse(env.KEYS);
      return { libs: await adapters(pkg, keys), tokens: await tokens(keys) };
    })();
    const { libs, tokens: signed } = await ready;
    const { alg, lib, op, n, dpopRun, prepare } = await request.json();
    // POST {dpopRun, prepare: true, n} makes the proofs; {dpopRun, n} runs (bench/dpop.mjs).
    if (dpopRun) {
      dpop ??= dpopRuns(pkg, JSON.parse(env.KEYS));
      const runs = await dpop;
      await (prepare ? runs.prepare(dpopRun, n) : runs.steps(dpopRun, n));
      return Response.json({ n });
    }
    const impl = libs[alg][lib];
    if (!impl) return Response.json({ unsupported: true });
    const token = signed[alg];
    const start = Date.now();
    for (let i = 0; i < n; i++) {
      const r = op === "sign" ? impl.sign() : impl.verify(token);
      if (r && typeof r.then === "function") await r;
    }
    // A timer is I/O: it lets the isolate's clock move to the end of the loop.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return Response.json({ n, insideMs: Date.now() - start });
  },
};
