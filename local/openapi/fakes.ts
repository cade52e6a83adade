import QRCode from 'qrcode';
import { encodeOpenDataResponse } from './protobuf';

/** One call a function made to a WeChat open API, as the local cloud recorded it. */
export interface OpenApiCall {
  api: string;
  params: Record<string, unknown>;
  caller: { functionName?: string; openid?: string };
  at: string;
  errcode: number;
}

export interface OpenApiAnswer {
  body: Buffer;
  contentType: string;
  errcode: number;
  /** Non-zero: the platform refused the call as a whole (the SDK throws "internal svrkit error"). */
  svrkitErrorCode?: number;
}

/** The open data API: `cloud.getOpenData({list: [cloudID]})` arrives under this name. */
export const OPEN_DATA_API = 'ApiGetOpenDataByCloudId';
/** What the local cloud answers for a cloudID it cannot resolve (any non-zero code fails the call). */
const UNKNOWN_CLOUD_ID = 1;

/** The scene of a mini program code: ≤ 32 visible characters of this set (PLATFORM.md). */
const SCENE = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$/;
const TEST_PHONE_CODE = /^test:(\d{11})$/;
const RECORD_LIMIT = 5000;

function json(value: Record<string, unknown>): OpenApiAnswer {
  return {
    body: Buffer.from(JSON.stringify(value)),
    contentType: 'application/json',
    errcode: Number(value.errcode ?? 0),
  };
}

/**
 * Local stand-ins for WeChat's open APIs. Every call is recorded so tests and demos can see what
 * would have been sent (subscribe messages, content checks, codes).
 */
export class OpenApiFakes {
  readonly calls: OpenApiCall[] = [];
  /** Words that make `security.msgSecCheck` answer "risky". */
  blockedWords: string[] = ['违禁词'];

  constructor(private readonly appId: string) {}

  async answer(
    api: string,
    params: Record<string, unknown>,
    caller: OpenApiCall['caller'],
  ): Promise<OpenApiAnswer> {
    const answer = await this.fake(api, params);
    this.calls.push({ api, params, caller, at: new Date().toISOString(), errcode: answer.errcode });
    if (this.calls.length > RECORD_LIMIT) this.calls.splice(0, this.calls.length - RECORD_LIMIT);
    return answer;
  }

  private async fake(api: string, params: Record<string, unknown>): Promise<OpenApiAnswer> {
    switch (api) {
      case OPEN_DATA_API:
        return this.openData(Array.isArray(params.list) ? params.list.map(String) : []);
      case 'phonenumber.getPhoneNumber': {
        const match = TEST_PHONE_CODE.exec(String(params.code ?? ''));
        if (!match)
          return json({ errcode: 40029, errmsg: 'invalid code (local cloud accepts test:<11 digits>)' });
        const phone = match[1];
        return json({
          errcode: 0,
          errmsg: 'ok',
          phone_info: {
            phoneNumber: phone,
            purePhoneNumber: phone,
            countryCode: '86',
            watermark: { timestamp: Math.floor(Date.now() / 1000), appid: this.appId },
          },
        });
      }
      case 'wxacode.getUnlimited': {
        const scene = String(params.scene ?? '');
        const page = params.page === undefined ? 'pages/index/index' : String(params.page);
        if (!SCENE.test(scene))
          return json({ errcode: 40169, errmsg: 'invalid length for scene, or the data is not json string' });
        if (page.startsWith('/') || page.includes('?'))
          return json({ errcode: 41030, errmsg: 'invalid page rule' });
        const width = Math.min(Math.max(Number(params.width ?? 430), 280), 1280);
        const png = await QRCode.toBuffer(wxacodeContent(page, scene), { type: 'png', width, margin: 2 });
        return { body: png, contentType: 'image/png', errcode: 0 };
      }
      case 'subscribeMessage.send':
        if (!params.touser || !params.template_id)
          return json({ errcode: 47003, errmsg: 'argument invalid! touser and template_id are required' });
        return json({ errcode: 0, errmsg: 'ok', msgid: Date.now() });
      case 'security.msgSecCheck': {
        const content = String(params.content ?? '');
        const hit = this.blockedWords.find((word) => word && content.includes(word));
        return json({
          errcode: 0,
          errmsg: 'ok',
          result: hit ? { suggest: 'risky', label: 20001 } : { suggest: 'pass', label: 100 },
          detail: hit
            ? [{ strategy: 'keyword', errcode: 0, suggest: 'risky', label: 20001, keyword: hit }]
            : [],
          trace_id: `local-${Date.now()}`,
        });
      }
      default:
        return json({ errcode: 48001, errmsg: `api unauthorized: ${api} is not faked by the local cloud` });
    }
  }

  /**
   * cloudIDs (from `open-type="getPhoneNumber"` and friends) resolve like phone codes: a
   * `test:<11 digits>` cloudID is that phone number; any other fails the whole call, as an expired
   * or foreign cloudID does in the cloud.
   */
  private openData(cloudIds: string[]): OpenApiAnswer {
    const phones = cloudIds.map((id) => TEST_PHONE_CODE.exec(id)?.[1]);
    if (!cloudIds.length || phones.some((phone) => !phone))
      return {
        body: Buffer.alloc(0),
        contentType: 'application/octet-stream',
        errcode: -1,
        svrkitErrorCode: UNKNOWN_CLOUD_ID,
      };
    const watermark = { timestamp: Math.floor(Date.now() / 1000), appid: this.appId };
    const items = cloudIds.map((cloudID, i) => ({
      cloudId: cloudID,
      json: JSON.stringify({
        cloudID,
        data: { phoneNumber: phones[i], purePhoneNumber: phones[i], countryCode: '86', watermark },
      }),
    }));
    return { body: encodeOpenDataResponse(items), contentType: 'application/octet-stream', errcode: 0 };
  }
}

/** What a local mini program code's QR encodes: the page and the scene it would open with. */
export function wxacodeContent(page: string, scene: string): string {
  return `${page}?scene=${encodeURIComponent(scene)}`;
}
