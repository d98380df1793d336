// Imported by the cold-start measurement: what Node's ES module loader costs on its own (its
// first dynamic import), which every library's cold start includes.
export {};
