/**
 * Submissions (leads and sign-ups) are noted on the customer as `minute:requestId` by the read
 * that starts one (newest last), so the rate limit and replay detection cost no request.
 */

const minuteOf = (now: Date) => String(Math.floor(now.getTime() / 60_000));

export function submissionNote(requestId: string, now: Date): string {
  return `${minuteOf(now)}:${requestId}`;
}

/**
 * What a customer's recent notes (oldest first, ending with this submission's) say about it:
 * `replay` when the request id was noted before (its first result may be stored), and
 * `withinLimit` while it is among the first `perMinute` distinct requests of its minute. A
 * retried request keeps its place, so sending one request many times at once is not punished.
 */
export function judgeSubmission(
  recent: readonly string[],
  requestId: string,
  now: Date,
  perMinute: number,
): { replay: boolean; withinLimit: boolean } {
  const parsed = recent.map((note) => {
    const colon = note.indexOf(':');
    return { minute: note.slice(0, colon), requestId: note.slice(colon + 1) };
  });
  const earlier = parsed.slice(0, -1);
  const minute = minuteOf(now);
  const thisMinute = [...new Set(parsed.filter((n) => n.minute === minute).map((n) => n.requestId))];
  const place = thisMinute.indexOf(requestId);
  return {
    replay: earlier.some((n) => n.requestId === requestId),
    withinLimit: place >= 0 && place < perMinute,
  };
}
