import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticServer } from '../src/static-server.js';
import { convlab, ensureBuilt, ensurePageBuilt, root } from './run-cli.js';

describe('the static server behind convlab serve', () => {
  let dir: string;
  let base: string;
  const server = () => createStaticServer(join(dir, 'site'));
  let running: ReturnType<typeof server>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'convlab-serve-'));
    mkdirSync(join(dir, 'site', 'mnist'), { recursive: true });
    writeFileSync(join(dir, 'site', 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(dir, 'site', 'main.js'), 'export {};\n');
    writeFileSync(join(dir, 'site', 'mnist', 'labels'), Uint8Array.of(1, 2, 3));
    writeFileSync(join(dir, 'secret.txt'), 'outside the site');
    running = server();
    await new Promise<void>((resolve) => running.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(running.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    running.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every request with the cross-origin isolation headers', async () => {
    for (const path of ['/', '/main.js', '/nothing-here']) {
      const r = await fetch(base + path);
      expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(r.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    }
  });

  it('serves index.html for a folder, files with their type, bytes as they are', async () => {
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('<title>t</title>');
    expect((await fetch(`${base}/main.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const bytes = await fetch(`${base}/mnist/labels`);
    expect(bytes.headers.get('content-type')).toBe('application/octet-stream');
    expect([...new Uint8Array(await bytes.arrayBuffer())]).toEqual([1, 2, 3]);
  });

  it('gives 404 for what is missing or outside the site, 405 for anything but GET and HEAD', async () => {
    expect((await fetch(`${base}/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/%2e%2e/secret.txt`)).status).toBe(404);
    expect((await fetch(`${base}/..%2fsecret.txt`)).status).toBe(404);
    expect((await fetch(`${base}/mnist`)).status).toBe(404);
    expect((await fetch(`${base}/`, { method: 'POST', body: 'x' })).status).toBe(405);
    const head = await fetch(`${base}/main.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('11');
  });
});

describe('convlab serve', () => {
  beforeAll(() => {
    ensureBuilt();
    ensurePageBuilt();
  });

  it('prints where the page is and serves it', async () => {
    const child: ChildProcess = spawn(process.execPath, [join(root, 'packages/cli/bin/convlab.js'), 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => resolve(chunk.toString()));
        child.stderr!.on('data', (chunk: Buffer) => reject(new Error(chunk.toString())));
      });
      expect(line).toMatch(/^convlab demo page at http:\/\/localhost:\d+\/ \(cross-origin isolated, so it can use threads\); Ctrl-C stops it\n$/);
      const r = await fetch(/(http:\S+)/.exec(line)![1]!);
      expect(r.status).toBe(200);
      expect(await r.text()).toContain('<title>convlab in the browser</title>');
    } finally {
      child.kill();
    }
  });

  it.each([
    ['a negative port', ['--port', '-1'], /^convlab: serve: --port must be a non-negative integer, got -1$/],
    ['a port past 65535', ['--port', '70000'], /^convlab: serve: --port must be at most 65535, got 70000$/],
  ])('refuses %s in one line', (_, args, message) => {
    const r = convlab(['serve', ...args], root);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(message);
  });

  it('says so in one line when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, 'localhost', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const r = convlab(['serve', '--port', String(port)], root);
      expect(r.status).toBe(2);
      expect(r.stderr.trim()).toBe(`convlab: serve: port ${port} is in use; choose another with --port`);
    } finally {
      taken.close();
    }
  });
});
