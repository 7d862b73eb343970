/**
 * A small, fast, seeded pseudo-random number generator (mulberry32) and the
 * helpers the synthetic-company generator needs. Deterministic: the same seed
 * gives the same sequence on every platform.
 */

/** Mixes integers into one well-spread 32-bit seed (a murmur3-style finaliser per part). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    let k = Math.imul(part | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    // Also fold in the high bits of seeds above 2^32.
    h ^= Math.floor(part / 4294967296) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Restarts the sequence from a new seed (cheaper than a new object in hot loops). */
  reseed(seed: number): this {
    this.state = seed >>> 0;
    return this;
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** A uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)]!;
  }

  /** A bell-shaped value in (mean − halfWidth, mean + halfWidth) (sum of three uniforms). */
  around(mean: number, halfWidth: number): number {
    return mean + ((this.float() + this.float() + this.float() - 1.5) / 1.5) * halfWidth;
  }

  /** Rounds x up or down at random, so that the expected value is x. */
  roundRandom(x: number): number {
    const f = Math.floor(x);
    return f + (this.float() < x - f ? 1 : 0);
  }
}

/** A weighted choice among items, prepared once and drawn from many times. */
export class WeightedTable<T> {
  private readonly items: T[];
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    this.items = entries.map((e) => e[0]);
    this.cumulative = new Float64Array(entries.length);
    let sum = 0;
    entries.forEach(([, w], i) => {
      if (!(w >= 0)) throw new RangeError(`weight must be non-negative, got ${w}`);
      sum += w;
      this.cumulative[i] = sum;
    });
    if (sum <= 0) throw new RangeError('weights must not all be zero');
    this.total = sum;
  }

  draw(rng: Rng): T {
    const x = rng.float() * this.total;
    const c = this.cumulative;
    for (let i = 0; i < c.length; i++) if (x < c[i]!) return this.items[i]!;
    return this.items[this.items.length - 1]!;
  }
}
