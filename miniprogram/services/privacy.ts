/**
 * WeChat's privacy guide (用户隐私保护指引), agreed through the platform's own flow: until the
 * customer agrees, the phone button and `<input type="nickname">` do not do their job (the nickname
 * input behaves as plain text). The app registers `wx.onNeedPrivacyAuthorization` once; a privacy
 * API that needs agreement then waits while the page on screen shows its prompt, whose
 * `<button open-type="agreePrivacyAuthorization">` (id {@link AGREE_BUTTON_ID}) lets it go on.
 */
type PrivacyEvent = 'agree' | 'disagree' | 'exposureAuthorization';
type Resolve = (answer: { event: PrivacyEvent; buttonId?: string }) => void;
type Prompt = (referrer: string) => void;

export const AGREE_BUTTON_ID = 'privacy-agree';

let waiting: Resolve[] = [];
const prompts: Prompt[] = [];

/** Called once by the app: privacy APIs that need agreement wait for the prompt on screen. */
export function listenForPrivacyRequests(): void {
  const on = (wx as unknown as { onNeedPrivacyAuthorization?: (listener: unknown) => void })
    .onNeedPrivacyAuthorization;
  if (typeof on !== 'function') return;
  on((resolve: Resolve, info?: { referrer?: string }) => {
    const prompt = prompts[prompts.length - 1];
    // No prompt on this page: fail the call now rather than leave it waiting for nobody.
    if (!prompt) {
      resolve({ event: 'disagree' });
      return;
    }
    waiting.push(resolve);
    resolve({ event: 'exposureAuthorization' });
    prompt(info?.referrer ?? '');
  });
}

/** A component that can show the prompt; the latest attached (the page on screen) is asked. */
export function registerPrompt(prompt: Prompt): () => void {
  prompts.push(prompt);
  return () => {
    const at = prompts.lastIndexOf(prompt);
    if (at >= 0) prompts.splice(at, 1);
  };
}

/** The customer tapped agree (the agree button's own event) or declined: waiting calls go on or fail. */
export function answerPrivacy(agreed: boolean): void {
  const answer = agreed
    ? { event: 'agree' as const, buttonId: AGREE_BUTTON_ID }
    : { event: 'disagree' as const };
  const resolves = waiting;
  waiting = [];
  for (const resolve of resolves) resolve(answer);
}

/** Whether the platform still needs the customer's agreement (false where the API is missing). */
export function privacyAgreementNeeded(): Promise<boolean> {
  return new Promise((resolve) => {
    if (typeof wx.getPrivacySetting !== 'function') {
      resolve(false);
      return;
    }
    wx.getPrivacySetting({
      success: (res) => resolve(Boolean(res.needAuthorization)),
      fail: () => resolve(false),
    });
  });
}

/**
 * Asks for agreement before a privacy component that cannot ask by itself (the nickname input):
 * resolves true once agreed (at once if it already was).
 */
export function requirePrivacy(): Promise<boolean> {
  return new Promise((resolve) => {
    if (typeof wx.requirePrivacyAuthorize !== 'function') {
      resolve(true);
      return;
    }
    wx.requirePrivacyAuthorize({ success: () => resolve(true), fail: () => resolve(false) });
  });
}

/** The platform's page for the privacy guide declared in the MP console. */
export function openPrivacyContract(): void {
  if (typeof wx.openPrivacyContract === 'function') wx.openPrivacyContract({});
}
