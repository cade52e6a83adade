import crypto from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';
import QRCode from 'qrcode';

/**
 * A local stand-in for WeCom (企业微信)'s server API and its customer-contact callback, configured
 * the way a WeCom admin configures a self-built app: corp id, the app's agent id and secret, and
 * the callback URL, Token and EncodingAESKey. It enforces the documented checks a caller can get
 * wrong (token expiry 42001 / unknown token 40014, contact-way arguments, tag ids, single-use
 * welcome codes, 30 application messages a minute per person, excess dropped silently), records
 * every call, and plays customers adding and deleting staff members: the events are signed and
 * encrypted as WeCom does and posted to the callback URL. It knows nothing of any product.
 */
interface WecomFakeConfig {
  corpId: string;
  agentId: number;
  secret: string;
  /** The callback: where events go (a path is taken on the local cloud's own origin). */
  callbackUrl: string;
  token: string;
  encodingAesKey: string;
  /** Members of the corp who may hold contact ways (empty: anyone). */
  users: string[];
  tokenTtlSeconds: number;
  contactWayQuota: number;
  /** Set by the admin who links a WeChat developer id: externalcontact/get then shows unionids. */
  showUnionid: boolean;
}

interface WecomCall {
  path: string;
  query: Record<string, string>;
  body: unknown;
  at: string;
  errcode: number;
  /** A message over the per-person limit: answered ok, never delivered. */
  dropped?: boolean;
}

export interface WecomAnswer {
  status: number;
  body: unknown;
  contentType?: string;
}

interface ContactWay {
  config_id: string;
  type: number;
  scene: number;
  style?: number;
  remark: string;
  skip_verify: boolean;
  state: string;
  user: string[];
  party: number[];
  qr_code?: string;
}

interface Relation {
  userid: string;
  externalUserId: string;
  createtime: number;
  state: string;
  tagIds: Set<string>;
}

interface ExternalContact {
  externalUserId: string;
  name: string;
  unionid: string | null;
}

interface CorpTagGroup {
  group_id: string;
  group_name: string;
  tag: { id: string; name: string; create_time: number; order: number }[];
}

interface SentEvent {
  xml: string;
  url: string;
  query: Record<string, string>;
  body: string;
  status: number;
  answer: string;
}

const RECORD_LIMIT = 5000;
const MESSAGES_PER_MINUTE = 30;
const WELCOME_CODE_MS = 20_000;
const LIMIT_30 = 30;

/** WeCom's answers for the checks the fake enforces (WECOM.md and the API's error code list). */
const ERR = {
  invalidCorp: { errcode: 40013, errmsg: 'invalid corpid' },
  invalidSecret: { errcode: 40001, errmsg: 'invalid credential' },
  invalidToken: { errcode: 40014, errmsg: 'invalid access_token' },
  expiredToken: { errcode: 42001, errmsg: 'access_token expired' },
  invalidParam: (what: string) => ({ errcode: 40058, errmsg: `invalid parameter: ${what}` }),
  unknownUser: { errcode: 60111, errmsg: 'userid not found' },
  notContact: { errcode: 84061, errmsg: 'not external contact' },
  invalidTag: { errcode: 40068, errmsg: 'invalid tagid' },
  tagExists: { errcode: 40071, errmsg: 'tag name already exists' },
  welcomeCode: { errcode: 41051, errmsg: 'welcome_code invalid, used or expired' },
  invalidAgent: { errcode: 40056, errmsg: 'invalid agentid' },
  unknownApi: { errcode: 48001, errmsg: 'api unauthorized or unknown' },
  quota: { errcode: 41054, errmsg: 'contact way quota exceeded (local fake)' },
} as const;

const id = (prefix: string) => `${prefix}${crypto.randomBytes(12).toString('hex')}`;

