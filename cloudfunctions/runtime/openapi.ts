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

/** A mini program code (小程序码) image for a page and scene; unlimited in number, permanent. */
export async function miniProgramCode(scene: string, page: string): Promise<Buffer> {
  const answer = (await wxCloud().openapi.wxacode.getUnlimited({
    scene,
    page,
    checkPath: false,
    width: 430,
  })) as { buffer?: Buffer | Uint8Array; errCode?: number };
  if (!answer.buffer) throw new Error(`wxacode.getUnlimited gave no image (errCode ${answer.errCode})`);
  return Buffer.from(answer.buffer);
}

/** Stores a file in cloud storage; answers its fileID. */
export async function storeFile(cloudPath: string, content: Buffer): Promise<string> {
  const { fileID } = await wxCloud().uploadFile({ cloudPath, fileContent: content });
  return fileID;
}

/** A temporary download URL for a stored file. */
export async function fileUrl(fileID: string): Promise<string> {
  const { fileList } = (await wxCloud().getTempFileURL({ fileList: [fileID] })) as {
    fileList: { tempFileURL: string; status?: number }[];
  };
  const url = fileList[0]?.tempFileURL;
  if (!url) throw new Error(`no download URL for ${fileID}`);
  return url;
}

/** A stored file's bytes, fetched through its temporary URL (as a browser would). */
export async function readStoredFile(fileID: string): Promise<Buffer> {
  const res = await fetch(await fileUrl(fileID));
  if (!res.ok) throw new Error(`${fileID}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** A subscribe message (一次性订阅消息) the user accepted, opening `page` when tapped. */
export async function sendSubscribeMessage(
  openid: string,
  templateId: string,
  page: string,
  data: Record<string, string>,
): Promise<void> {
  await wxCloud().openapi.subscribeMessage.send({
    touser: openid,
    templateId,
    page,
    data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, { value }])),
  });
}
