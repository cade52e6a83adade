// What every mini program test needs: a `wx` that reaches either a stub or a real local cloud,
// stand-ins for the WeUI extended-library components (DevTools provides the real ones), and a
// way to drive a page while counting the customer's taps and keystrokes.
import http from 'node:http';
import path from 'node:path';

export const root = path.resolve(__dirname, '../..');
/** `activity` for pages/activity, or a subpackage page such as `staff/pages/home`. */
export const pagePath = (name: string) =>
  path.join(root, 'miniprogram', ...(name.includes('/') ? [name] : ['pages', name]), 'index');

export const platform = {
  /** When set, wx.cloud.callFunction goes over HTTP to this local cloud. */
  cloudUrl: '',
  openid: 'tester',
  /** Otherwise this answers calls. */
  answer: jest.fn() as jest.Mock,
  enterOptions: { scene: 1001, path: 'pages/home/index', query: {} as Record<string, string> },
  modalConfirms: true,
  /** `wx.getAccountInfoSync().miniProgram.envVersion`. */
  envVersion: 'develop' as 'develop' | 'trial' | 'release',
  /** `wx.getNetworkType`: `none` is a phone without a network. */
  networkType: 'wifi',
  /** Whether this WeChat user agreed to the mini program's privacy guide (the platform's record). */
  privacyAgreed: true,
  /** What the app registered with `wx.onNeedPrivacyAuthorization`. */
  privacyListener: null as
    | null
    | ((resolve: (answer: { event: string; buttonId?: string }) => void, info: { referrer: string }) => void),
  /** `wx.getSetting().authSetting`, and what the settings page leaves it as. */
  authSetting: {} as Record<string, boolean>,
  authSettingAfterSetting: {} as Record<string, boolean>,
  storage: new Map<string, unknown>(),
};

/** A platform privacy gate: goes on at once when agreed, else asks the app's listener first. */
function privacyGate(referrer: string, proceed: () => void, refuse: () => void) {
  if (platform.privacyAgreed) {
    proceed();
    return;
  }
  if (!platform.privacyListener) {
    refuse();
    return;
  }
  platform.privacyListener(
    (answer) => {
      if (answer.event === 'agree') {
        platform.privacyAgreed = true;
        proceed();
      } else if (answer.event === 'disagree') refuse();
    },
    { referrer },
  );
}

export function postJson(url: string, body: unknown, headers: Record<string, string>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(body));
    const req = http.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': payload.length, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export const calls: { name: string; data: Record<string, any> }[] = [];

(global as any).wx = {
  cloud: {
    init: jest.fn(),
    downloadFile: jest.fn(),
    callFunction({ name, data, success, fail }: any) {
      calls.push({ name, data });
      const answer = platform.cloudUrl
        ? postJson(`${platform.cloudUrl}/api/functions/${name}`, data, { 'x-wx-openid': platform.openid })
        : Promise.resolve(platform.answer(name, data));
      answer.then((result) => success({ result }), fail);
    },
  },
  request: jest.fn(),
  getEnterOptionsSync: () => platform.enterOptions,
  getAccountInfoSync: () => ({ miniProgram: { appId: 'touristappid', envVersion: platform.envVersion } }),
  getNetworkType: ({ success }: any) => success({ networkType: platform.networkType }),
  // WeChat shows at most 7 Chinese characters next to an icon: a longer title is a bug here.
  showToast: jest.fn((options: { title: string; icon?: string }) => {
    if ((options.icon ?? 'success') !== 'none' && [...options.title].length > 7)
      throw new Error(`toast with an icon longer than 7 characters: ${options.title}`);
  }),
  onNeedPrivacyAuthorization: (listener: typeof platform.privacyListener) => {
    platform.privacyListener = listener;
  },
  getPrivacySetting: ({ success }: any) =>
    success({
      needAuthorization: !platform.privacyAgreed,
      privacyContractName: '《LeadPool 用户隐私保护指引》',
    }),
  requirePrivacyAuthorize: ({ success, fail }: any) =>
    privacyGate(
      'requirePrivacyAuthorize',
      () => success?.({}),
      () => fail?.({ errMsg: 'privacy permission is not authorized' }),
    ),
  openPrivacyContract: jest.fn(),
  getSetting: ({ success }: any) => success({ authSetting: { ...platform.authSetting } }),
  openSetting: jest.fn(({ success }: any) => {
    platform.authSetting = { ...platform.authSettingAfterSetting };
    success({ authSetting: { ...platform.authSetting } });
  }),
  getStorageSync: (key: string) => (platform.storage.has(key) ? platform.storage.get(key) : ''),
  setStorageSync: (key: string, value: unknown) => platform.storage.set(key, value),
  showModal: ({ success }: any) =>
    success({ confirm: platform.modalConfirms, cancel: !platform.modalConfirms }),
  navigateTo: jest.fn(),
  switchTab: jest.fn(),
  requestSubscribeMessage: jest.fn(({ fail }: any) => fail({ errMsg: 'not in tests' })),
  scanCode: jest.fn(),
  downloadFile: jest.fn(),
  saveImageToPhotosAlbum: jest.fn(),
};

export const simulate = require('miniprogram-simulate');

