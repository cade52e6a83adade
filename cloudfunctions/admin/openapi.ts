import type { ApiResult } from '../../typings/api';
import { AppError } from '../runtime/errors';
import type { StaffServerAction, StaffServerAnswers } from '../staff/server';
import { callFunction } from './cloudbase';

/**
 * WeChat's open APIs, for the admin function. It runs behind HTTP access, where the WeChat token
 * those APIs need may be absent (and its config.json permissions would need a DevTools upload of
 * their own), so it asks the staff function, which calls them for the mini program anyway (and
 * holds the image library that captions codes).
 */
async function askStaff<A extends StaffServerAction>(
  action: A,
  data: Record<string, unknown>,
): Promise<StaffServerAnswers[A]> {
  const answer = await callFunction<ApiResult<StaffServerAnswers[A]>>('staff', { action, ...data });
  if (!answer?.ok) {
    if (answer?.error.code === 'NOT_FOUND') throw new AppError('NOT_FOUND', answer.error.message);
    throw new Error(
      `staff.${action}: ${answer ? `${answer.error.code} ${answer.error.message}` : 'no answer'}`,
    );
  }
  return answer.data;
}

/** The file id of a code's mini program code image, made by the staff function on first use. */
export async function codeImageFileId(codeId: string): Promise<string> {
  return (await askStaff('codeImage', { codeId })).fileId;
}

/** Captioned print cards of codes (at most CODE_CARDS_PER_CALL a call), drawn by the staff function. */
export async function codeCardFileIds(codeIds: string[]): Promise<StaffServerAnswers['codeCards']['items']> {
  return (await askStaff('codeCards', { codeIds })).items;
}
