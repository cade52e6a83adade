/**
 * What we tell WeCom and the advisor about a customer who added them, decided without I/O.
 */

/** A contact way's `state` is at most 30 characters (WECOM.md); ours are `lp` and a random token. */
const OWN_STATE = /^lp[A-Za-z0-9]{8,28}$/;

export function contactWayState(token: string): string {
  const state = `lp${token}`;
  if (!OWN_STATE.test(state)) throw new Error(`state token must be 8-28 letters or digits: ${token}`);
  return state;
}

/** Whether a state could be one of ours (a foreign or empty one is not looked up). */
export const isOwnState = (state: string | null): state is string => !!state && OWN_STATE.test(state);

/** A corp tag: WeCom names a tag inside a group; ours are `group:tag` (a tag without a group goes under 线索池). */
interface CorpTagName {
  group: string;
  name: string;
}

const DEFAULT_TAG_GROUP = '线索池';

export function corpTagNames(tags: string[]): CorpTagName[] {
  const seen = new Set<string>();
  const names: CorpTagName[] = [];
  for (const tag of tags) {
    const at = tag.indexOf(':');
    const group = (at > 0 ? tag.slice(0, at) : DEFAULT_TAG_GROUP).trim();
    const name = (at > 0 ? tag.slice(at + 1) : tag).trim();
    const key = `${group}\u0000${name}`;
    if (!name || seen.has(key)) continue;
    seen.add(key);
    names.push({ group, name });
  }
  return names;
}

export const corpTagKey = (tag: CorpTagName) => `${tag.group}:${tag.name}`;

/** What to add and remove in WeCom for a customer tagged `had` there whose lead now has `want`. */
export function tagChanges(had: string[], want: string[]): { add: string[]; remove: string[] } {
  const key = (tags: string[]) => new Set(corpTagNames(tags).map(corpTagKey));
  const before = key(had);
  const after = key(want);
  return {
    add: want.filter((t) => {
      const [name] = corpTagNames([t]);
      return name && !before.has(corpTagKey(name));
    }),
    remove: had.filter((t) => {
      const [name] = corpTagNames([t]);
      return name && !after.has(corpTagKey(name));
    }),
  };
}

export interface AddedCustomer {
  name: string | null;
  /** The channel the lead came through (e.g. a store or a staff code's name). */
  source: string | null;
  activityTitle: string | null;
  tags: string[];
  /** The customer added another advisor than the one who owns their lead. */
  ownerName: string | null;
}

/** The application message telling the advisor who just added them (text ≤ 2048 bytes). */
export function advisorNotice(customer: AddedCustomer): string {
  const lines = [
    `新客户添加了你的企业微信：${customer.name ?? '未留姓名'}`,
    `来源：${customer.source ?? '未知'}${customer.activityTitle ? `（${customer.activityTitle}）` : ''}`,
    `标签：${customer.tags.length > 0 ? customer.tags.join('、') : '暂无'}`,
  ];
  if (customer.ownerName) lines.push(`注意：该客户的线索归属 ${customer.ownerName}`);
  return truncateBytes(lines.join('\n'), 2000);
}

export function welcomeText(advisorName: string, activityTitle: string | null): string {
  return activityTitle
    ? `您好，我是您的专属顾问${advisorName}，「${activityTitle}」有任何问题都可以直接问我。`
    : `您好，我是您的专属顾问${advisorName}，有任何问题都可以直接问我。`;
}

function truncateBytes(text: string, limit: number): string {
  if (Buffer.byteLength(text) <= limit) return text;
  let cut = text;
  while (Buffer.byteLength(`${cut}…`) > limit) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** The nightly reconciliation runs on the timer's tick at 03:00 China time (UTC+8, no DST). */
export const isReconcileMinute = (at: Date) => at.getUTCHours() === 19 && at.getUTCMinutes() === 0;
