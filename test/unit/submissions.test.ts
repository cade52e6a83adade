import { judgeSubmission, submissionNote } from '../../cloudfunctions/core/submissions';

const at = (seconds: number) => new Date(Date.UTC(2026, 11, 2, 10, 0, seconds));
const notes = (...entries: [string, number][]) => entries.map(([id, s]) => submissionNote(id, at(s)));

describe('submissions noted on the customer', () => {
  test('the eleventh distinct request of a minute is over the limit; the minute before does not count', () => {
    const earlier = notes(['old-1', -5], ['old-2', -1]);
    const thisMinute = Array.from({ length: 11 }, (_, i) => [`req-${i}`, i] as [string, number]);
    const recent = [...earlier, ...notes(...thisMinute)];
    expect(judgeSubmission(recent.slice(0, 12), 'req-9', at(9), 10)).toEqual({
      replay: false,
      withinLimit: true,
    });
    expect(judgeSubmission(recent, 'req-10', at(10), 10)).toEqual({ replay: false, withinLimit: false });
  });

  test('a retried request keeps its place and is known as a replay, in the same or a later minute', () => {
    const first = notes(...Array.from({ length: 10 }, (_, i) => [`req-${i}`, i] as [string, number]));
    const retried = [...first, ...notes(['req-3', 20])];
    expect(judgeSubmission(retried, 'req-3', at(20), 10)).toEqual({ replay: true, withinLimit: true });
    const later = [...first, submissionNote('req-3', at(75))];
    expect(judgeSubmission(later, 'req-3', at(75), 10)).toEqual({ replay: true, withinLimit: true });
  });

  test('a request seen for the first time is no replay, even when others were', () => {
    expect(judgeSubmission(notes(['a-1', 1], ['b-1', 2]), 'b-1', at(2), 10)).toEqual({
      replay: false,
      withinLimit: true,
    });
  });
});
