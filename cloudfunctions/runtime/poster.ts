import fs from 'node:fs';
import path from 'node:path';
import type * as Canvas from '@napi-rs/canvas';
import type { PosterLayout } from '../../typings/posters';

/**
 * Images drawn on the server: a staff member's poster (a template's background with their code
 * and name) and a code's captioned print card. The image library is a native package, loaded on
 * the first drawing only, so the staff function's other actions start without it.
 */
let canvasModule: typeof Canvas | null = null;
function canvasLib(): typeof Canvas {
  canvasModule ??= require('@napi-rs/canvas') as typeof Canvas;
  return canvasModule;
}

interface FontFace {
  file: string;
  ranges: [number, number][];
}

/**
 * Noto Sans SC comes split by Unicode range (a hundred small files per weight, as browsers load
 * it); only the files holding the characters being drawn are registered, each under a family of
 * its own that a font list then falls back through.
 */
let faces: FontFace[] | null = null;
const registered = new Map<string, string>();

function fontFaces(): FontFace[] {
  if (faces) return faces;
  const css = require.resolve('@fontsource/noto-sans-sc/400.css');
  const dir = path.dirname(css);
  faces = [
    ...fs
      .readFileSync(css, 'utf8')
      .matchAll(/src: url\(\.\/(files\/[^)]+\.woff2)\)[^;]*;\s*unicode-range: ([^;]+);/g),
  ].map((m) => ({
    file: path.join(dir, m[1]),
    ranges: m[2].split(',').map((range) => {
      const [low, high] = range.trim().replace(/^U\+/i, '').split('-');
      return [Number.parseInt(low, 16), Number.parseInt(high ?? low, 16)] as [number, number];
    }),
  }));
  return faces;
}

/** A CSS font list (`28px lp-font-3, lp-font-40`) that covers every character of `text`. */
function fontFor(text: string, px: number): string {
  const families = new Set<string>();
  for (const char of text) {
    const point = char.codePointAt(0) ?? 0;
    const face = fontFaces().find((f) => f.ranges.some(([low, high]) => point >= low && point <= high));
    if (!face) continue;
    let family = registered.get(face.file);
    if (!family) {
      family = `lp-font-${registered.size}`;
      canvasLib().GlobalFonts.registerFromPath(face.file, family);
      registered.set(face.file, family);
    }
    families.add(family);
  }
  return `${px}px ${[...families, 'sans-serif'].join(', ')}`;
}

/** Draws `text` centred in a box `width` wide with its top at `y`, smaller if it would not fit. */
function drawFitted(
  ctx: Canvas.SKRSContext2D,
  text: string,
  box: { x: number; y: number; width: number; fontSize: number },
) {
  let px = box.fontSize;
  ctx.font = fontFor(text, px);
  const measured = ctx.measureText(text).width;
  if (measured > box.width) {
    px = Math.max(8, Math.floor((px * box.width) / measured));
    ctx.font = fontFor(text, px);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.fillText(text, box.x + box.width / 2, box.y);
}

/** The poster: the background as uploaded, the code scaled into its square, the name in its box. */
export async function renderPoster(
  background: Buffer,
  code: Buffer,
  name: string,
  layout: PosterLayout,
): Promise<Buffer> {
  const { createCanvas, loadImage } = canvasLib();
  const [back, qr] = await Promise.all([loadImage(background), loadImage(code)]);
  const canvas = createCanvas(back.width, back.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(back, 0, 0);
  // A white margin keeps the code readable on a busy background.
  const margin = Math.round(layout.codeBox.size * 0.04);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(
    layout.codeBox.x - margin,
    layout.codeBox.y - margin,
    layout.codeBox.size + 2 * margin,
    layout.codeBox.size + 2 * margin,
  );
  ctx.drawImage(qr, layout.codeBox.x, layout.codeBox.y, layout.codeBox.size, layout.codeBox.size);
  ctx.fillStyle = layout.nameBox.color;
  drawFitted(ctx, name, layout.nameBox);
  return canvas.toBuffer('image/png');
}

const CARD_WIDTH = 600;
const CARD_PADDING = 40;
const CAPTION_PX = 30;
const CAPTION_LINE = 44;

/** A code for print: the code on white with its caption lines (code name, staff, store) under it. */
export async function renderCodeCard(code: Buffer, caption: string[]): Promise<Buffer> {
  const { createCanvas, loadImage } = canvasLib();
  const qr = await loadImage(code);
  const size = CARD_WIDTH - 2 * CARD_PADDING;
  const canvas = createCanvas(CARD_WIDTH, CARD_PADDING * 2 + size + caption.length * CAPTION_LINE + 12);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(qr, CARD_PADDING, CARD_PADDING, size, size);
  ctx.fillStyle = '#1f2329';
  caption.forEach((line, i) => {
    drawFitted(ctx, line, {
      x: CARD_PADDING,
      y: CARD_PADDING + size + 12 + i * CAPTION_LINE,
      width: size,
      fontSize: i === 0 ? CAPTION_PX + 4 : CAPTION_PX,
    });
  });
  return canvas.toBuffer('image/png');
}
