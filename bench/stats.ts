/** Small helpers shared by the benchmarks: percentiles and a Markdown table. */
export const percentile = (samples: number[], p: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

export function printTable(header: string[], rows: string[][]): void {
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

/** Runs `total` calls of `work` with `concurrency` callers in flight; returns each call's latency in ms. */
export async function runConcurrently(
  total: number,
  concurrency: number,
  work: (i: number) => Promise<unknown>,
): Promise<{ latencies: number[]; elapsedMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const at = performance.now();
        await work(i);
        latencies.push(performance.now() - at);
      }
    }),
  );
  return { latencies, elapsedMs: performance.now() - started };
}
