// The claims every library signs and verifies in the benchmark.
// About 250 bytes of claims once iat/exp are added.
export const CLAIMS = {
  sub: "user-1234567890",
  iss: "https://auth.example.com",
  aud: "https://api.example.com",
  roles: ["reader", "writer", "billing-admin"],
  tenant: "acme-corporation-eu-west",
  scope: "openid profile email offline_access",
};

/** The algorithms every library is timed with (where it has them). */
export const ALGORITHMS = ["HS256", "ES256", "EdDSA", "RS256"];
