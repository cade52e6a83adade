/** An error answered to the SDK in the cloud's shape `{requestId, code, message}`. */
export class CloudError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CloudError';
  }
}
