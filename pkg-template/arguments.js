// A caller's mistake in the package's JS (the fetch helpers, the session stores), typed as the
// core's are: `isJwtRefreshError`, code `invalid_options`, and a message that names it.

/** The error for a wrong argument or option. */
export function invalidArgument(message) {
  const error = new Error(message);
  error.name = "JwtRefreshError";
  error.code = "invalid_options";
  return error;
}

/** What `value` is, for a message. */
export function described(value) {
  if (typeof value?.then === "function") return "a Promise: did you forget await?";
  if (value === null || value === undefined) return String(value);
  return Array.isArray(value) ? "an array" : `a value of type ${typeof value}`;
}

/** `value`, when `fits(value)`; else the error that `store` needs `what` (a binding misnamed in
 *  `env` is undefined, and would otherwise fail at the first refresh). */
export function required(store, what, value, fits) {
  if (fits(value)) return value;
  throw invalidArgument(`${store} needs ${what}, not ${described(value)}`);
}

/** `table`, when it is a plain SQL identifier: the store writes it into its statements. */
export function tableName(store, table) {
  if (typeof table === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) return table;
  const given = typeof table === "string" ? JSON.stringify(table) : described(table);
  throw invalidArgument(`${store}: table must be a plain SQL identifier (letters, digits and _, not first a digit), not ${given}`);
}

/** `prefix`, when it is a string: every key the store writes starts with it. */
export function keyPrefix(store, prefix) {
  if (typeof prefix === "string") return prefix;
  throw invalidArgument(`${store}: prefix must be a string, not ${described(prefix)}`);
}
