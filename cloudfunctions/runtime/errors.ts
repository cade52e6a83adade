import { type ApiError, DEFAULT_ERROR_MESSAGES, type ErrorCode, type FieldError } from '../../typings/api';

/** A refusal the caller can act on; anything else thrown is an INTERNAL error. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = DEFAULT_ERROR_MESSAGES[code],
    readonly fields?: FieldError[],
  ) {
    super(message);
  }

  toApiError(): ApiError {
    return { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) };
  }
}

/** An invalid-input refusal naming one field. */
export function fieldError(path: string, message: string): AppError {
  return new AppError('INVALID_INPUT', message, [{ path, message }]);
}
