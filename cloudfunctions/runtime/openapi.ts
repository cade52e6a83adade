import { wxCloud } from './cloud';
import { fieldError } from './errors';

/**
 * WeChat open APIs a function uses. Each call costs quota (the phone number costs money), so
 * callers decide when to make them.
 */
export async function exchangePhoneCode(code: string): Promise<string> {
  try {
    const answer = (await wxCloud().openapi.phonenumber.getPhoneNumber({ code })) as {
      phoneInfo?: { purePhoneNumber?: string };
    };
    const phone = answer.phoneInfo?.purePhoneNumber;
    if (!phone) throw new Error('no phone number in the answer');
    return phone;
  } catch {
    throw fieldError('fields.phoneCode', '手机号授权已失效，请重新获取或手动填写');
  }
}

/** Content security for free text (WeChat's msgSecCheck v2); `path` names the field on refusal. */
export async function assertTextAllowed(
  openid: string,
  texts: { path: string; text: string }[],
): Promise<void> {
  for (const { path, text } of texts) {
    const answer = (await wxCloud().openapi.security.msgSecCheck({
      openid,
      scene: 2,
      version: 2,
      content: text,
    })) as { result?: { suggest?: string } };
    if (answer.result?.suggest && answer.result.suggest !== 'pass')
      throw fieldError(path, '内容包含不宜发布的信息，请修改后再提交');
  }
}
