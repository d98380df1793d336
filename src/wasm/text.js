// Strings into wasm memory in one native call: wasm-bindgen's own copy walks the string in JS,
// one character at a time, before it calls the encoder, and every verify copies a token of a
// few hundred characters (bench/README.md has the measurement).
const ENCODER = new TextEncoder();

/** The length of `value` in UTF-16 code units if it is a string, else -1. */
export function stringLength(value) {
  return typeof value === "string" ? value.length : -1;
}

/**
 * Writes `value` (a string) as UTF-8 into `into` (as long as the string: enough for ASCII)
 * and returns the bytes written, or -1 if it did not fit (a non-ASCII string).
 */
export function encodeAscii(value, into) {
  const { read, written } = ENCODER.encodeInto(value, into);
  return read === value.length ? written : -1;
}
