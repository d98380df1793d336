// Whether a wasm instance keeps its memory over many rounds of the same work: what a server or
// a tab that lives all day does. After a warm-up, two equal windows: the first may take one
// more page (64 KiB: where the allocator settles), the second none. A leak of `64 KiB / window`
// bytes a round or more fails.
import assert from "node:assert/strict";

const PAGE = 65_536;

/** `round(count)` does the work `count` times; `memory` is the instance's `WebAssembly.Memory`. */
export async function assertMemoryHolds(memory, round, { warmUp = 300, window }) {
  await round(warmUp);
  const warm = memory.buffer.byteLength;
  await round(window);
  const settled = memory.buffer.byteLength;
  await round(window);
  const last = memory.buffer.byteLength;
  assert.ok(settled - warm <= PAGE, `grew from ${warm} to ${settled} bytes in the first ${window} rounds`);
  assert.equal(last, settled, `grew from ${settled} to ${last} bytes in the next ${window} rounds`);
}
