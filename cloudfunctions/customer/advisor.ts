import type { CustomerAnswers, CustomerRequest } from '../../typings/customer';
import { AppError } from '../runtime/errors';
import type { CustomerContext } from './context';

/**
 * The customer's advisor as a WeCom contact (「联系我」). Until the WeCom settings exist there is
 * no contact way to offer, and the mini program hides the entry on this answer.
 */
export async function advisorContact(
  _input: Omit<CustomerRequest<'advisorContact'>, 'action'>,
  _ctx: CustomerContext,
): Promise<CustomerAnswers['advisorContact']> {
  throw new AppError('NOT_CONFIGURED', '企业微信尚未配置，暂时无法添加顾问');
}
