import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { pngSize } from '../src/png-header.js';
import { fixtures } from './run-cli.js';

describe('pngSize', () => {
  it('reads the IHDR size pngjs decodes, without decoding', () => {
    for (const name of ['seven-gray.png', 'seven-rgb.png', 'seven-rgba.png', 'wrong-size-32x32.png']) {
      const bytes = readFileSync(join(fixtures, 'png', name));
      const decoded = PNG.sync.read(bytes);
      expect(pngSize(bytes)).toEqual({ width: decoded.width, height: decoded.height });
    }
  });

  it('reads a declared size from a header alone, and gives null for what is not a PNG', () => {
    const header = Buffer.alloc(24);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header);
    header.writeUInt32BE(13, 8);
    header.write('IHDR', 12, 'latin1');
    header.writeUInt32BE(16000, 16);
    header.writeUInt32BE(9, 20);
    expect(pngSize(header)).toEqual({ width: 16000, height: 9 });
    expect(pngSize(header.subarray(0, 20))).toBeNull();
    expect(pngSize(readFileSync(join(fixtures, 'png', 'not-a-png.png')))).toBeNull();
  });
});