export class WecomFake {
  config: WecomFakeConfig | null = null;
  readonly calls: WecomCall[] = [];
  readonly events: SentEvent[] = [];
  private tokens = new Map<string, number>();
  private ways = new Map<string, ContactWay>();
  private contacts = new Map<string, ExternalContact>();
  private relations: Relation[] = [];
  private groups: CorpTagGroup[] = [];
  private welcomeCodes = new Map<string, { issuedAt: number; used: boolean }>();
  private sentAt = new Map<string, number[]>();

  /** `origin`: the local cloud's own address, for relative callback URLs and QR images. */
  constructor(private readonly origin: () => string) {}

  configure(input: Record<string, unknown>): WecomFakeConfig | string {
    const text = (key: string) => (typeof input[key] === 'string' ? (input[key] as string) : '');
    const config: WecomFakeConfig = {
      corpId: text('corpId'),
      agentId: Number(input.agentId ?? 1000002),
      secret: text('secret'),
      callbackUrl: text('callbackUrl'),
      token: text('token'),
      encodingAesKey: text('encodingAesKey'),
      users: Array.isArray(input.users) ? input.users.map(String) : [],
      tokenTtlSeconds: Number(input.tokenTtlSeconds ?? 7200),
      contactWayQuota: Number(input.contactWayQuota ?? 500_000),
      showUnionid: input.showUnionid !== false,
    };
    if (!config.corpId || !config.secret) return 'corpId 与 secret 必填';
    if (!/^[A-Za-z0-9+/]{43}$/.test(config.encodingAesKey)) return 'encodingAesKey 须为 43 位';
    if (!config.token || !config.callbackUrl) return 'token 与 callbackUrl 必填';
    this.config = config;
    return config;
  }

  /** Forgets everything (calls, codes, contacts, tags, tokens) but the configuration. */
  clear(): void {
    this.calls.length = 0;
    this.events.length = 0;
    this.tokens.clear();
    this.ways.clear();
    this.contacts.clear();
    this.relations = [];
    this.groups = [];
    this.welcomeCodes.clear();
    this.sentAt.clear();
  }

