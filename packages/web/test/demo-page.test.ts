import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, ensureBuilt, ensurePageBuilt, root } from '../../cli/test/run-cli.js';

/*
 * The demo page in a real browser: Debian's headless Chromium (never a downloaded one), driven by
 * playwright-core, against `convlab serve`. Without a Chromium this file is skipped, and says so.
 */

const CHROMIUM = '/usr/bin/chromium';
const found = existsSync(CHROMIUM);
if (!found) console.log(`skipping the demo page test: no browser at ${CHROMIUM} (apt-get install chromium)`);

/** The "7" of the digit golden cases (fixtures/generate/digit_golden.py), on the 280x280 canvas. */
const SEVEN = [
  [60, 60],
  [220, 60],
  [120, 240],
] as const;

let server: ChildProcess;
let url: string;
let context: BrowserContext;
let page: Page;
let userData: string;
const consoleErrors: string[] = [];

/** Starts `convlab serve --port 0` and resolves with the address it prints. */
function serve(): Promise<string> {
  server = spawn(process.execPath, [bin, 'serve', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /(http:\/\/\S+\/)/.exec(out);
      if (match) resolve(match[1]!);
    });
    server.stderr!.on('data', (chunk: Buffer) => reject(new Error(`convlab serve: ${chunk.toString()}`)));
    server.on('exit', (code) => reject(new Error(`convlab serve exited with ${code}`)));
  });
}

/** Replays the strokes of a 7 with the mouse on the page's canvas. */
async function drawSeven(on: Page): Promise<void> {
  await on.locator('#pad').scrollIntoViewIfNeeded();
  const box = (await on.locator('#pad').boundingBox())!;
  const scale = box.width / 280;
  await on.mouse.move(box.x + SEVEN[0][0] * scale, box.y + SEVEN[0][1] * scale);
  await on.mouse.down();
  for (const [x, y] of SEVEN.slice(1)) await on.mouse.move(box.x + x * scale, box.y + y * scale, { steps: 12 });
  await on.mouse.up();
}

