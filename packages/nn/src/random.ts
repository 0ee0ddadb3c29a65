/**
 * One seeded generator threads through initialisation, shuffling and dropout, so the same seed
 * gives the same weights and the same training trajectory. xoshiro128** (Blackman and Vigna),
 * seeded through splitmix32; its whole state can be saved and restored for resumable training.
 */
export const MAX_SEED = 0xffffffff;

/**
 * A seed is an integer in [0, 2^32 - 1]: the generator is seeded from 32 bits, so a larger number
 * (or a fraction, or a negative one) would silently stand for another seed. undefined and null mean 0.
 */
export function checkSeed(seed: unknown, who: string): number {
  if (seed === undefined || seed === null) return 0;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    const shown = typeof seed === 'number' ? String(seed) : JSON.stringify(seed);
    throw new RangeError(`${who}: seed must be an integer in [0, ${MAX_SEED}], got ${shown}`);
  }
  return seed;
}

export class Random {
  private s = new Uint32Array(4);

  constructor(seed: number | null = 0) {
    let x = checkSeed(seed, 'Random');
    for (let i = 0; i < 4; i++) {
      // splitmix32 spreads one 32-bit seed over the four words of state.
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if (this.s.every((w) => w === 0)) this.s[0] = 1;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Shuffles `values` in place (Fisher-Yates). */
  shuffle<T extends { length: number; [i: number]: any }>(values: T): T {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = values[i];
      values[i] = values[j];
      values[j] = tmp;
    }
    return values;
  }

  /** The generator's state, for checkpoints. */
  getState(): number[] {
    return Array.from(this.s);
  }

  setState(state: readonly number[]): void {
    if (state.length !== 4) throw new Error(`Random: a state has 4 words, got ${state.length}`);
    this.s.set(state.map((w) => w >>> 0));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
