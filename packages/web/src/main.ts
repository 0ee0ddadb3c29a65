/**
 * The demo page: three panels driven by the engine worker (engine.ts), which does all the numeric
 * work. This file only draws: bars of timings, curves of the training, the drawing's probabilities.
 * Errors show as one line in their panel, as the command line prints them.
 */
import { barChart, lineChart } from './charts.js';
import { DrawPad } from './draw-pad.js';
import type { EngineReply, EngineRequest, Panel } from './messages.js';

/** Images per timed batch: a tenth of the lecture's 500, so the loops take a second, not minutes. */
const TIMING_BATCH = 50;
const TRAINING_STEPS = 200;

function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

const engine = new Worker('engine.js', { type: 'module' });
const ask = (request: EngineRequest) => engine.postMessage(request);

function showError(panel: Panel, message: string): void {
  const box = element(`${panel}-error`);
  box.textContent = message;
  box.hidden = false;
}

function clearError(panel: Panel): void {
  element(`${panel}-error`).hidden = true;
}

// Panel (a): timings.
const timings: Array<Extract<EngineReply, { type: 'timing' }>> = [];

/** One bar chart per layer, each on its own scale: layer 2 does about 25 times layer 1's work. */
function drawTimings(): void {
  const layers = [...new Set(timings.map((t) => t.layer))];
  element('timing-chart').innerHTML = layers
    .map((layer) => {
      const rows = timings.filter((t) => t.layer === layer);
      const bars = rows.map((t) => ({
        label: `${t.strategy}${t.threads > 1 ? `, ${t.threads} threads` : ''}`,
        value: t.seconds,
        text: `${(t.seconds * 1000).toFixed(1)} ms`,
      }));
      const worst = Math.max(...rows.map((t) => t.difference));
      const agreement = rows.length > 1 ? `<p class="agreement">outputs agree with the loop's to ${worst.toExponential(1)} of its largest value</p>` : '';
      return `<h3>layer ${layer}: ${rows[0]!.shape}</h3>${barChart(bars, 760)}${agreement}`;
    })
    .join('');
  element('timing-chart').dataset['count'] = String(timings.length);
}
function startTiming(): void {
  timings.length = 0;
  element('timing-chart').innerHTML = '';
  element<HTMLButtonElement>('timing-run').disabled = true;
  clearError('timing');
  ask({ type: 'time', batch: TIMING_BATCH });
}
element('timing-batch').textContent = String(TIMING_BATCH);
element('timing-run').addEventListener('click', startTiming);

// Panel (b): training.
const losses: Array<[number, number]> = [];
const errors: Array<[number, number]> = [];
element('training-run').addEventListener('click', () => {
  clearError('training');
  element<HTMLButtonElement>('training-pause').disabled = false;
  element('training-status').textContent = 'loading the MNIST slice…';
  ask({ type: 'train', steps: TRAINING_STEPS });
});
element('training-pause').addEventListener('click', () => ask({ type: 'pause' }));

function drawTraining(): void {
  const last = losses.length ? losses[losses.length - 1]![0] : 0;
  element('loss-chart').innerHTML = lineChart([{ points: losses, className: 'loss' }], last, (y) => y.toFixed(2));
  element('error-chart').innerHTML = lineChart([{ points: errors, className: 'test-error' }], last, (y) => `${(y * 100).toFixed(0)} %`);
  // The numbers behind the curves, for whoever reads the page's markup (the browser test does).
  element('loss-chart').dataset['points'] = JSON.stringify(losses.map(([, loss]) => loss));
  element('error-chart').dataset['points'] = JSON.stringify(errors);
}

// Panel (c): drawing.
const pad = new DrawPad(element<HTMLCanvasElement>('pad'), classify);
function classify(): void {
  clearError('drawing');
  const canvas = element<HTMLCanvasElement>('pad');
  ask({ type: 'classify', pixels: pad.pixels(), width: canvas.width, height: canvas.height });
}
element('classify').addEventListener('click', classify);
element('clear').addEventListener('click', () => {
  pad.clear();
  clearError('drawing');
  element('prediction').textContent = '';
  delete element('prediction').dataset['digit'];
  element('probabilities').innerHTML = '';
  showSeen(new Float32Array(28 * 28));
});

function showSeen(pixels: Float32Array): void {
  const canvas = element<HTMLCanvasElement>('seen');
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(28, 28);
  for (let i = 0; i < pixels.length; i++) {
    const v = Math.round(Math.min(1, pixels[i]!) * 255);
    image.data.set([v, v, v, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
}

function showProbabilities(probabilities: number[]): void {
  const best = probabilities.indexOf(Math.max(...probabilities));
  element('prediction').textContent = `${best} (${(probabilities[best]! * 100).toFixed(1)} %)`;
  element('prediction').dataset['digit'] = String(best);
  element('probabilities').innerHTML = barChart(
    probabilities.map((p, digit) => ({ label: String(digit), value: p, text: `${(p * 100).toFixed(1)} %` })),
    360,
    30,
  );
}

engine.onmessage = (event: MessageEvent<EngineReply>) => {
  const m = event.data;
  switch (m.type) {
    case 'ready':
      element('threads').textContent = m.isolated
        ? `It runs on ${m.threads} threads (the page is cross-origin isolated, so threads share memory).`
        : 'It runs on 1 thread: the page is not cross-origin isolated (serve it with npx convlab serve for threads).';
      element('threads').textContent += m.simd ? ' Its float32 matrix products use WebAssembly SIMD.' : '';
      element('threads').dataset['threads'] = String(m.threads);
      element('threads').dataset['simd'] = String(m.simd);
      element('model-name').textContent = m.model;
      for (const id of ['training-run', 'classify']) element<HTMLButtonElement>(id).disabled = false;
      startTiming();
      break;
    case 'timing':
      timings.push(m);
      drawTimings();
      break;
    case 'timing-done':
      element<HTMLButtonElement>('timing-run').disabled = false;
      break;
    case 'step':
      losses.push([m.step, m.loss]);
      element('training-status').textContent = `step ${m.step}, loss ${m.loss.toFixed(3)}, ${(m.seconds * 1000).toFixed(0)} ms a step`;
      drawTraining();
      break;
    case 'evaluation':
      errors.push([m.step, m.error]);
      element('error-now').textContent = `: ${(m.error * 100).toFixed(1)} % at step ${m.step}`;
      drawTraining();
      break;
    case 'training-stopped':
      element<HTMLButtonElement>('training-pause').disabled = true;
      element('training-status').textContent += ' (stopped)';
      break;
    case 'classified':
      showSeen(m.seen);
      showProbabilities(m.probabilities);
      break;
    case 'error':
      showError(m.panel, m.message);
      break;
  }
};
// Anything the page itself throws is one line too.
window.addEventListener('error', (event) => showError('page', event.message));
window.addEventListener('unhandledrejection', (event) => showError('page', String((event.reason as Error)?.message ?? event.reason)));
engine.onerror = (event) => {
  event.preventDefault();
  showError('page', `the engine stopped: ${event.message}`);
};