describe.skipIf(!found)('the demo page in headless Chromium', () => {
  beforeAll(async () => {
    ensureBuilt();
    ensurePageBuilt();
    url = await serve();
    userData = mkdtempSync(join(tmpdir(), 'convlab-chromium-'));
    context = await chromium.launchPersistentContext(userData, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1200, height: 1500 },
    });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    page.on('response', (response) => {
      if (response.status() >= 400) consoleErrors.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(url);
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    server?.kill();
    if (userData) rmSync(userData, { recursive: true, force: true });
  });

  it('is served cross-origin isolated, and the engine runs on more than one thread', async () => {
    expect(await page.evaluate('crossOriginIsolated')).toBe(true);
    await page.waitForSelector('#threads[data-threads]', { timeout: 60_000 });
    expect(Number(await page.getAttribute('#threads', 'data-threads'))).toBeGreaterThan(1);
    // Chromium validates WebAssembly SIMD, so core's float32 GEMM takes its SIMD kernel there too.
    expect(await page.getAttribute('#threads', 'data-simd')).toBe('true');
  }, 90_000);

  it('times the three strategies on both layers, draws them as bars with numbers, and checks they agree', async () => {
    await page.waitForSelector('#timing-chart[data-count="6"]', { timeout: 150_000 });
    const values = await page.locator('#timing-chart .value').allTextContents();
    expect(values).toHaveLength(6);
    for (const value of values) expect(Number(/^(\d+\.\d) ms$/.exec(value)![1])).toBeGreaterThan(0);
    const labels = await page.locator('#timing-chart text[text-anchor="end"]').allTextContents();
    expect(labels.filter((l) => /threads$/.test(l))).toHaveLength(4);
    // The layer's im2col and FFT outputs agree with the loop's to float32 round-off.
    const agreements = await page.locator('#timing-chart .agreement').allTextContents();
    expect(agreements).toHaveLength(2);
    for (const line of agreements) expect(Number(/to (\S+) of its largest value$/.exec(line)![1])).toBeLessThan(1e-5);
    expect(await page.locator('#timing-chart h3').allTextContents()).toEqual([
      'layer 1: [50, 1, 28, 28] * [20, 1, 5, 5]',
      'layer 2: [50, 20, 12, 12] * [50, 20, 5, 5]',
    ]);
  }, 180_000);

  it('trains LeNet-5 live: the loss and the test error fall within 50 steps', async () => {
    await page.click('#training-run');
    await page.waitForFunction("JSON.parse(document.getElementById('error-chart').dataset.points ?? '[]').length >= 3", null, { timeout: 150_000 });
    await page.click('#training-pause');
    const losses: number[] = JSON.parse((await page.getAttribute('#loss-chart', 'data-points'))!);
    const errors: Array<[number, number]> = JSON.parse((await page.getAttribute('#error-chart', 'data-points'))!);
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(losses.slice(40, 50))).toBeLessThan(0.6 * mean(losses.slice(0, 10)));
    expect(errors[0]).toEqual([0, expect.any(Number)]);
    expect(errors[2]![0]).toBe(50);
    expect(errors[2]![1]).toBeLessThan(errors[0]![1] - 0.3);
    expect(await page.locator('#loss-chart path.loss').count()).toBe(1);
  }, 180_000);

  it('classifies a drawn 7 as 7, and shows what the network saw', async () => {
    await drawSeven(page);
    await page.waitForSelector('#prediction[data-digit]', { timeout: 60_000 });
    expect(await page.getAttribute('#prediction', 'data-digit')).toBe('7');
    const percents = (await page.locator('#probabilities .value').allTextContents()).map((t) => Number(t.replace(' %', '')));
    expect(percents).toHaveLength(10);
    expect(percents.reduce((s, p) => s + p, 0)).toBeCloseTo(100, 0);
    expect(Math.max(...percents)).toBe(percents[7]);
    // The 28x28 the network saw: the ink's box scaled so its longer side is 20 pixels.
    // (In the browser: this test's TypeScript has no DOM types, so the code goes as a string.)
    const extent = (await page.evaluate(`(() => {
      const d = document.getElementById('seen').getContext('2d').getImageData(0, 0, 28, 28).data;
      const rows = new Set();
      const cols = new Set();
      for (let i = 0; i < 28 * 28; i++) {
        if (d[4 * i] > 0) {
          rows.add(Math.floor(i / 28));
          cols.add(i % 28);
        }
      }
      return [Math.max(...rows) - Math.min(...rows) + 1, Math.max(...cols) - Math.min(...cols) + 1];
    })()`)) as [number, number];
    expect(Math.max(...extent)).toBe(20);
  }, 90_000);

  it('says an empty drawing is empty, in one line, instead of predicting', async () => {
    await page.click('#clear');
    await page.click('#classify');
    await page.waitForSelector('#drawing-error:not([hidden])', { timeout: 30_000 });
    const message = (await page.textContent('#drawing-error'))!;
    expect(message).toBe('the drawing is empty: no pixel is above the ink threshold 0.05');
    expect(await page.textContent('#prediction')).toBe('');
  }, 60_000);

  it('refuses a corrupt model file in one line that names it, as the command line does', async () => {
    const other = await context.newPage();
    try {
      await other.route('**/digits.cvlm', (route) => route.fulfill({ status: 200, body: 'not a model at all' }));
      await other.goto(url);
      await other.waitForSelector('#page-error:not([hidden])', { timeout: 30_000 });
      expect(await other.textContent('#page-error')).toBe('digits.cvlm: not a convlab model file: it does not start with "CVLMODEL"');
    } finally {
      await other.close();
    }
  }, 60_000);

  it('served without the isolation headers, runs on one thread, says so, and still classifies', async () => {
    const other = await context.newPage();
    try {
      await other.route('**/*', async (route) => {
        const response = await route.fetch();
        const headers = { ...response.headers() };
        delete headers['cross-origin-opener-policy'];
        delete headers['cross-origin-embedder-policy'];
        await route.fulfill({ response, headers });
      });
      await other.goto(url);
      expect(await other.evaluate('crossOriginIsolated')).toBe(false);
      await other.waitForSelector('#threads[data-threads]', { timeout: 60_000 });
      expect(await other.getAttribute('#threads', 'data-threads')).toBe('1');
      expect(await other.textContent('#threads')).toMatch(/^It runs on 1 thread: the page is not cross-origin isolated/);
      // The timings fill in above the canvas: wait for them, so the canvas stays put under the strokes.
      await other.waitForSelector('#timing-chart[data-count="6"]', { timeout: 150_000 });
      await drawSeven(other);
      await other.waitForSelector('#prediction[data-digit]', { timeout: 60_000 });
      expect(await other.getAttribute('#prediction', 'data-digit')).toBe('7');
    } finally {
      await other.close();
    }
  }, 180_000);

  it('logged no error to the console and requested nothing missing', () => {
    expect(consoleErrors, consoleErrors.join('\n')).toEqual([]);
  });
});
