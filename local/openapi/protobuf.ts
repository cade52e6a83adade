/**
 * Just enough protobuf wire format for the SDK's open-API envelope: varints and
 * length-delimited fields (wx-server-sdk's CommApiData in, CommOpenApiResp out, and the svrkit
 * messages of `getOpenData`).
 */
type Field = { number: number; value: number | Buffer };

function readVarint(buffer: Buffer, offset: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  let position = offset;
  for (;;) {
    if (position >= buffer.length) throw new Error('truncated varint');
    const byte = buffer[position++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, position];
    shift += 7;
  }
}

export function decodeFields(buffer: Buffer): Field[] {
  const fields: Field[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const [tag, afterTag] = readVarint(buffer, offset);
    const number = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (wireType === 0) {
      const [value, next] = readVarint(buffer, afterTag);
      fields.push({ number, value });
      offset = next;
    } else if (wireType === 2) {
      const [length, start] = readVarint(buffer, afterTag);
      if (start + length > buffer.length) throw new Error('truncated field');
      fields.push({ number, value: buffer.subarray(start, start + length) });
      offset = start + length;
    } else {
      throw new Error(`unsupported wire type ${wireType}`);
    }
  }
  return fields;
}

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

export function encodeFields(fields: Field[]): Buffer {
  return Buffer.concat(
    fields.map(({ number, value }) =>
      typeof value === 'number'
        ? Buffer.concat([varint(number * 8), varint(value)])
        : Buffer.concat([varint(number * 8 + 2), varint(value.length), value]),
    ),
  );
}

/** CommApiData → the open API's parameters (each pair's value is JSON text). */
export function decodeOpenApiRequest(buffer: Buffer): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const openapiData = decodeFields(buffer).find((field) => field.number === 2)?.value;
  if (!Buffer.isBuffer(openapiData)) return params;
  for (const pair of decodeFields(openapiData)) {
    if (pair.number !== 1 || !Buffer.isBuffer(pair.value)) continue;
    const parts = decodeFields(pair.value);
    const key = parts.find((part) => part.number === 1)?.value;
    const value = parts.find((part) => part.number === 2)?.value;
    if (!Buffer.isBuffer(key)) continue;
    const text = Buffer.isBuffer(value) ? value.toString('utf8') : '';
    try {
      params[key.toString('utf8')] = JSON.parse(text);
    } catch {
      params[key.toString('utf8')] = text;
    }
  }
  return params;
}

/** A non-zero `svrkitErrorCode` (positive here) is the platform refusing the call as a whole. */
export function encodeOpenApiResponse(body: Buffer, contentType: string, svrkitErrorCode = 0): Buffer {
  return encodeFields([
    { number: 1, value: body },
    { number: 2, value: Buffer.from(contentType) },
    { number: 3, value: 0 },
    { number: 4, value: 200 },
    ...(svrkitErrorCode ? [{ number: 6, value: svrkitErrorCode }] : []),
  ]);
}

/**
 * `cloud.getOpenData({list})` travels as CommApiData whose field 4 (SvrkitApiData) carries
 * `ApiGetOpenDataByCloudIdReq` bytes: field 2, one cloudID each.
 */
export function decodeOpenDataRequest(buffer: Buffer): string[] {
  const svrkit = decodeFields(buffer).find((field) => field.number === 4)?.value;
  if (!Buffer.isBuffer(svrkit)) return [];
  const request = decodeFields(svrkit).find((field) => field.number === 2)?.value;
  if (!Buffer.isBuffer(request)) return [];
  return decodeFields(request)
    .filter((field) => field.number === 2 && Buffer.isBuffer(field.value))
    .map((field) => (field.value as Buffer).toString('utf8'));
}

/** `ApiGetOpenDataByCloudIdResp`: field 1, one `{1: cloudId, 2: json}` per cloudID. */
export function encodeOpenDataResponse(items: { cloudId: string; json: string }[]): Buffer {
  return encodeFields(
    items.map((item) => ({
      number: 1,
      value: encodeFields([
        { number: 1, value: Buffer.from(item.cloudId) },
        { number: 2, value: Buffer.from(item.json) },
      ]),
    })),
  );
}
