/**
 * A cursor for lists ordered by one time field (audit, deliveries): the time of the last item
 * shown and how many items of that same time were shown already. The next page reads from that
 * time on (a range the index serves) and skips only those few.
 */
export interface PageCursor {
  at: number;
  skip: number;
}

export function decodePageCursor(text: string): PageCursor | null {
  try {
    const [at, skip] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    return typeof at === 'number' && typeof skip === 'number' && skip >= 0 && skip < 10_000
      ? { at, skip }
      : null;
  } catch {
    return null;
  }
}

export function nextPageCursor<T>(
  items: T[],
  atOf: (item: T) => number,
  previous: PageCursor | null,
): string {
  const at = atOf(items[items.length - 1]);
  const same = items.filter((item) => atOf(item) === at).length;
  const skip = previous && previous.at === at ? previous.skip + same : same;
  return Buffer.from(JSON.stringify([at, skip])).toString('base64url');
}
