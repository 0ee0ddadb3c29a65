// Takes docs/demo.png: the demo page in headless Chromium after its timings, 200 steps of live
// training and a drawn 7. Run after a build, with Debian's chromium installed:
//   node packages/web/screenshot.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const server = spawn(process.execPath, [join(root, 'packages/cli/bin/convlab.js'), 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve) => server.stdout.on('data', (chunk) => resolve(/(http:\/\/\S+\/)/.exec(chunk.toString())[1])));
const userData = mkdtempSync(join(tmpdir(), 'convlab-chromium-'));
const context = await chromium.launchPersistentContext(userData, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1200, height: 900 },
});
try {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('#timing-chart[data-count="6"]', { timeout: 300_000 });
  await page.click('#training-run');
  await page.waitForSelector('#training-status:has-text("stopped")', { timeout: 600_000 });
  await page.locator('#pad').scrollIntoViewIfNeeded();
  const box = await page.locator('#pad').boundingBox();
  const at = ([x, y]) => [box.x + (x * box.width) / 280, box.y + (y * box.height) / 280];
  await page.mouse.move(...at([60, 60]));
  await page.mouse.down();
  await page.mouse.move(...at([220, 60]), { steps: 12 });
  await page.mouse.move(...at([120, 240]), { steps: 12 });
  await page.mouse.up();
  await page.waitForSelector('#prediction[data-digit]');
  await page.screenshot({ path: join(root, 'docs/demo.png'), fullPage: true });
  console.log(`docs/demo.png: ${await page.textContent('#threads')} ${await page.textContent('#training-status')}`);
} finally {
  await context.close();
  server.kill();
  rmSync(userData, { recursive: true, force: true });
}
