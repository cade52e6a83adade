/**
 * Channel codes fit the mini program code's 32-character `scene`. They are random (not derived
 * from a staff id), so a code cannot be guessed or edited into someone else's credit; what a
 * code means lives on the server and can be re-pointed without reprinting.
 */
const CODE_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';
export const CODE_LENGTH = 10;
const SCENE_PATTERN = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$/;

/** `random` yields uniformly distributed integers in [0, 2^32); the caller supplies crypto. */
export function generateCode(randomUint32: () => number, length = CODE_LENGTH): string {
  let code = '';
  for (let i = 0; i < length; i += 1) code += CODE_ALPHABET[randomUint32() % CODE_ALPHABET.length];
  return code;
}

/** Whether a string can be a `scene` at all (WeChat's alphabet and length). */
export function isSceneValue(value: string): boolean {
  return SCENE_PATTERN.test(value);
}
