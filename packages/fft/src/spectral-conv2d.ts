/**
 * Batched spectral conv2d and its gradients, NCHW, with spectra a caller can keep: the weights'
 * spectrum is computed once per batch and serves every sample, the forward input's spectrum is kept
 * for the weight gradient, and the output gradient's spectrum serves both backward products.
 *
 * Three layers, thinnest last:
 *   - spectra:   `inputSpectrum(x, info)`, `weightSpectrum(w, info)`, `gradSpectrum(gy, info)`
 *   - products:  `conv2dFromSpectra`, `conv2dGradInputFromSpectra`, `conv2dGradWeightFromSpectra`
 *   - `SpectralConv2d`, a plan that keeps the spectra of its last forward pass and its buffers, and
 *     the pure functions `fftConv2d`, `fftConv2dGradInput`, `fftConv2dGradWeight` (core's signatures).
 * Every size comes from core's `convInfo`.
 */
import {
  MIN_PARALLEL_WORK,
  allocate,
  checkTensor,
  conv2dGradBiasInto,
  convInfo,
  optionsObject,
  dense,
  dtypeOf,
  fromDense,
  isContiguous,
  outputShape,
  type Conv2dOptions,
  type Conv2dPlan,
  type ConvInfo,
  type Dtype,
  type FloatArray,
  type Tensor,
  type WorkerPool,
} from '@convlab/core';
import { sameGeometry, spectralGeometry, type SpectralGeometry } from './conv-geometry.js';
import { forwardProductInto, gradInputProductInto, gradWeightProductInto } from './conv-products.js';
import {
  gradSpectrumOf,
  inputSpectrumOf,
  weightSpectrumOf,
  type ConvSpectrum,
  type GradSpectrum,
  type InputSpectrum,
  type WeightSpectrum,
} from './conv-spectra.js';
import {
  spectralConv2dParallelInto,
  spectralGradInputParallelInto,
  spectralGradWeightParallelInto,
  spectralThreadsState,
} from './spectral-parallel.js';

const float32Only = (...dtypes: Dtype[]): Dtype => (dtypes.every((d) => d === 'float32') ? 'float32' : 'float64');

function shapesText(info: ConvInfo): string {
  const x = [info.batch, info.inChannels, info.inHeight, info.inWidth];
  const w = [info.outChannels, info.inChannelsPerGroup, info.kernelHeight, info.kernelWidth];
  return `input [${x.join(', ')}], weight [${w.join(', ')}]`;
}

/** The weight shape [K, C/groups, kh, kw] a ConvInfo describes. */
function weightShapeOf(info: ConvInfo): number[] {
  return [info.outChannels, info.inChannelsPerGroup, info.kernelHeight, info.kernelWidth];
}

/** The input shape [N, C, H, W] a ConvInfo describes. */
function inputShapeOf(info: ConvInfo): number[] {
  return [info.batch, info.inChannels, info.inHeight, info.inWidth];
}

/** Whether two ConvInfos describe the same convolution, batch included. */
function sameConv(a: ConvInfo, b: ConvInfo): boolean {
  return a.batch === b.batch && SIZE_FIELDS.every((field) => a[field] === b[field]);
}

function dtypeOfArray(a: FloatArray): Dtype {
  return a instanceof Float32Array ? 'float32' : 'float64';
}

const SIZE_FIELDS: Array<keyof ConvInfo> = [
  'inChannels',
  'inHeight',
  'inWidth',
  'outChannels',
  'groups',
  'kernelHeight',
  'kernelWidth',
  'strideHeight',
  'strideWidth',
  'dilationHeight',
  'dilationWidth',
  'padTop',
  'padBottom',
  'padLeft',
  'padRight',
];

/** Two spectra combine only when they describe the same convolution (the batch too, unless one is the weights'). */
function checkPair(who: string, a: ConvSpectrum, b: ConvSpectrum): void {
  const differs = SIZE_FIELDS.filter((field) => a.info[field] !== b.info[field]);
  if (a.kind !== 'weight' && b.kind !== 'weight' && a.info.batch !== b.info.batch) differs.push('batch');
  if (differs.length > 0 || !sameGeometry(a.geometry, b.geometry)) {
    throw new Error(
      `${who}: the ${a.kind} spectrum (${shapesText(a.info)}) and the ${b.kind} spectrum (${shapesText(b.info)}) ` +
        `belong to different convolutions (${differs.join(', ') || 'period'} differ)`,
    );
  }
}

