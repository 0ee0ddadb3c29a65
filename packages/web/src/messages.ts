/** What the page asks of the engine worker, and what it answers. Every message is one of these. */

export type EngineRequest =
  | { type: 'time'; batch: number }
  | { type: 'train'; steps: number }
  | { type: 'pause' }
  | { type: 'classify'; pixels: Float32Array; width: number; height: number };

/** Which panel a message belongs to, so an error shows where it happened. */
export type Panel = 'page' | 'timing' | 'training' | 'drawing';

export type EngineReply =
  | { type: 'ready'; threads: number; isolated: boolean; simd: boolean; model: string }
  /** `difference`: max |output - the loop's| over max |the loop's| (0 for the loop itself). */
  | { type: 'timing'; layer: number; shape: string; strategy: string; threads: number; seconds: number; difference: number }
  | { type: 'timing-done' }
  | { type: 'step'; step: number; loss: number; seconds: number }
  | { type: 'evaluation'; step: number; error: number; total: number }
  | { type: 'training-stopped'; step: number }
  | { type: 'classified'; probabilities: number[]; seen: Float32Array }
  | { type: 'error'; panel: Panel; message: string };
