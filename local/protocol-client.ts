import http from 'node:http';
import { authorization, jsonParams, type LocalCredentials } from './signature';

export { type LocalCredentials, localCredentials } from './signature';

/**
 * One admin-protocol request (`POST <baseUrl>/admin`) signed with the local key as the SDK signs
 * it, for tools and tests that talk to the local cloud without the SDK. A string body is sent and
 * signed as it is (for malformed input). Resolves to the answer's JSON.
 */
export function protocolRequest(
  baseUrl: string,
  credentials: LocalCredentials,
  body: Record<string, unknown> | string,
): Promise<any> {
  const url = new URL('/admin', baseUrl);
  const payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const timestamp = Math.floor(Date.now() / 1000) - 1;
  const headers: [string, string][] = [
    ['content-type', 'application/json'],
    ['host', url.host],
  ];
  const signed = authorization(
    {
      method: 'post',
      host: url.host,
      path: url.pathname,
      query: '',
      headers,
      params: typeof body === 'string' ? body : jsonParams(body),
      timestamp,
    },
    credentials,
  );
  return new Promise((resolve, reject) => {
    // Plain options, not the URL object: under jest's jsdom, URL is not Node's own class.
    const req = http.request(
      {
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || 80,
        path: url.pathname,
        method: 'POST',
        headers: {
          ...Object.fromEntries(headers),
          'content-length': String(payload.length),
          authorization: signed,
          'x-timestamp': String(timestamp),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (error) {
            reject(error);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
