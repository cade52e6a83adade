// npm run bench:posters — the staff function's drawing, in one process as a cloud instance runs
// it: loading the image library and the first font files (a cold poster), 1080x1920 posters and
// captioned print cards warm, a ZIP of the cards as the admin function makes it, and the peak RSS
// (the staff function's memorySize must hold it). BENCH_CARDS overrides the number of cards.

import { zipSync } from 'fflate';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { renderCodeCard, renderPoster } from '../cloudfunctions/runtime/poster';
import { percentile, printTable } from './stats';

const CARDS = Number(process.env.BENCH_CARDS ?? 200);
const POSTERS = 20;
const NAMES = ['张小明', '欧阳娜娜', '王导购', '李', '司马相如', '陈静'];

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const at = performance.now();
  const value = await work();
  return { ms: performance.now() - at, value };
}

async function main() {
  const background = PNG.sync.write(new PNG({ width: 1080, height: 1920 }));
  // The size and density of the code WeChat's getUnlimited gives (width 430).
  const code = await QRCode.toBuffer('pages/activity/index?scene=Ab3xYz9k2QpL', { width: 430, margin: 1 });
  const layout = {
    codeBox: { x: 340, y: 1100, size: 400 },
    nameBox: { x: 140, y: 1560, width: 800, fontSize: 64, color: '#1f2329' },
  };
  let peak = process.memoryUsage().rss;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };

  const cold = await timed(() => renderPoster(background, code, NAMES[0], layout));
  sample();
  const posters: number[] = [];
  for (let i = 0; i < POSTERS; i += 1) {
    posters.push((await timed(() => renderPoster(background, code, NAMES[i % NAMES.length], layout))).ms);
    sample();
  }
  const cards: number[] = [];
  const files: Record<string, [Uint8Array, { level: 0 }]> = {};
  for (let i = 0; i < CARDS; i += 1) {
    const { ms, value } = await timed(() =>
      renderCodeCard(code, [`静安店海报${i + 1}`, `导购：${NAMES[i % NAMES.length]}`, '门店：静安旗舰店']),
    );
    cards.push(ms);
    files[`静安店海报${i + 1}.png`] = [value, { level: 0 }];
    sample();
  }
  const zip = await timed(async () => zipSync(files));
  sample();
  const row = (what: string, samples: number[]) => [
    what,
    String(samples.length),
    percentile(samples, 50).toFixed(0),
    percentile(samples, 95).toFixed(0),
  ];
  printTable(
    ['drawing', 'n', 'p50 ms', 'p95 ms'],
    [
      row('poster 1080x1920, cold (library and fonts loaded)', [cold.ms]),
      row('poster 1080x1920, warm', posters),
      row('captioned card 600x~700, warm', cards),
      row(`ZIP of ${CARDS} cards (stored)`, [zip.ms]),
    ],
  );
  console.log(
    `\nposter ${(cold.value.length / 1024).toFixed(0)} KB, ZIP ${(zip.value.length / 1024 / 1024).toFixed(1)} MB, peak RSS ${(peak / 1024 / 1024).toFixed(0)} MB`,
  );
}

void main();
