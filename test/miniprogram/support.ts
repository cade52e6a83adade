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
};

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
  showToast: jest.fn(),
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

/** Renders a page with a fresh module registry (pages keep module state). */
export function render(page: string) {
  jest.resetModules();
  const usingComponents = weuiStubs();
  // One root for every template: WeChat's wxml compiler keeps global state by relative path, so
  // per-folder roots (each template `index.wxml`) make a later page render an earlier template.
  const rootPath = path.join(root, 'miniprogram');
  const formPath = path.join(rootPath, 'components', 'lead-form', 'index');
  const leadForm = simulate.load(formPath, 'lead-form', { usingComponents, rootPath });
  const id = simulate.load(pagePath(page), {
    usingComponents: { ...usingComponents, 'lead-form': leadForm },
    rootPath,
  });
  const rendered = simulate.render(id);
  rendered.attach(document.createElement('parent-wrapper'));
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

/** A customer's hands: every tap and keystroke counted. j-component delivers events on a later tick. */
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
  /** `<input type="nickname">`: one tap on WeChat's suggestion fills the nickname. */
  async chooseNickname(node: any, nickname: string) {
    if (!node) throw new Error('no nickname input');
    this.taps += 1;
    node.dispatchEvent('input', { detail: { value: nickname } });
    await flush();
  }
}
