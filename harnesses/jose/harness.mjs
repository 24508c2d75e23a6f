// jose (panva) behind the harness protocol (vectors/HARNESS.md).
//
// Verify through jwtVerify with the vector's options (currentDate is
// jose's own clock option); a JWK Set through createLocalJWKSet, which
// picks the key by kid itself; a single key as raw bytes (importJWK gives
// bytes for an "oct" JWK). Sign through CompactSign, only when jose's
// JSON.stringify of the header gives back the vector's exact header bytes.
// base64url through jose.base64url; jose has no raw HMAC API. Errors map to
// codes only where jose's error class (and claim) names the rule.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import * as jose from 'jose';

const version = JSON.parse(
  readFileSync(new URL('./node_modules/jose/package.json', import.meta.url)),
).version;

const SUPPORTED = ['algorithms', 'leeway', 'iss', 'aud', 'sub', 'required', 'typ'];
const CLAIM_CODES = { nbf: 'not_yet_valid', iss: 'invalid_issuer', aud: 'invalid_audience', sub: 'invalid_subject', typ: 'invalid_type' };

class Unsupported extends Error {}

function codeOf(e) {
  if (e instanceof jose.errors.JWTExpired) return 'expired';
  if (e instanceof jose.errors.JWTClaimValidationFailed) {
    if (e.reason === 'missing') return 'missing_claim';
    return CLAIM_CODES[e.claim] ?? null;
  }
  if (e instanceof jose.errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (e instanceof jose.errors.JOSEAlgNotAllowed) return 'algorithm';
  if (e instanceof jose.errors.JWKSNoMatchingKey) return 'unknown_key';
  if (e instanceof jose.errors.JOSENotSupported && /Extension Header Parameter/.test(e.message)) return 'unsupported_critical';
  return null;
}

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const fromHex = (text) => new Uint8Array(Buffer.from(text, 'hex'));

async function singleKey(req) {
  if ('key_utf8' in req) return new TextEncoder().encode(req.key_utf8);
  if ('key_hex' in req) return fromHex(req.key_hex);
  return jose.importJWK(req.key, req.key.alg ?? 'HS256');
}

async function verify(req) {
  const v = req.validation ?? {};
  const extra = Object.keys(v).filter((k) => !SUPPORTED.includes(k));
  if (extra.length) throw new Unsupported(`cannot apply validation ${extra.join(', ')}`);
  const key = 'jwks' in req ? jose.createLocalJWKSet(req.jwks) : await singleKey(req);
  const options = { algorithms: v.algorithms ?? ['HS256'], clockTolerance: v.leeway ?? 0 };
  if ('now' in req) options.currentDate = new Date(req.now * 1000);
  if ('iss' in v) options.issuer = v.iss;
  if ('aud' in v) options.audience = v.aud;
  if ('sub' in v) options.subject = v.sub;
  if ('typ' in v) options.typ = v.typ;
  if ('required' in v) options.requiredClaims = v.required;
  const { payload, protectedHeader } = await jose.jwtVerify(req.token, key, options);
  return { result: 'valid', claims: payload, header: protectedHeader };
}

async function sign(req) {
  const headerText = 'header_json' in req
    ? req.header_json
    : new TextDecoder().decode(jose.base64url.decode(req.header_b64u));
  const header = JSON.parse(headerText);
  if (JSON.stringify(header) !== headerText) throw new Unsupported('jose writes the header itself: these exact bytes cannot be asked for');
  const payload = 'payload_json' in req
    ? new TextEncoder().encode(req.payload_json)
    : jose.base64url.decode(req.payload_b64u);
  if ('jwks' in req) throw new Unsupported('signing with a key chosen from a JWK Set');
  const token = await new jose.CompactSign(payload).setProtectedHeader(header).sign(await singleKey(req));
  return { result: 'valid', token };
}

async function answer(req) {
  try {
    if (req.kind === 'verify') return await verify(req);
    if (req.kind === 'sign') return await sign(req);
    if (req.kind === 'base64url') {
      const decoded = jose.base64url.decode(req.encoded);
      return { result: 'valid', decoded_hex: hex(decoded), encoded: jose.base64url.encode(decoded) };
    }
    throw new Unsupported('jose has no HMAC primitive of its own');
  } catch (e) {
    if (e instanceof Unsupported) return { result: 'unsupported', message: e.message };
    if (req.kind === 'base64url') return { result: 'invalid', message: String(e) };
    return { result: 'invalid', code: codeOf(e), message: String(e) };
  }
}

process.stdout.write(`${JSON.stringify({ protocol: 1, name: 'jose', version })}\n`);
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  const req = JSON.parse(line);
  const resp = await answer(req);
  process.stdout.write(`${JSON.stringify({ id: req.id, ...resp })}\n`);
}
