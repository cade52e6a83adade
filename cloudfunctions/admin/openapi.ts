import type { ApiResult } from '../../typings/api';
import { AppError } from '../runtime/errors';
import type { StaffServerAnswers } from '../staff/server';
import { callFunction } from './cloudbase';

/**
 * WeChat's open APIs, for the admin function. It runs behind HTTP access, where the WeChat token
 * those APIs need may be absent (and its config.json permissions would need a DevTools upload of
 * their own), so it asks the staff function, which calls them for the mini program anyway.
 */

/** The file id of a code's mini program code image, made by the staff function on first use. */
export async function codeImageFileId(codeId: string): Promise<string> {
  const answer = await callFunction<ApiResult<StaffServerAnswers['codeImage']>>('staff', {
    action: 'codeImage',
    codeId,
  });
  if (!answer?.ok) {
    if (answer?.error.code === 'NOT_FOUND') throw new AppError('NOT_FOUND', answer.error.message);
    throw new Error(
      `staff.codeImage: ${answer ? `${answer.error.code} ${answer.error.message}` : 'no answer'}`,
    );
  }
  return answer.data.fileId;
}