function checkKind<K extends ConvSpectrum['kind']>(who: string, s: unknown, kind: K): asserts s is Extract<ConvSpectrum, { kind: K }> {
  const spectrum = s as ConvSpectrum | undefined;
  if (!spectrum || typeof spectrum !== 'object' || spectrum.kind !== kind) {
    const got = spectrum && typeof spectrum === 'object' && 'kind' in spectrum ? `a ${String(spectrum.kind)} spectrum` : typeof s;
    throw new Error(`${who}: expected the ${kind} spectrum, got ${got}`);
  }
}

function checkShape(who: string, name: string, shape: readonly number[], want: readonly number[], info: ConvInfo): void {
  if (shape.length !== want.length || shape.some((d, i) => d !== want[i])) {
    throw new Error(`${who}: ${name} has shape [${shape.join(', ')}], but conv2d of ${shapesText(info)} needs [${want.join(', ')}]`);
  }
}

function checkShapeArgument(shape: unknown, who: string, name: string): asserts shape is readonly number[] {
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number')) {
    throw new Error(`${who}: ${name} must be an array of 4 numbers, got ${JSON.stringify(shape)}`);
  }
}

function checkBias(who: string, b: Tensor | null | undefined, info: ConvInfo): Tensor | null {
  if (b === undefined || b === null) return null;
  checkTensor(b, who, 'bias', [1]);
  if (b.shape[0] !== info.outChannels) {
    throw new Error(`${who}: bias has ${b.shape[0]} elements, but the weight has ${info.outChannels} output channels`);
  }
  return b;
}

/**
 * Where a product writes: the caller's `out` (checked: the result's shape, contiguous; float32 or
 * float64, each value rounded once to it) or a fresh array of the result's dtype.
 */
