import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { Linear, ReLU, Sequential, loadMnistTest, loadSafetensors, readSafetensorsHeader, saveSafetensors } from '@convlab/nn';
import { convlab, ensureBuilt, fixtures, root } from './run-cli.js';

const plain = join(fixtures, 'plain');
const torchFile = join(root, 'fixtures/golden/lenet5-torch.safetensors');
let dir: string;

// A tiny run written as safetensors, with its JSON-lines log.
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'convlab-interop-'));
  const r = convlab(['train', '--data', plain, '--batch-size', '10', '--seed', '3', '--epochs', '2', '--out', 'm.safetensors', '--log', 'run.jsonl'], dir);
  if (r.status !== 0) throw new Error(`setup training run failed: ${r.stderr}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--help of the interop commands', () => {
  it.each([
    ['summary', ['--model', '--arch', '--input']],
    ['export', ['--model', '--arch', '--format', '--out', '--input', '--softmax']],
    ['plot', ['<log>', '--out', '--title']],
    ['eval', ['--arch']],
    ['predict', ['--arch']],
  ])('%s --help lists its options', (command, options) => {
    const r = convlab([command, '--help'], dir);
    expect(r.status).toBe(0);
    for (const option of options) expect(r.stdout).toContain(option);
  });
});

describe('convlab train/eval/predict with safetensors', () => {
  it('train --out m.safetensors writes safetensors with the architecture and how it was trained', () => {
    const bytes = new Uint8Array(readFileSync(join(dir, 'm.safetensors')));
    const header = readSafetensorsHeader(bytes);
    expect(header.metadata.model).toBe('lenet5');
    expect(JSON.parse(header.metadata.config!).seed).toBe(3);
    expect(header.tensors.map((t) => t.name)).toEqual(['0.weight', '0.bias', '3.weight', '3.bias', '7.weight', '7.bias', '9.weight', '9.bias']);
    expect(loadSafetensors(bytes).config().type).toBe('Sequential');
  });

  it('eval and predict read it; a PyTorch state_dict needs --arch', () => {
    const ours = convlab(['eval', '--model', 'm.safetensors', '--data', plain], dir);
    expect(ours.status).toBe(0);
    expect(ours.stdout).toMatch(/^model: m\.safetensors \(safetensors, 431080 parameters\)\ntest error [\d.]+ % \(\d+ of 20 test images/);
    const p = convlab(['predict', '--model', 'm.safetensors', '--index', '0', '--data', plain, '--json'], dir);
    expect(p.status).toBe(0);
    expect(JSON.parse(p.stdout).probabilities).toHaveLength(10);
    const bare = convlab(['eval', '--model', torchFile, '--data', plain], dir);
    expect(bare.status).toBe(2);
    expect(bare.stderr).toBe(`convlab: ${torchFile}: no convlab architecture in __metadata__ (a PyTorch state_dict?): load it into a model, e.g. loadSafetensors(bytes, { into: lenet5() }) or --arch lenet5\n`);
    const torch = convlab(['eval', '--model', torchFile, '--arch', 'lenet5', '--data', plain, '--limit', '5'], dir);
    expect(torch.status).toBe(0);
    expect(torch.stdout).toContain('(safetensors, into lenet5, 431080 parameters)');
  });

  it('a bad safetensors file exits with status 2 and one line naming the file and the tensor', () => {
    const good = readFileSync(join(dir, 'm.safetensors'));
    const n = Number(good.readBigUInt64LE(0));
    const header = good.subarray(8, 8 + n).toString('utf8').replace('"dtype":"F32","shape":[20]', '"dtype":"F99","shape":[20]');
    writeFileSync(join(dir, 'bad.safetensors'), Buffer.concat([good.subarray(0, 8), Buffer.from(header), good.subarray(8 + n)]));
    const r = convlab(['eval', '--model', 'bad.safetensors', '--data', plain], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('convlab: bad.safetensors: tensor 0.bias has an unknown dtype "F99"\n');
    writeFileSync(join(dir, 'short.safetensors'), good.subarray(0, 1000));
    const s = convlab(['predict', '--model', 'short.safetensors', '--index', '0', '--data', plain], dir);
    expect(s.status).toBe(2);
    expect(s.stderr).toMatch(/^convlab: short\.safetensors: not a safetensors file or truncated: the header length \d+ runs past the end of the file \(992 bytes follow\)\n$/);
    const wrong = convlab(['eval', '--model', torchFile, '--arch', 'shallow-cnn', '--data', plain], dir);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toBe(`convlab: ${torchFile}: tensor 5.weight, 5.bias of the model are not in the file (it holds 0.weight, 0.bias, 3.weight, 3.bias, 7.weight, 7.bias, 9.weight, 9.bias)\n`);
  });
});

describe('convlab summary', () => {
  it('prints the table of a preset or a model file', () => {
    const r = convlab(['summary', '--model', 'lenet5'], dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('7 Linear      [-1, 500]         400,500\n');
    expect(r.stdout).toContain('Total params: 431,080\n');
    const f = convlab(['summary', '--model', 'm.safetensors', '--input', '1,28,28'], dir);
    expect(f.stdout.split('\n')[0]).toBe('m.safetensors (safetensors, 431080 parameters)');
    const bad = convlab(['summary', '--model', 'lenet5', '--input', '1,32,32'], dir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('convlab: summary: layer 7 (Linear) on input [1, 1250]: Linear: input has 1250 features (shape [1, 1250]) but the layer takes 800\n');
    const missing = convlab(['summary', '--model', 'lenet7'], dir);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('convlab: summary: --model lenet7: no such file, nor a preset (lenet5, shallow-cnn, deep-cnn)\n');
  });
});

describe('a model that is not an MNIST classifier', () => {
  it('summary and export take it; eval refuses it in one line', () => {
    const model = new Sequential(new Linear({ inFeatures: 4, outFeatures: 3 }), new ReLU(), new Linear({ inFeatures: 3, outFeatures: 2 }));
    writeFileSync(join(dir, 'small.safetensors'), saveSafetensors(model));
    const s = convlab(['summary', '--model', 'small.safetensors', '--input', '4'], dir);
    expect(s.status).toBe(0);
    expect(s.stdout).toContain('2 Linear      [-1, 2]             8\n');
    expect(s.stdout).toContain('Total params: 23\n');
    const e = convlab(['export', '--model', 'small.safetensors', '--input', '4'], dir);
    expect(e.status).toBe(0);
    expect(existsSync(join(dir, 'small.onnx'))).toBe(true);
    const v = convlab(['eval', '--model', 'small.safetensors', '--data', plain], dir);
    expect(v.status).toBe(2);
    expect(v.stderr).toMatch(/^convlab: small\.safetensors: the model does not take a 28x28 MNIST image/);
  });
});

describe('convlab export --format onnx', () => {
  it('writes a model that onnxruntime runs to the same logits', async () => {
    const r = convlab(['export', '--model', 'm.safetensors', '--format', 'onnx', '--out', 'm.onnx'], dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('written to m.onnx');
    const session = await ort.InferenceSession.create(join(dir, 'm.onnx'));
    const test = loadMnistTest({ dir: plain, limit: 20 });
    const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(test.images.data), test.images.shape) });
    const model = loadSafetensors(new Uint8Array(readFileSync(join(dir, 'm.safetensors')))).eval();
    const ours = model.forward(test.images).data;
    const theirs = out.logits!.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!));
    expect(worst).toBeLessThan(1e-5);
  });

  it('refuses an unknown format and a layer ONNX export lacks, leaving no file', () => {
    const r = convlab(['export', '--model', 'lenet5', '--format', 'tflite', '--out', 'x.tflite'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('convlab: export: --format must be onnx, got "tflite"\n');
    expect(existsSync(join(dir, 'x.tflite'))).toBe(false);
    const shape = convlab(['export', '--model', 'lenet5', '--input', '3,28,28', '--out', 'x.onnx'], dir);
    expect(shape.status).toBe(2);
    expect(shape.stderr).toMatch(/^convlab: exportOnnx: layer 0: Conv2d: channel mismatch/);
    expect(existsSync(join(dir, 'x.onnx'))).toBe(false);
  });
});

describe('convlab plot', () => {
  it('draws loss and the three errors per epoch from a train --log file into an SVG', () => {
    const r = convlab(['plot', 'run.jsonl', '--out', 'curves.svg'], dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('training curves of 2 epochs written to curves.svg\n');
    const svg = readFileSync(join(dir, 'curves.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(4);
    for (const name of ['training loss', 'training error', 'validation error', 'test error', '>epoch<']) expect(svg).toContain(name);
    expect(svg).not.toMatch(/NaN|undefined/);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('names the file and the line of a bad log, and keeps the old chart', () => {
    const before = readFileSync(join(dir, 'curves.svg'), 'utf8');
    const lines = readFileSync(join(dir, 'run.jsonl'), 'utf8').split('\n');
    writeFileSync(join(dir, 'broken.jsonl'), [lines[0], '{"event":"epoch",', ...lines.slice(1)].join('\n'));
    const r = convlab(['plot', 'broken.jsonl', '--out', 'curves.svg'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^convlab: broken\.jsonl:2: not a JSON line of a training log: .+\n$/);
    writeFileSync(join(dir, 'fields.jsonl'), '{"event":"start"}\n{"event":"epoch","epoch":1,"trainLoss":"x"}\n');
    const f = convlab(['plot', 'fields.jsonl', '--out', 'curves.svg'], dir);
    expect(f.stderr).toBe('convlab: fields.jsonl:2: epoch record with trainLoss "x", not a number\n');
    writeFileSync(join(dir, 'empty.jsonl'), '{"event":"start"}\n');
    expect(convlab(['plot', 'empty.jsonl', '--out', 'curves.svg'], dir).stderr).toMatch(/^convlab: empty\.jsonl: no epoch records/);
    expect(convlab(['plot', 'nothing.jsonl'], dir).stderr).toBe('convlab: nothing.jsonl: no such file\n');
    expect(convlab(['plot', 'run.jsonl', '--out', 'curves.png'], dir).stderr).toBe('convlab: plot: --out curves.png: convlab plot writes SVG only; name the file .svg\n');
    expect(readFileSync(join(dir, 'curves.svg'), 'utf8')).toBe(before);
  });
});
