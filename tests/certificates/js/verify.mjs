import { base64url, createRemoteJWKSet, errors, jwtVerify } from "jose";

const { SITE, ISSUER } = process.env; // the deployment's PUBLIC_URL and its DID (in a browser: write them in)
const keys = createRemoteJWKSet(new URL(`${SITE}/.well-known/jwks.json`));
// What a bad signature or bad claims throw; anything else (the site unreachable) is no verdict, not "forged".
const FORGED = [
  errors.JWSSignatureVerificationFailed, errors.JWSInvalid, errors.JWTInvalid, errors.JWTClaimValidationFailed,
  errors.JWKSNoMatchingKey, errors.JOSEAlgNotAllowed, errors.JOSENotSupported,
];

async function statusBit(entry) {
  const response = await fetch(entry.statusListCredential);
  if (!response.ok) throw new Error(`${entry.statusListCredential}: HTTP ${response.status}`);
  const { payload } = await jwtVerify(await response.text(), keys, { issuer: ISSUER, typ: "vc+jwt" });
  const subject = payload.credentialSubject;
  if (subject.statusPurpose !== entry.statusPurpose) throw new Error("wrong status list");
  const gzipped = new Blob([base64url.decode(subject.encodedList.slice(1))]); // multibase "u": base64url
  const inflated = gzipped.stream().pipeThrough(new DecompressionStream("gzip"));
  const bits = new Uint8Array(await new Response(inflated).arrayBuffer());
  const index = Number(entry.statusListIndex);
  return (bits[index >> 3] >> (7 - (index & 7))) & 1; // index 0 is the left-most bit
}

async function judged(token, options, entriesOf) {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, keys, options));
  } catch (e) {
    if (e instanceof errors.JWTExpired) return "expired";
    if (e instanceof errors.JWTClaimValidationFailed && e.claim === "nbf") return "not_yet_valid";
    if (FORGED.some((kind) => e instanceof kind)) return "forged";
    throw e;
  }
  const bits = {};
  for (const entry of entriesOf(payload)) bits[entry.statusPurpose] = await statusBit(entry);
  return bits.revocation ? "revoked" : bits.suspension ? "suspended" : "valid";
}

export async function verdict(credential) {
  const options = { issuer: ISSUER, typ: "vc+jwt", requiredClaims: ["iss", "sub", "jti", "iat", "nbf"] };
  return judged(credential, options, (vc) => vc.credentialStatus);
}

// A scanned QR code (<SITE>/verify/?t=<token>): no issuer claim; its "st" names the slot in both lists.
export async function qrVerdict(token) {
  return judged(token, { typ: "sc-qr+jwt" }, ({ st: [list, index] }) =>
    ["revocation", "suspension"].map((statusPurpose) => ({
      statusPurpose,
      statusListIndex: String(index),
      statusListCredential: `${SITE}/status/${list}/${statusPurpose}`,
    })),
  );
}
