// `jwt-refresh/client` under workerd (Cloudflare Workers): the AuthClient is the browser half
// and has no place in a Worker. Fail at import with the entry to use instead, rather than with
// the "Invalid URL string" of loading the browser build's wasm by URL.
throw new Error(
  'jwt-refresh/client is the browser client (AuthClient). In a Worker, import "jwt-refresh": ' +
    "Issuer, verify, authenticate and handleRefresh, with its wasm bundled as a module.",
);