  /** Every token issued so far dies now (the next call with one gets 42001). */
  expireTokens(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, 0);
  }

  async api(
    method: string,
    path: string,
    query: Record<string, string>,
    body: unknown,
  ): Promise<WecomAnswer> {
    const answer = await this.answer(method, path, query, body);
    const call: WecomCall = { path, query, body, at: new Date().toISOString(), errcode: answer.errcode };
    if (answer.dropped) call.dropped = true;
    this.calls.push(call);
    if (this.calls.length > RECORD_LIMIT) this.calls.splice(0, this.calls.length - RECORD_LIMIT);
    const { dropped: _dropped, ...rest } = answer;
    return { status: 200, body: rest };
  }

  private async answer(
    method: string,
    path: string,
    query: Record<string, string>,
    raw: unknown,
  ): Promise<Record<string, any> & { errcode: number }> {
    const config = this.config;
    if (!config)
      return { errcode: 40013, errmsg: 'the local WeCom is not configured: POST /__local/wecom/config' };
    if (path === '/cgi-bin/gettoken') {
      if (query.corpid !== config.corpId) return { ...ERR.invalidCorp };
      if (query.corpsecret !== config.secret) return { ...ERR.invalidSecret };
      const token = id('tok');
      this.tokens.set(token, Date.now() + config.tokenTtlSeconds * 1000);
      return { errcode: 0, errmsg: 'ok', access_token: token, expires_in: config.tokenTtlSeconds };
    }
    const expiry = this.tokens.get(query.access_token ?? '');
    if (expiry === undefined) return { ...ERR.invalidToken };
    if (expiry <= Date.now()) return { ...ERR.expiredToken };
    const body = (method === 'POST' && raw && typeof raw === 'object' ? raw : {}) as Record<string, any>;
    switch (path) {
      case '/cgi-bin/externalcontact/add_contact_way':
        return this.addContactWay(body);
      case '/cgi-bin/externalcontact/get_contact_way': {
        const way = this.ways.get(String(body.config_id));
        return way ? { errcode: 0, errmsg: 'ok', contact_way: way } : ERR.invalidParam('config_id');
      }
      case '/cgi-bin/externalcontact/update_contact_way':
        return this.updateContactWay(body);
      case '/cgi-bin/externalcontact/del_contact_way':
        return this.ways.delete(String(body.config_id))
          ? { errcode: 0, errmsg: 'ok' }
          : ERR.invalidParam('config_id');
      case '/cgi-bin/externalcontact/get_follow_user_list':
        return { errcode: 0, errmsg: 'ok', follow_user: config.users };
      case '/cgi-bin/externalcontact/get':
        return this.externalContact(query.external_userid ?? '');
      case '/cgi-bin/externalcontact/batch/get_by_user':
        return this.batchByUser(body);
      case '/cgi-bin/externalcontact/get_corp_tag_list':
        return { errcode: 0, errmsg: 'ok', tag_group: this.groups };
      case '/cgi-bin/externalcontact/add_corp_tag':
        return this.addCorpTag(body);
      case '/cgi-bin/externalcontact/mark_tag':
        return this.markTag(body);
      case '/cgi-bin/externalcontact/send_welcome_msg':
        return this.sendWelcome(body);
      case '/cgi-bin/message/send':
        return this.sendMessage(body);
      default:
        return { ...ERR.unknownApi };
    }
  }

  private knownUser(userid: string): boolean {
    const users = this.config?.users ?? [];
    return users.length === 0 || users.includes(userid);
  }

  private addContactWay(body: Record<string, any>) {
    const type = Number(body.type);
    const scene = Number(body.scene);
    const user: string[] = Array.isArray(body.user) ? body.user.map(String) : [];
    const party: number[] = Array.isArray(body.party) ? body.party.map(Number) : [];
    const state = body.state === undefined ? '' : String(body.state);
    const remark = body.remark === undefined ? '' : String(body.remark);
    if (type !== 1 && type !== 2) return ERR.invalidParam('type');
    if (scene !== 1 && scene !== 2) return ERR.invalidParam('scene');
    if (type === 1 && (user.length !== 1 || party.length > 0))
      return ERR.invalidParam('type 1 takes one user');
    if (user.length === 0 && party.length === 0) return ERR.invalidParam('user or party');
    if ([...state].length > LIMIT_30) return ERR.invalidParam('state longer than 30');
    if ([...remark].length > LIMIT_30) return ERR.invalidParam('remark longer than 30');
    if (!user.every((u) => this.knownUser(u))) return { ...ERR.unknownUser };
    if (this.ways.size >= (this.config?.contactWayQuota ?? 0)) return { ...ERR.quota };
    const configId = id('cw');
    const way: ContactWay = {
      config_id: configId,
      type,
      scene,
      style: body.style,
      remark,
      skip_verify: body.skip_verify !== false,
      state,
      user,
      party,
      ...(scene === 2 ? { qr_code: `${this.origin()}/__local/wecom/qr/${configId}.png` } : {}),
    };
    this.ways.set(configId, way);
    return {
      errcode: 0,
      errmsg: 'ok',
      config_id: configId,
      ...(way.qr_code ? { qr_code: way.qr_code } : {}),
    };
  }

  private updateContactWay(body: Record<string, any>) {
    const way = this.ways.get(String(body.config_id));
    if (!way) return ERR.invalidParam('config_id');
    if (body.state !== undefined && [...String(body.state)].length > LIMIT_30)
      return ERR.invalidParam('state longer than 30');
    if (body.remark !== undefined && [...String(body.remark)].length > LIMIT_30)
      return ERR.invalidParam('remark longer than 30');
    const user = Array.isArray(body.user) ? body.user.map(String) : way.user;
    if (way.type === 1 && user.length !== 1) return ERR.invalidParam('type 1 takes one user');
    if (!user.every((u: string) => this.knownUser(u))) return { ...ERR.unknownUser };
    Object.assign(way, {
      user,
      ...(body.state !== undefined ? { state: String(body.state) } : {}),
      ...(body.remark !== undefined ? { remark: String(body.remark) } : {}),
      ...(body.skip_verify !== undefined ? { skip_verify: body.skip_verify !== false } : {}),
    });
    return { errcode: 0, errmsg: 'ok' };
  }

  private tagView(tagId: string) {
    for (const group of this.groups) {
      const tag = group.tag.find((t) => t.id === tagId);
      if (tag) return { group_name: group.group_name, tag_name: tag.name, tag_id: tag.id, type: 1 };
    }
    return null;
  }

  private externalContact(externalUserId: string) {
    const contact = this.contacts.get(externalUserId);
    const follows = this.relations.filter((r) => r.externalUserId === externalUserId);
    if (!contact || follows.length === 0) return { ...ERR.notContact };
    return {
      errcode: 0,
      errmsg: 'ok',
      external_contact: {
        external_userid: contact.externalUserId,
        name: contact.name,
        type: 1,
        ...(this.config?.showUnionid && contact.unionid ? { unionid: contact.unionid } : {}),
      },
      follow_user: follows.map((r) => ({
        userid: r.userid,
        createtime: r.createtime,
        state: r.state,
        add_way: r.state ? 1 : 0,
        tags: [...r.tagIds].map((t) => this.tagView(t)).filter(Boolean),
      })),
    };
  }

  private batchByUser(body: Record<string, any>) {
    const users: string[] = Array.isArray(body.userid_list) ? body.userid_list.map(String) : [];
    const limit = Number(body.limit ?? 50);
    if (users.length === 0 || users.length > 100) return ERR.invalidParam('userid_list');
    if (!(limit >= 1 && limit <= 100)) return ERR.invalidParam('limit');
    const all = this.relations.filter((r) => users.includes(r.userid));
    const start = Number(body.cursor || 0);
    const page = all.slice(start, start + limit);
    return {
      errcode: 0,
      errmsg: 'ok',
      external_contact_list: page.map((r) => ({
        external_contact: {
          external_userid: r.externalUserId,
          name: this.contacts.get(r.externalUserId)?.name ?? '',
          type: 1,
        },
        follow_info: { userid: r.userid, createtime: r.createtime, state: r.state, tag_id: [...r.tagIds] },
      })),
      next_cursor: start + limit < all.length ? String(start + limit) : '',
    };
  }

  private addCorpTag(body: Record<string, any>) {
    const tags: { name: string }[] = Array.isArray(body.tag) ? body.tag : [];
    if (tags.length === 0 || !tags.every((t) => typeof t?.name === 'string' && t.name.length > 0))
      return ERR.invalidParam('tag');
    let group = body.group_id ? this.groups.find((g) => g.group_id === body.group_id) : undefined;
    if (body.group_id && !group) return ERR.invalidParam('group_id');
    if (!group) {
      const name = String(body.group_name ?? '');
      if (!name) return ERR.invalidParam('group_name');
      group = this.groups.find((g) => g.group_name === name);
      if (!group) {
        group = { group_id: id('et'), group_name: name, tag: [] };
        this.groups.push(group);
      }
    }
    if (tags.some((t) => group.tag.some((existing) => existing.name === t.name))) return { ...ERR.tagExists };
    const created = tags.map((t, i) => ({
      id: id('et'),
      name: t.name,
      create_time: Math.floor(Date.now() / 1000),
      order: group.tag.length + i,
    }));
    group.tag.push(...created);
    return { errcode: 0, errmsg: 'ok', tag_group: { ...group, tag: created } };
  }

  private markTag(body: Record<string, any>) {
    const relation = this.relations.find(
      (r) => r.userid === body.userid && r.externalUserId === body.external_userid,
    );
    if (!relation) return { ...ERR.notContact };
    const add: string[] = Array.isArray(body.add_tag) ? body.add_tag.map(String) : [];
    const remove: string[] = Array.isArray(body.remove_tag) ? body.remove_tag.map(String) : [];
    if (add.length === 0 && remove.length === 0) return ERR.invalidParam('add_tag or remove_tag');
    if (![...add, ...remove].every((t) => this.tagView(t))) return { ...ERR.invalidTag };
    for (const t of add) relation.tagIds.add(t);
    for (const t of remove) relation.tagIds.delete(t);
    return { errcode: 0, errmsg: 'ok' };
  }

  private sendWelcome(body: Record<string, any>) {
    const code = this.welcomeCodes.get(String(body.welcome_code));
    if (!code || code.used || Date.now() - code.issuedAt > WELCOME_CODE_MS) return { ...ERR.welcomeCode };
    const attachments = Array.isArray(body.attachments) ? body.attachments : [];
    if (!body.text?.content && attachments.length === 0) return ERR.invalidParam('text or attachments');
    if (attachments.length > 9) return ERR.invalidParam('attachments over 9');
    code.used = true;
    return { errcode: 0, errmsg: 'ok' };
  }

  private sendMessage(body: Record<string, any>) {
    if (Number(body.agentid) !== this.config?.agentId) return { ...ERR.invalidAgent };
    const users = String(body.touser ?? '')
      .split('|')
      .filter(Boolean);
    if (users.length === 0 || users.length > 1000) return ERR.invalidParam('touser');
    if (body.msgtype !== 'text' || typeof body.text?.content !== 'string') return ERR.invalidParam('text');
    const now = Date.now();
    let dropped = false;
    for (const user of users) {
      const recent = (this.sentAt.get(user) ?? []).filter((at) => now - at < 60_000);
      if (recent.length >= MESSAGES_PER_MINUTE) {
        dropped = true;
        continue;
      }
      recent.push(now);
      this.sentAt.set(user, recent);
    }
    return { errcode: 0, errmsg: 'ok', invaliduser: '', dropped };
  }

  /**
   * Plays a customer adding `userid`: through contact way `configId` (its state and user), or with
   * `state` given. Then WeCom's event goes to the callback: `half` sends add_half first; `noWelcome`
   * issues no welcome code (a console welcome message is set); `tamper` breaks the signature or
   * names another corp.
   */
  async addContact(input: Record<string, unknown>): Promise<Record<string, unknown> | string> {
    const config = this.config;
    if (!config) return 'the local WeCom is not configured';
    const way = input.configId ? this.ways.get(String(input.configId)) : undefined;
    if (input.configId && !way) return 'no contact way with that configId';
    const userid = way?.user[0] ?? String(input.userid ?? '');
    if (!userid || !this.knownUser(userid)) return 'userid is not a member of the corp';
    const state = way?.state ?? (typeof input.state === 'string' ? input.state : '');
    const externalUserId = String(input.externalUserId || id('wm'));
    const contact = this.contacts.get(externalUserId) ?? {
      externalUserId,
      name: String(input.name ?? '微信用户'),
      unionid: typeof input.unionid === 'string' ? input.unionid : null,
    };
    this.contacts.set(externalUserId, contact);
    const createtime = Math.floor(Date.now() / 1000);
    const existing = this.relations.find((r) => r.userid === userid && r.externalUserId === externalUserId);
    if (existing) {
      existing.state = state;
      existing.createtime = createtime;
    } else this.relations.push({ userid, externalUserId, createtime, state, tagIds: new Set() });
    const welcomeCode = input.noWelcome ? null : id('wc');
    if (welcomeCode) this.welcomeCodes.set(welcomeCode, { issuedAt: Date.now(), used: false });
    const event = (changeType: string) => ({
      ChangeType: changeType,
      UserID: userid,
      ExternalUserID: externalUserId,
      ...(state ? { State: state } : {}),
      ...(welcomeCode ? { WelcomeCode: welcomeCode } : {}),
    });
    const sent: SentEvent[] = [];
    if (input.half) sent.push(await this.post(event('add_half_external_contact'), createtime, input.tamper));
    sent.push(await this.post(event('add_external_contact'), createtime, input.tamper));
    return { userid, externalUserId, state, welcomeCode, callbacks: sent.map((s) => s.status) };
  }

  /** `by: 'customer'` plays the customer deleting the staff member (del_follow_user), `'staff'` the reverse. */
  async deleteContact(input: Record<string, unknown>): Promise<Record<string, unknown> | string> {
    const userid = String(input.userid ?? '');
    const externalUserId = String(input.externalUserId ?? '');
    const at = this.relations.findIndex((r) => r.userid === userid && r.externalUserId === externalUserId);
    if (at < 0) return 'no such contact';
    this.relations.splice(at, 1);
    const byStaff = input.by === 'staff';
    const sent = await this.post(
      {
        ChangeType: byStaff ? 'del_external_contact' : 'del_follow_user',
        UserID: userid,
        ExternalUserID: externalUserId,
        ...(byStaff ? { Source: 'DELETE_BY_STAFF' } : {}),
      },
      Math.floor(Date.now() / 1000),
    );
    return { callbacks: [sent.status] };
  }

  /** Sends a sent event again, unchanged, as WeCom's retry does (the last one by default). */
  async replay(index?: number): Promise<SentEvent | null> {
    const event = this.events.at(index ?? -1);
    if (!event) return null;
    return this.deliver(event.xml, event.url, event.query, event.body);
  }

  /** Posts any XML body, encrypted and signed as WeCom does (a malformed or unknown event, for tests). */
  async postRaw(xml: string, tamper?: unknown): Promise<SentEvent | string> {
    if (!this.config) return 'the local WeCom is not configured';
    return this.seal(xml, tamper);
  }

  private post(fields: Record<string, string>, createTime: number, tamper?: unknown): Promise<SentEvent> {
    const config = this.config as WecomFakeConfig;
    const corp = tamper === 'corp' ? `${config.corpId}x` : config.corpId;
    const inner = Object.entries({
      ToUserName: corp,
      FromUserName: 'sys',
      CreateTime: String(createTime),
      MsgType: 'event',
      Event: 'change_external_contact',
      ...fields,
    })
      .map(([key, value]) =>
        key === 'CreateTime' ? `<${key}>${value}</${key}>` : `<${key}><![CDATA[${value}]]></${key}>`,
      )
      .join('');
    return this.seal(`<xml>${inner}</xml>`, tamper);
  }

  private seal(xml: string, tamper?: unknown): Promise<SentEvent> {
    const config = this.config as WecomFakeConfig;
    const receiveId = tamper === 'corp' ? `${config.corpId}x` : config.corpId;
    const encrypted = encrypt(config.encodingAesKey, xml, receiveId);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = String(crypto.randomInt(1e9));
    let signature = getSignature(config.token, timestamp, nonce, encrypted);
    if (tamper === 'signature') signature = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
    const body = `<xml><ToUserName><![CDATA[${receiveId}]]></ToUserName><AgentID><![CDATA[${config.agentId}]]></AgentID><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
    const url = new URL(config.callbackUrl, this.origin()).toString();
    return this.deliver(xml, url, { msg_signature: signature, timestamp, nonce }, body);
  }

  private async deliver(xml: string, url: string, query: Record<string, string>, body: string) {
    let status = 0;
    let answer = '';
    try {
      const res = await fetch(`${url}?${new URLSearchParams(query)}`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body,
        signal: AbortSignal.timeout(5_000),
      });
      status = res.status;
      answer = await res.text();
    } catch (error) {
      answer = (error as Error).message;
    }
    const sent: SentEvent = { xml, url, query, body, status, answer };
    this.events.push(sent);
    return sent;
  }

  /** The URL check WeCom makes when the admin saves the callback URL: answers what the callback said. */
  async verifyUrl(): Promise<{ status: number; answer: string; expected: string } | string> {
    const config = this.config;
    if (!config) return 'the local WeCom is not configured';
    const expected = `${crypto.randomInt(1e9)}${crypto.randomInt(1e9)}`;
    const echostr = encrypt(config.encodingAesKey, expected, config.corpId);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = String(crypto.randomInt(1e9));
    const query = new URLSearchParams({
      msg_signature: getSignature(config.token, timestamp, nonce, echostr),
      timestamp,
      nonce,
      echostr,
    });
    const url = new URL(config.callbackUrl, this.origin()).toString();
    const res = await fetch(`${url}?${query}`);
    return { status: res.status, answer: await res.text(), expected };
  }

  /** The image a scene-2 contact way's qr_code points at. */
  async qrImage(configId: string): Promise<Buffer | null> {
    const way = this.ways.get(configId);
    if (way?.scene !== 2) return null;
    return QRCode.toBuffer(`https://work.weixin.qq.com/ca/local/${configId}`, {
      type: 'png',
      width: 280,
      margin: 2,
    });
  }
}