/** WeUI components (from `useExtendedLib`) as plain stand-ins with the same properties and slots. */
function weuiStubs() {
  return {
    'mp-cells': simulate.load({
      template: '<view class="mp-cells {{extClass}}"><slot/></view>',
      properties: { extClass: String },
    }),
    'mp-cell': simulate.load({
      template:
        '<view class="mp-cell {{extClass}}"><view class="mp-cell-title">{{title}}</view><slot/></view>',
      properties: { title: String, extClass: String, link: Boolean, hover: Boolean },
    }),
    'mp-loading': simulate.load({
      template: '<view class="loading {{extClass}}">{{tips}}</view>',
      properties: { tips: String, type: String, extClass: String },
    }),
  };
}

/**
 * WeCom's 「联系我」 plugin cell (a plugin, absent outside WeChat): shows the contact way it was
 * given; a test plays its outcome with `dispatchEvent('completemessage', {detail: {errcode}})`.
 */
const contactPluginCell = () =>
  simulate.load({
    template: '<view class="contact-plugin-cell">{{plugid}}</view>',
    properties: { plugid: String },
  });

/** Renders a page with a fresh module registry (pages keep module state). */
export function render(page: string) {
  jest.resetModules();
  const usingComponents = weuiStubs();
  // One root for every template: WeChat's wxml compiler keeps global state by relative path, so
  // per-folder roots (each template `index.wxml`) make a later page render an earlier template.
  const rootPath = path.join(root, 'miniprogram');
  const formPath = path.join(rootPath, 'components', 'lead-form', 'index');
  const leadForm = simulate.load(formPath, 'lead-form', { usingComponents, rootPath });
  const advisorPath = path.join(rootPath, 'components', 'advisor-contact', 'index');
  const advisor = simulate.load(advisorPath, 'advisor-contact', {
    usingComponents: { cell: contactPluginCell() },
    rootPath,
  });
  const id = simulate.load(pagePath(page), {
    usingComponents: { ...usingComponents, 'lead-form': leadForm, 'advisor-contact': advisor },
    rootPath,
  });
  const rendered = simulate.render(id);
  rendered.attach(document.createElement('parent-wrapper'));
  return rendered;
}

/** Loads the app as WeChat does (`App({...})`) and answers its definition, to call its hooks. */
export function loadApp(): any {
  let app: any;
  (global as any).App = (definition: any) => {
    app = definition;
  };
  require('../../miniprogram/app');
  return app;
}

/** Scanning a code: the app launches and shows (recording the entry), then the page loads with only `scene`. */
export function openFromCode(page: string, scene: string) {
  platform.enterOptions = { scene: 1047, path: `pages/${page}/index`, query: { scene } };
  const rendered = render(page);
  const app = loadApp();
  app.onLaunch();
  app.onShow();
  rendered.instance.onLoad({ scene });
  return rendered;
}

export const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Waits until `check` holds (real HTTP round trips take a few milliseconds). */
export async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const texts = (node: any, selector: string): string[] =>
  node.querySelectorAll(selector).map((n: any) => n.dom.textContent.trim());

/**
 * A customer's hands: every tap and keystroke counted, including the taps WeChat's own sheets ask
 * for (the nickname offered above the keyboard, 允许 on the phone-number sheet). j-component
 * delivers events on a later tick.
 */
export class Hands {
  taps = 0;
  keystrokes = 0;
  async tap(node: any, event = 'tap', detail: Record<string, unknown> = {}) {
    if (!node) throw new Error(`nothing to ${event}`);
    this.taps += 1;
    node.dispatchEvent(event, { detail });
    await flush();
  }
  async type(node: any, text: string) {
    if (!node) throw new Error('nothing to type into');
    this.keystrokes += text.length;
    node.dispatchEvent('input', { detail: { value: text } });
    await flush();
  }
  /**
   * `<input type="nickname">`: a tap into the field, a tap on the nickname WeChat offers above the
   * keyboard; leaving the field lets WeChat review it. Without the privacy agreement WeChat offers
   * nothing (the input is a plain text input), so that is refused here.
   */
  async chooseNickname(node: any, nickname: string, review = { pass: true, timeout: false }) {
    if (!node) throw new Error('no nickname input');
    if (!platform.privacyAgreed) throw new Error('WeChat offers no nickname before the privacy agreement');
    this.taps += 2;
    node.dispatchEvent('focus', { detail: { value: '' } });
    node.dispatchEvent('input', { detail: { value: nickname } });
    node.dispatchEvent('blur', { detail: { value: nickname } });
    await flush();
    node.dispatchEvent('nicknamereview', { detail: review });
    await flush();
  }
  /** `<button open-type="agreePrivacyAuthorization">`: the platform records the agreement. */
  async agreePrivacy(node: any) {
    if (!node) throw new Error('no agree button');
    this.taps += 1;
    platform.privacyAgreed = true;
    node.dispatchEvent('agreeprivacyauthorization', { detail: {} });
    await flush();
  }
  /**
   * WeChat's phone button: before the privacy agreement the platform first asks the app's privacy
   * listener; then WeChat's sheet, where 允许 is one more tap and delivers the (paid) code.
   */
  async phoneButton(node: any, detail: Record<string, unknown>) {
    if (!node) throw new Error('no phone button');
    this.taps += 1;
    const deliver = () => {
      if (detail.code) this.taps += 1;
      node.dispatchEvent('getphonenumber', { detail });
    };
    privacyGate('button.getPhoneNumber', deliver, () =>
      node.dispatchEvent('getphonenumber', {
        detail: { errMsg: 'getPhoneNumber:fail privacy permission is not authorized', errno: 104 },
      }),
    );
    await flush();
  }
}