function destination(who: string, out: Tensor | undefined, shape: number[], dtype: Dtype, info: ConvInfo): Tensor {
  if (out === undefined) return fromDense(allocate(who, 'output', shape, dtype), shape);
  checkTensor(out, who, 'out');
  checkShape(who, 'out', out.shape, shape, info);
  if (!isContiguous(out)) throw new Error(`${who}: out must be a contiguous tensor (it is written in place)`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Spectra

/** The spectrum of x [N, C, H, W] for the convolution `info` describes (float64 bins, fresh buffer). */
export function inputSpectrum(x: Tensor, info: ConvInfo): InputSpectrum {
  checkTensor(x, 'inputSpectrum', 'input', [4]);
  checkShape('inputSpectrum', 'input', x.shape, inputShapeOf(info), info);
  return inputSpectrumOf(dense(x).data, dtypeOf(x), info);
}

/** The spectrum of w [K, C/groups, kh, kw] for the convolution `info` describes; it serves any batch size. */
export function weightSpectrum(w: Tensor, info: ConvInfo): WeightSpectrum {
  checkTensor(w, 'weightSpectrum', 'weight', [4]);
  checkShape('weightSpectrum', 'weight', w.shape, weightShapeOf(info), info);
  return weightSpectrumOf(dense(w).data, dtypeOf(w), info);
}

/** The spectrum of an output gradient gy [N, K, Ho, Wo] for the convolution `info` describes. */
export function gradSpectrum(gy: Tensor, info: ConvInfo): GradSpectrum {
  checkTensor(gy, 'gradSpectrum', 'gy', [4]);
  checkShape('gradSpectrum', 'gy', gy.shape, outputShape(info), info);
  return gradSpectrumOf(dense(gy).data, dtypeOf(gy), info);
}

// ---------------------------------------------------------------------------------------------
// Products

/**
 * conv2d(x, w) + b [N, K, Ho, Wo] from the spectra of x and w. float32 when x, w (and b) were;
 * written into `out` (and returned) when given.
 */
export function conv2dFromSpectra(xs: InputSpectrum, ws: WeightSpectrum, b?: Tensor | null, out?: Tensor): Tensor {
  const who = 'conv2dFromSpectra';
  checkKind(who, xs, 'input');
  checkKind(who, ws, 'weight');
  checkPair(who, xs, ws);
  const bias = checkBias(who, b, xs.info);
  const dtype = bias === null ? float32Only(xs.dtype, ws.dtype) : float32Only(xs.dtype, ws.dtype, dtypeOf(bias));
  const y = destination(who, out, outputShape(xs.info), dtype, xs.info);
  forwardProductInto(y.data, xs, ws, bias === null ? null : dense(bias).data);
  return y;
}

/** dL/dx [N, C, H, W] from the spectra of gy and w, into `out` when given. */
export function conv2dGradInputFromSpectra(gs: GradSpectrum, ws: WeightSpectrum, out?: Tensor): Tensor {
  const who = 'conv2dGradInputFromSpectra';
  checkKind(who, gs, 'grad');
  checkKind(who, ws, 'weight');
  checkPair(who, gs, ws);
  const gx = destination(who, out, inputShapeOf(gs.info), float32Only(gs.dtype, ws.dtype), gs.info);
  gradInputProductInto(gx.data, gs, ws);
  return gx;
}

/** dL/dw [K, C/groups, kh, kw] from the spectra of x and gy, summed over the batch, into `out` when given. */
export function conv2dGradWeightFromSpectra(xs: InputSpectrum, gs: GradSpectrum, out?: Tensor): Tensor {
  const who = 'conv2dGradWeightFromSpectra';
  checkKind(who, xs, 'input');
  checkKind(who, gs, 'grad');
  checkPair(who, xs, gs);
  const gw = destination(who, out, weightShapeOf(xs.info), float32Only(xs.dtype, gs.dtype), xs.info);
  gradWeightProductInto(gw.data, xs, gs);
  return gw;
}

// ---------------------------------------------------------------------------------------------
// The plan

/** What `SpectralConv2d.backward` returns: the gradients asked for. */
export interface Conv2dGradients {
  gradInput?: Tensor;
  gradWeight?: Tensor;
  gradBias?: Tensor;
}

/**
 * A spectral conv2d for one set of options (stride, padding, dilation, groups), as a layer uses
 * it: `forward(x, w, b)` transforms the weights once for the whole batch and keeps both spectra;
 * `backward(gy)` transforms gy once and forms both gradients from it and the kept spectra. It is
 * the plan of the 'fft' strategy in core's table (`forwardInto`, `gradWeightInto`,
 * `gradInputInto` over flat arrays).
 *
 * Given a pool of more than one thread, a problem worth it (`MIN_PARALLEL_WORK` multiply-adds)
 * runs on the pool's threads, one block of samples each, every thread keeping its block's spectra
 * (spectral-parallel.ts): forward and input gradient bit for bit as on one thread, the weight
 * gradient summed per block in doubles and added in block order. Without a pool it runs on the
 * calling thread.
 *
 * Spectra the plan computes on the calling thread live in its own buffers, reused from call to
 * call: `plan.input`, `plan.weight` and a `gradSpectrum(gy)` result stay valid until the plan
 * computes the next spectrum of the same kind. Use the free functions (`inputSpectrum`, ...) for
 * spectra to keep longer. Input shapes may change between calls (a smaller last batch, another
 * image size).
 */
export class SpectralConv2d implements Conv2dPlan {
  readonly method = 'fft';
  /** The spectra of the last forward pass on the calling thread (null before the first; a threaded pass keeps its spectra in the threads). */
  input: InputSpectrum | null = null;
  weight: WeightSpectrum | null = null;
  /** How many spectra this plan has computed on the calling thread, by kind: one weight spectrum per forward pass, however large the batch. */
  readonly counts = { input: 0, weight: 0, grad: 0 };
  private inputBuffer?: Float64Array;
  private weightBuffer?: Float64Array;
  private gradBuffer?: Float64Array;
  /** The geometry of the last shapes seen: it depends on neither the batch nor the values, so a training loop computes it once. */
  private geometryCache?: { key: string; geometry: SpectralGeometry };
  /** The arrays the last forward pass got, and the gy whose spectrum `lastGrad` is (for one reuse). */
  private givenX?: FloatArray;
  private givenW?: FloatArray;
  private givenGy?: FloatArray;
  private lastGrad?: GradSpectrum;
  /** The last forward pass ran on the pool's threads, which keep its spectra. */
  private threadedPass = false;
  private readonly threads = spectralThreadsState();

  readonly options: Conv2dOptions;

  constructor(
    options: Conv2dOptions | null = {},
    readonly pool?: WorkerPool,
  ) {
    this.options = optionsObject(options, 'SpectralConv2d');
  }

  /** The ConvInfo of the last forward pass. */
  get info(): ConvInfo | null {
    return this.threadedPass ? this.threads.info! : (this.input?.info ?? null);
  }

  private runsThreaded(info: ConvInfo): boolean {
    return this.pool !== undefined && this.pool.threads > 1 && info.work >= MIN_PARALLEL_WORK;
  }

  // -------------------------------------------------------------------------------------------
  // The strategy's kernels: flat arrays, sizes from `info` (checked by the caller)

  /** out [N, K, Ho, Wo] = conv2d(x, w) + bias, keeping the spectra for the gradients. */
  forwardInto(out: FloatArray, x: FloatArray, w: FloatArray, bias: FloatArray | null, info: ConvInfo): void {
    this.givenX = x;
    this.givenW = w;
    this.givenGy = undefined;
    this.threadedPass = this.runsThreaded(info);
    if (this.threadedPass) {
      this.input = this.weight = null;
      spectralConv2dParallelInto(this.threads, out, x, w, bias, info, this.pool!);
      return;
    }
    const geometry = this.geometryOf(info);
    this.input = inputSpectrumOf(x, dtypeOfArray(x), info, this.inputBuffer, geometry);
    this.inputBuffer = this.input.data;
    this.counts.input++;
    this.weight = weightSpectrumOf(w, dtypeOfArray(w), info, this.weightBuffer, geometry);
    this.weightBuffer = this.weight.data;
    this.counts.weight++;
    forwardProductInto(out, this.input, this.weight, bias);
  }

  /** gw [K, C/groups, kh, kw] = dL/dw, with the input's spectrum kept from forward when `x` is its input. */
  gradWeightInto(gw: FloatArray, x: FloatArray, gy: FloatArray, info: ConvInfo): void {
    if (this.threadedPass && x === this.givenX && sameConv(info, this.threads.info!)) {
      spectralGradWeightParallelInto(this.threads, gw, gy, this.pool!);
      return;
    }
    const xs = this.keptInput(x, info);
    const gs = this.gradSpectrumOf(gy, info);
    this.givenGy = gy;
    gradWeightProductInto(gw, xs, gs);
  }

  /** gx [N, C, H, W] = dL/dx, with the weights' spectrum kept from forward and gy's from `gradWeightInto` when they match. */
  gradInputInto(gx: FloatArray, gy: FloatArray, w: FloatArray, info: ConvInfo): void {
    if (this.threadedPass && w === this.givenW && sameConv(info, this.threads.info!)) {
      spectralGradInputParallelInto(this.threads, gx, gy, this.pool!);
      return;
    }
    const ws = this.keptWeight(w, info);
    const gs = this.givenGy === gy && this.lastGrad && sameConv(info, this.lastGrad.info) ? this.lastGrad : this.gradSpectrumOf(gy, info);
    this.givenGy = undefined;
    gradInputProductInto(gx, gs, ws);
  }

  private keptInput(x: FloatArray, info: ConvInfo): InputSpectrum {
    if (!this.threadedPass && this.input && x === this.givenX && sameConv(info, this.input.info)) return this.input;
    this.input = inputSpectrumOf(x, dtypeOfArray(x), info, this.inputBuffer, this.geometryOf(info));
    this.inputBuffer = this.input.data;
    this.counts.input++;
    return this.input;
  }

  private keptWeight(w: FloatArray, info: ConvInfo): WeightSpectrum {
    if (!this.threadedPass && this.weight && w === this.givenW && sameConv(info, this.weight.info)) return this.weight;
    this.weight = weightSpectrumOf(w, dtypeOfArray(w), info, this.weightBuffer, this.geometryOf(info));
    this.weightBuffer = this.weight.data;
    this.counts.weight++;
    return this.weight;
  }

  private gradSpectrumOf(gy: FloatArray, info: ConvInfo): GradSpectrum {
    const gs = gradSpectrumOf(gy, dtypeOfArray(gy), info, this.gradBuffer, this.geometryOf(info));
    this.gradBuffer = gs.data;
    this.counts.grad++;
    return (this.lastGrad = gs);
  }

  // -------------------------------------------------------------------------------------------
  // Tensors

  /**
   * conv2d(x, w) + b [N, K, Ho, Wo]. `w` is a weight tensor (transformed here, once for the whole
   * batch) or a weight spectrum computed earlier for the same shapes (then nothing is transformed
   * for the weights at all). Written into `out` when given (a layer's own buffer).
   */
  forward(x: Tensor, w: Tensor | WeightSpectrum, b?: Tensor | null, out?: Tensor): Tensor {
    const who = 'SpectralConv2d.forward';
    checkTensor(x, who, 'input');
    const isSpectrum = (w as WeightSpectrum | undefined)?.kind === 'weight';
    if (!isSpectrum) checkTensor(w, who, 'weight');
    const wShape = isSpectrum ? weightShapeOf((w as WeightSpectrum).info) : (w as Tensor).shape;
    const info = convInfo(x.shape, wShape, this.options, who);
    const bias = checkBias(who, b, info);
    if (!isSpectrum) {
      const dtype = bias === null ? float32Only(dtypeOf(x), dtypeOf(w as Tensor)) : float32Only(dtypeOf(x), dtypeOf(w as Tensor), dtypeOf(bias));
      const y = destination(who, out, outputShape(info), dtype, info);
      this.forwardInto(y.data, dense(x, dtype).data, dense(w as Tensor, dtype).data, bias === null ? null : dense(bias, dtype).data, info);
      return y;
    }
    const xData = dense(x).data;
    this.threadedPass = false;
    this.givenX = xData;
    this.givenW = this.givenGy = undefined;
    this.input = inputSpectrumOf(xData, dtypeOf(x), info, this.inputBuffer, this.geometryOf(info));
    this.inputBuffer = this.input.data;
    this.counts.input++;
    this.weight = w as WeightSpectrum;
    return conv2dFromSpectra(this.input, this.weight, b, out);
  }

  /** The spectrum of gy for the last forward pass's shapes, in the plan's buffer. */
  gradSpectrum(gy: Tensor): GradSpectrum {
    const who = 'SpectralConv2d.gradSpectrum';
    const info = this.requireForward(who);
    checkTensor(gy, who, 'gy', [4]);
    checkShape(who, 'gy', gy.shape, outputShape(info), info);
    return this.gradSpectrumOf(dense(gy).data, info);
  }

  /** dL/dx [N, C, H, W] with the weights' spectrum kept from forward. */
  gradInput(gy: Tensor | GradSpectrum): Tensor {
    this.requireForward('SpectralConv2d.gradInput');
    return conv2dGradInputFromSpectra(this.toGradSpectrum(gy), this.weight!);
  }

  /** dL/dw [K, C/groups, kh, kw] with the input's spectrum kept from forward. */
  gradWeight(gy: Tensor | GradSpectrum): Tensor {
    this.requireForward('SpectralConv2d.gradWeight');
    return conv2dGradWeightFromSpectra(this.input!, this.toGradSpectrum(gy));
  }

  /**
   * The gradients of the last forward pass for the output gradient gy: gy is transformed once and
   * its spectrum serves both products. `wants` skips what a caller does not need (a first layer
   * needs no gradInput); `into` names tensors to write the gradients into instead of fresh ones.
   */
  backward(gy: Tensor, wants: { input?: boolean; weight?: boolean; bias?: boolean } = {}, into: Conv2dGradients = {}): Conv2dGradients {
    const who = 'SpectralConv2d.backward';
    const info = this.info;
    if (!info || (!this.threadedPass && !this.weight)) throw new Error(`${who}: call forward first; the gradients reuse its spectra`);
    checkTensor(gy, who, 'gy', [4]);
    checkShape(who, 'gy', gy.shape, outputShape(info), info);
    const g = dense(gy).data;
    const kept = this.threadedPass ? dtypeOfArray(this.givenX!) : float32Only(this.input!.dtype, this.weight!.dtype);
    const dtype = float32Only(kept, dtypeOf(gy));
    const out: Conv2dGradients = {};
    if (wants.weight ?? true) {
      const gw = destination(who, into.gradWeight, weightShapeOf(info), dtype, info);
      this.gradWeightInto(gw.data, this.givenX!, g, info);
      out.gradWeight = gw;
    }
    if (wants.input ?? true) {
      const gx = destination(who, into.gradInput, inputShapeOf(info), dtype, info);
      // A weight spectrum given to forward has no array: the kept spectrum is used as it is.
      if (this.givenW !== undefined) this.gradInputInto(gx.data, g, this.givenW, info);
      else gradInputProductInto(gx.data, this.givenGy === g ? this.lastGrad! : this.gradSpectrumOf(g, info), this.weight!);
      out.gradInput = gx;
    }
    if (wants.bias ?? true) {
      const gb = destination(who, into.gradBias, [info.outChannels], dtypeOf(gy), info);
      conv2dGradBiasInto(gb.data, dense(gy).data, info.batch, info.outChannels, info.outHeight * info.outWidth);
      out.gradBias = gb;
    }
    return out;
  }

  private geometryOf(info: ConvInfo): SpectralGeometry {
    const key = `${info.inChannels},${info.inHeight},${info.inWidth},${info.weightShape.join(',')}`;
    if (this.geometryCache?.key !== key) this.geometryCache = { key, geometry: spectralGeometry(info) };
    return this.geometryCache.geometry;
  }

  private toGradSpectrum(gy: Tensor | GradSpectrum): GradSpectrum {
    return (gy as GradSpectrum).kind === 'grad' ? (gy as GradSpectrum) : this.gradSpectrum(gy as Tensor);
  }

  private requireForward(who: string): ConvInfo {
    if (this.threadedPass) this.spectraHere();
    if (!this.input || !this.weight) throw new Error(`${who}: call forward first; the gradients reuse its spectra`);
    return this.input.info;
  }

  /** After a threaded pass, the spectra on the calling thread too (for the calls that take or return spectra). */
  private spectraHere(): void {
    const { info, x, w } = this.threads;
    this.threadedPass = false;
    this.givenX = x;
    this.givenW = w;
    this.keptInput(x!, info!);
    this.keptWeight(w!, info!);
  }
}

// ---------------------------------------------------------------------------------------------
// Pure functions with core's signatures

/**
 * `conv2d(x, w, b, options)` through the FFT: x [N, C, H, W], w [K, C/groups, kh, kw] -> [N, K, Ho, Wo].
 * With `options.pool` it runs on that pool's threads (see SpectralConv2d), else on the calling thread.
 */
export function fftConv2d(x: Tensor, w: Tensor, b?: Tensor | null, optionsIn: (Conv2dOptions & { pool?: WorkerPool }) | null = {}): Tensor {
  const who = 'fftConv2d';
  const options = optionsObject(optionsIn, who);
  if (options.pool !== undefined) return new SpectralConv2d(options, options.pool).forward(x, w, b);
  checkTensor(x, who, 'input');
  checkTensor(w, who, 'weight');
  const info = convInfo(x.shape, w.shape, options, who);
  checkBias(who, b, info);
  const xs = inputSpectrumOf(dense(x).data, dtypeOf(x), info);
  const ws = weightSpectrumOf(dense(w).data, dtypeOf(w), info);
  return conv2dFromSpectra(xs, ws, b);
}

/** `conv2dGradInput(gy, w, xShape, options)` through the FFT: dL/dx [N, C, H, W]. */
export function fftConv2dGradInput(gy: Tensor, w: Tensor, xShape: readonly number[], options: Conv2dOptions | null = {}): Tensor {
  const who = 'fftConv2dGradInput';
  checkTensor(gy, who, 'gy');
  checkTensor(w, who, 'weight');
  checkShapeArgument(xShape, who, 'xShape');
  const info = convInfo(xShape, w.shape, options, who);
  checkShape(who, 'gy', gy.shape, outputShape(info), info);
  const gs = gradSpectrumOf(dense(gy).data, dtypeOf(gy), info);
  const ws = weightSpectrumOf(dense(w).data, dtypeOf(w), info);
  return conv2dGradInputFromSpectra(gs, ws);
}

/** `conv2dGradWeight(x, gy, wShape, options)` through the FFT: dL/dw [K, C/groups, kh, kw]. */
export function fftConv2dGradWeight(x: Tensor, gy: Tensor, wShape: readonly number[], options: Conv2dOptions | null = {}): Tensor {
  const who = 'fftConv2dGradWeight';
  checkTensor(x, who, 'input');
  checkTensor(gy, who, 'gy');
  checkShapeArgument(wShape, who, 'wShape');
  const info = convInfo(x.shape, wShape, options, who);
  checkShape(who, 'gy', gy.shape, outputShape(info), info);
  const xs = inputSpectrumOf(dense(x).data, dtypeOf(x), info);
  const gs = gradSpectrumOf(dense(gy).data, dtypeOf(gy), info);
  return conv2dGradWeightFromSpectra(xs, gs);
}