const ok = (data: unknown): WecomAnswer => ({ status: 200, body: { ok: true, data } });
const refused = (message: string): WecomAnswer => ({
  status: 400,
  body: { ok: false, error: { code: 'INVALID_INPUT', message } },
});
const done = (result: unknown) => (typeof result === 'string' ? refused(result) : ok(result));

/**
 * The fake's routes under `/__local/wecom`: the API itself at `/cgi-bin/...` (point a WeCom client's
 * base URL at `<origin>/__local/wecom`), and the controls a test or a demo uses. Null: not one of them.
 */
export async function wecomRoute(
  fake: WecomFake,
  method: string,
  route: string,
  query: Record<string, string>,
  bodyText: string,
): Promise<WecomAnswer | null> {
  let body: Record<string, unknown> = {};
  try {
    const parsed = bodyText ? JSON.parse(bodyText) : {};
    if (parsed && typeof parsed === 'object') body = parsed;
  } catch {
    if (!route.startsWith('/cgi-bin/')) return refused('请求体不是合法的 JSON');
  }
  if (route.startsWith('/cgi-bin/')) return fake.api(method, route, query, body);
  const qr = /^\/qr\/([A-Za-z0-9]+)\.png$/.exec(route);
  if (method === 'GET' && qr) {
    const png = await fake.qrImage(qr[1]);
    return png ? { status: 200, body: png, contentType: 'image/png' } : refused('没有这个二维码');
  }
  const path = `${method} ${route}`;
  if (path === 'POST /config') return done(fake.configure(body));
  if (path === 'GET /calls') return ok({ calls: fake.calls });
  if (path === 'DELETE /calls') {
    fake.calls.length = 0;
    return ok({ calls: [] });
  }
  if (path === 'POST /reset') {
    fake.clear();
    return ok({ reset: true });
  }
  if (path === 'GET /events') return ok({ events: fake.events });
  if (path === 'POST /tokens/expire') {
    fake.expireTokens();
    return ok({ expired: true });
  }
  if (path === 'POST /contacts/add') return done(await fake.addContact(body));
  if (path === 'POST /contacts/delete') return done(await fake.deleteContact(body));
  if (path === 'POST /events/replay') {
    const sent = await fake.replay(typeof body.index === 'number' ? body.index : undefined);
    return sent ? ok(sent) : refused('还没有发送过事件');
  }
  if (path === 'POST /events/raw') {
    if (typeof body.xml !== 'string') return refused('xml 必填');
    return done(await fake.postRaw(body.xml, body.tamper));
  }
  if (path === 'POST /verify-url') return done(await fake.verifyUrl());
  return null;
}
