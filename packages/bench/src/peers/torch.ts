import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/*
 * PyTorch CPU's LeNet-5 training step, timed by a Python script of this package
 * (scripts/torch_lenet_step.py) in a process of its own, when a Python with torch is installed:
 * CONVLAB_PYTHON if set, else `python3`, else Debian's system Python (where `apt-get install
 * python3-torch` puts torch when `python3` is another installation).
 */

const SCRIPT = fileURLToPath(new URL('../../scripts/torch_lenet_step.py', import.meta.url));

export interface TorchStep {
  version: string;
  threads: number;
  timesMs: number[];
}

function candidates(): string[] {
  const chosen = process.env['CONVLAB_PYTHON'];
  return chosen ? [chosen] : ['python3', '/usr/bin/python3'];
}

/** Timed PyTorch steps on `threads` threads, or why there are none. */
export function torchLenetSteps(threads: number, warmup: number, repeat: number, batch: number): TorchStep | { missing: string } {
  const tried: string[] = [];
  for (const python of candidates()) {
    const run = spawnSync(python, [SCRIPT, String(threads), String(warmup), String(repeat), String(batch)], {
      encoding: 'utf8',
      timeout: 600_000,
    });
    if (run.status === 0) {
      const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { torch: string; threads: number; times_ms: number[] };
      return { version: out.torch, threads: out.threads, timesMs: out.times_ms };
    }
    const why = run.error ? run.error.message : (run.stderr.trim().split('\n').at(-1) ?? `exit code ${run.status}`);
    tried.push(`${python}: ${why}`);
  }
  return { missing: `no Python with torch (${tried.join('; ')})` };
}
