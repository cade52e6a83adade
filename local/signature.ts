import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The CloudBase admin protocol's request signature (TC3-HMAC-SHA256 as `@cloudbase/signature-nodejs`
 * 2.2.0 computes it for @cloudbase/node-sdk 3.x, and 1.0.0-beta.0 for node-sdk 2.x), checked
 * against a key only the local cloud, its function workers and whoever can read the data dir know.
 */
export interface LocalCredentials {
  secretId: string;
  secretKey: string;
}

const CREDENTIALS_FILE = 'local-secret.json';
/** The SDK sends `X-Signature-Expires: 600`: a signature older (or newer) than that is refused. */
const SIGNATURE_LIFETIME_S = 600;

/** The data dir's key pair, made on first use (mode 600), so a restart on the same data keeps it. */
export function localCredentials(dataDir: string): LocalCredentials {
  const file = path.join(dataDir, CREDENTIALS_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    const fresh: LocalCredentials = {
      secretId: `AKIDlocal${crypto.randomBytes(8).toString('hex')}`,
      secretKey: crypto.randomBytes(32).toString('base64url'),
    };
    // Written aside then linked into place: two processes starting on one data dir agree on one key.
    const draft = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
    fs.writeFileSync(draft, JSON.stringify(fresh), { mode: 0o600 });
    try {
      fs.linkSync(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      fs.rmSync(draft, { force: true });
    }
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as LocalCredentials;
}

/** Parameters as the signer hashes them: a JSON object's fields, multipart fields, or a raw body. */
export type SignedParams = [key: string, value: string | Buffer][] | string;

export interface CanonicalRequest {
  /** As the SDK passes it to the signer (`post`). */
  method: string;
  host: string;
  /** Path without the query. */
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  /** The signed headers, names lower case, in signing order. */
  headers: [name: string, value: string][];
  params: SignedParams;
  timestamp: number;
}

/** Keys as the signer writes them: lower case, trimmed, URL-encoded the COS way. */
export function paramKey(key: string): string {
  return encodeURIComponent(key.toLowerCase().trim()).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** A JSON request body's fields as the signer formats them: non-strings as JSON, all trimmed. */
export function jsonParams(body: Record<string, unknown>): [string, string][] {
  return Object.entries(body)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => [
      paramKey(key),
      (typeof value === 'string' ? value : JSON.stringify(value)).trim(),
    ]);
}

/** A header value as signed: multipart loses its boundary, other content types stay as sent, the rest is lower-cased. */
export function signedHeaderValue(name: string, value: string): string {
  if (name === 'content-type') return value.startsWith('multipart/form-data') ? 'multipart/form-data' : value;
  return value.trim().toLowerCase();
}

function payloadHash(params: SignedParams): string {
  if (typeof params === 'string') return sha256(params);
  const hash = crypto.createHash('sha256');
  for (const [key, value] of params) {
    if (!value.length) continue;
    hash.update(`&${key}=`);
    hash.update(value);
    hash.update('\r\n');
  }
  return hash.digest('hex');
}

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');
const hmac = (key: string | Buffer, text: string) => crypto.createHmac('sha256', key).update(text).digest();

/** The hex signature of a request under a key. */
export function signature(request: CanonicalRequest, secretKey: string): string {
  const canonical = [
    request.method,
    `//${request.host}${request.path}`,
    request.query,
    `${request.headers.map(([name, value]) => `${name}:${value}`).join('\n')}\n`,
    request.headers.map(([name]) => name).join(';'),
    payloadHash(request.params),
  ].join('\n');
  const date = new Date(request.timestamp * 1000).toISOString().slice(0, 10);
  const scope = `${date}/tcb/tc3_request`;
  const toSign = `TC3-HMAC-SHA256\n${request.timestamp}\n${scope}\n${sha256(canonical)}`;
  const signing = hmac(hmac(hmac(`TC3${secretKey}`, date), 'tcb'), 'tc3_request');
  return crypto.createHmac('sha256', signing).update(toSign).digest('hex');
}

/** The `Authorization` header the SDK would send for this request. */
export function authorization(request: CanonicalRequest, credentials: LocalCredentials): string {
  const date = new Date(request.timestamp * 1000).toISOString().slice(0, 10);
  const signedParams =
    typeof request.params === 'string'
      ? ''
      : ` SignedParams=${request.params
          .filter(([, value]) => value.length)
          .map(([key]) => key)
          .join(';')},`;
  return (
    `TC3-HMAC-SHA256 Credential=${credentials.secretId}/${date}/tcb/tc3_request,${signedParams}` +
    ` SignedHeaders=${request.headers.map(([name]) => name).join(';')}, Signature=${signature(request, credentials.secretKey)}`
  );
}

export interface ParsedAuthorization {
  secretId: string;
  signedParams: string[] | null;
  signedHeaders: string[];
  signature: string;
}

const AUTHORIZATION =
  /^TC3-HMAC-SHA256 Credential=([^/\s]+)\/\d{4}-\d{2}-\d{2}\/tcb\/tc3_request,(?: SignedParams=([^,]*),)? SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

export function parseAuthorization(header: string | undefined): ParsedAuthorization | null {
  const match = header ? AUTHORIZATION.exec(header) : null;
  if (!match) return null;
  return {
    secretId: match[1],
    signedParams: match[2] === undefined ? null : match[2].split(';').filter(Boolean),
    signedHeaders: match[3].split(';'),
    signature: match[4],
  };
}

/** Why a signature is refused, before the body is read: absent, malformed, another key, or expired. */
export function checkAuthorizationHeader(
  header: string | undefined,
  timestampHeader: string | undefined,
  credentials: LocalCredentials,
  nowSeconds: number,
): { auth: ParsedAuthorization; timestamp: number } | { refusal: string } {
  const auth = parseAuthorization(header);
  if (!auth)
    return { refusal: '缺少 TC3-HMAC-SHA256 签名：本地云只接受用本地密钥签名的 SDK 请求（见 sdkEnv()）' };
  if (auth.secretId !== credentials.secretId) return { refusal: '签名所用的 SecretId 不是本地云的密钥' };
  if (!auth.signedHeaders.includes('host') || !auth.signedHeaders.includes('content-type'))
    return { refusal: '签名必须包含 host 与 content-type 请求头' };
  const timestamp = Number(timestampHeader);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > SIGNATURE_LIFETIME_S)
    return { refusal: '签名时间戳缺失或已过期（有效期 600 秒）' };
  return { auth, timestamp };
}

/**
 * Whether the signature covers exactly these parameters under the local key. Every non-empty
 * parameter must be signed, so nothing can be added to a signed request.
 */
export function signatureMatches(
  auth: ParsedAuthorization,
  request: Omit<CanonicalRequest, 'params'> & { params: SignedParams },
  secretKey: string,
): boolean {
  let params = request.params;
  if (typeof params !== 'string') {
    const present = new Map(params.filter(([, value]) => value.length));
    // The 1.x signer (node-sdk 2.x) also names the empty parameters it skipped while hashing.
    const order = (auth.signedParams ?? [...present.keys()].sort((a, b) => a.localeCompare(b))).filter(
      (key) => present.has(key),
    );
    if (order.length !== present.size) return false;
    params = order.map((key) => [key, present.get(key)!]);
  }
  const expected = Buffer.from(signature({ ...request, params }, secretKey), 'hex');
  const given = Buffer.from(auth.signature, 'hex');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
