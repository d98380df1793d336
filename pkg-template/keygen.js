#!/usr/bin/env node
// `npx jwt-refresh keygen [ALG] [--kid ID] [--format dev-vars|wrangler|json] [--tty-only]`: a signing key (EdDSA
// unless ALG says otherwise: any JWS algorithm), its public JWKS to publish, and the HMAC
// refresh secret, ready for `.dev.vars` or `wrangler secret put`. Secrets go to stdout only:
// nothing is written to disk.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Key } from "./node.js";

const USAGE = `usage: jwt-refresh keygen [EdDSA|ES256|ES384|ES512|RS256|PS256|HS256|…] [--kid ID] [--format dev-vars|wrangler|json] [--tty-only]

Prints a new signing key (SIGNING_JWK), its public JWKS (to publish), and a refresh secret
(REFRESH_JWK, HS256: never publish it).
  --format dev-vars   (default) lines for a Worker's .dev.vars file
  --format wrangler   the wrangler secret put commands
  --format json       one JSON object
  --tty-only          refuse to print unless to a terminal (no secrets in a pipe, a file or a CI log)`;

function parse(argv) {
  const args = [...argv];
  if (args[0] === "keygen") args.shift();
  const options = { alg: "EdDSA", kid: undefined, format: "dev-vars", ttyOnly: false };
  while (args.length) {
    const arg = args.shift();
    if (arg === "--help" || arg === "-h") return { help: true };
    if (arg === "--kid") options.kid = args.shift();
    else if (arg === "--format") options.format = args.shift();
    else if (arg === "--tty-only") options.ttyOnly = true;
    else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}`);
    else options.alg = arg;
  }
  if (!["dev-vars", "wrangler", "json"].includes(options.format)) throw new Error(`unknown format ${options.format}`);
  return options;
}

/** The three values, as strings. */
export async function keygen({ alg = "EdDSA", kid } = {}) {
  const today = new Date().toISOString().slice(0, 10);
  const signing = await Key.generateAsync(alg, { kid: kid ?? `${alg.toLowerCase()}-${today}` });
  const refresh = Key.generate("HS256", { kid: `refresh-${today}` });
  return {
    SIGNING_JWK: JSON.stringify(signing.toPrivateJwk()),
    REFRESH_JWK: JSON.stringify(refresh.toPrivateJwk()),
    JWKS: alg.startsWith("HS") ? null : JSON.stringify({ keys: [signing.toPublicJwk()] }),
  };
}

/** The output for `format`. */
export function render(keys, format) {
  if (format === "json") return JSON.stringify(keys, null, 2);
  const quote = (value) => `'${value.replace(/'/g, "'\\''")}'`;
  const lines =
    format === "wrangler"
      ? [`echo ${quote(keys.SIGNING_JWK)} | npx wrangler secret put SIGNING_JWK`, `echo ${quote(keys.REFRESH_JWK)} | npx wrangler secret put REFRESH_JWK`]
      : [`SIGNING_JWK=${quote(keys.SIGNING_JWK)}`, `REFRESH_JWK=${quote(keys.REFRESH_JWK)}`];
  const jwks = keys.JWKS ? [`# The public JWKS, to publish (e.g. at /.well-known/jwks.json):`, `# ${keys.JWKS}`] : ["# HS256 has no public key: every verifier shares the secret."];
  return [...jwks, ...lines].join("\n");
}

// Run as the package's bin (through npx's symlink too), not when imported.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const options = parse(process.argv.slice(2));
    if (options.help) {
      console.log(USAGE);
    } else if (options.ttyOnly && !process.stdout.isTTY) {
      throw new Error("--tty-only: stdout is not a terminal, and the secrets would go to a pipe or a file (drop --tty-only to allow it)");
    } else {
      console.log(render(await keygen(options), options.format));
    }
  } catch (error) {
    console.error(`jwt-refresh keygen: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  }
}
