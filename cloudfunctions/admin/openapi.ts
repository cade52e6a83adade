import { cloudApp } from './cloudbase';

/**
 * WeChat's open APIs through @cloudbase/node-sdk. The node SDK has no `openapi.*` helpers; it
 * carries the same protobuf envelope wx-server-sdk sends (CommApiData with key/JSON-value pairs in,
 * CommOpenApiResp with the body and its content type out), so that envelope is written here.
 */
function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

const field = (number: number, value: Buffer) =>
  Buffer.concat([varint(number * 8 + 2), varint(value.length), value]);

function readVarint(buffer: Buffer, offset: number): [number, number] {
  let value = 0;
  let shift = 0;
  let at = offset;
  for (;;) {
    const byte = buffer[at++];
    if (byte === undefined) throw new Error('truncated protobuf');
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, at];
    shift += 7;
  }
}

function fieldsOf(buffer: Buffer): Map<number, Buffer | number> {
  const fields = new Map<number, Buffer | number>();
  let at = 0;
  while (at < buffer.length) {
    const [tag, next] = readVarint(buffer, at);
    if ((tag & 7) === 0) {
      const [value, after] = readVarint(buffer, next);
      fields.set(Math.floor(tag / 8), value);
      at = after;
    } else if ((tag & 7) === 2) {
      const [length, start] = readVarint(buffer, next);
      fields.set(Math.floor(tag / 8), buffer.subarray(start, start + length));
      at = start + length;
    } else throw new Error(`unsupported wire type ${tag & 7}`);
  }
  return fields;
}

async function callOpenApi(
  api: string,
  params: Record<string, unknown>,
): Promise<{ body: Buffer; contentType: string }> {
  const pairs = Object.entries(params).map(([key, value]) =>
    field(1, Buffer.concat([field(1, Buffer.from(key)), field(2, Buffer.from(JSON.stringify(value)))])),
  );
  // apiType OPEN_API (0), then the pairs.
  const request = Buffer.concat([varint(8), varint(0), field(2, Buffer.concat(pairs))]);
  const raw = await cloudApp().callCompatibleWxOpenApi({ apiName: api, requestData: request });
  const answer = fieldsOf(Buffer.isBuffer(raw) ? raw : Buffer.from(raw as Uint8Array));
  const body = answer.get(1);
  const contentType = answer.get(2);
  return {
    body: Buffer.isBuffer(body) ? body : Buffer.alloc(0),
    contentType: Buffer.isBuffer(contentType) ? contentType.toString('utf8') : '',
  };
}

/** A mini program code (小程序码) image for a page and scene. */
export async function miniProgramCode(scene: string, page: string): Promise<Buffer> {
  const { body, contentType } = await callOpenApi('wxacode.getUnlimited', {
    scene,
    page,
    check_path: false,
    width: 430,
  });
  if (!contentType.startsWith('image/'))
    throw new Error(`wxacode.getUnlimited failed: ${body.toString('utf8').slice(0, 200)}`);
  return body;
}
