import { CONV_METHODS, arrayFor, checkAllocation, conv2dGradBiasParallelInto, conv2dStrategy, convInfo, convSizes, fromDense, normalizeConv2dOptions, outputShape, poolOf, resolveConvMethod } from '@convlab/core';
import type { Conv2dPlan, ConvInfo, ConvMethod, ConvStrategyName, Dtype, FloatArray, Pair, Tensor } from '@convlab/core';
// Loading the FFT package registers its strategy and its cost model for 'auto' in core's table.
import '@convlab/fft';
import { checkInit, defaultRandom, initWeight } from '../init.js';
import type { Init } from '../init.js';
import type { Random } from '../random.js';
import { Module, ResultBuffer, checkDtype, checkGrad, checkInput, checkInputDtype, configOf, flatData, newParameter, positiveInt } from './layer.js';
import type { LayerConfig, Parameter } from './layer.js';

/*
 * How a Conv2d computes is core's `ConvMethod`, looked up in core's strategy table: core's direct
 * loop or im2col + GEMM, the FFT package's spectral plan, or `'auto'`: the FFT package's cost model
 * picks for each input shape, pricing a whole training step (forward and both gradients) in
 * training mode and a forward pass in eval mode. The strategy's plan keeps what its gradients reuse
 * and runs on the layer's pool (`usePool`, default core's `defaultPool()`).
 */

export interface Conv2dLayerOptions {
  inChannels: number;
  outChannels: number;
  /** Filter size: a number or `[kh, kw]`. */
  kernelSize: Pair;
  stride?: Pair;
  /** Zero padding on each side: a number, `[h, w]`, `'valid'` (0, the default) or `'same'` (stride 1). */
  padding?: Pair | 'valid' | 'same';
  dilation?: Pair;
  /** Split the channels into groups convolved separately (default 1). */
  groups?: number;
  /** Add a learnable bias per output channel (default true). */
  bias?: boolean;
  /** Floor a fractional output size as PyTorch does, instead of throwing "does not fit". */
  floor?: boolean;
  /** Default 'auto'. Every method gives the same numbers within round-off. */
  method?: ConvMethod;
  /** Parameter dtype, default 'float32'; inputs must have the same dtype. */
  dtype?: Dtype;
  /** Initialisation, named after the activation that follows (default 'tanh'): see init.ts. */
  init?: Init;
  /**
   * The pooling window that follows this layer, if any: the LISA tutorial divides fan_out by its
   * area, fan_out = outChannels * kh * kw / (ph * pw) (default 1: no division).
   */
  initPool?: Pair;
  /** Generator for the initial weights (default: the shared default generator). */
  random?: Random;
}

function pairOf(value: Pair): [number, number] {
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
}

/**
 * 2-D convolution layer (cross-correlation, as torch.nn.Conv2d) over [N, C, H, W], weight
 * [outChannels, inChannels/groups, kh, kw], bias [outChannels]. In the lecture's terms:
 *
 * - forward: z_j = sum_i a_i o K_ij + b_j (o the 'valid' cross-correlation);
 * - backward, the input's delta: delta_i = sum_j full_conv(delta_j, K_ij);
 * - the weight gradient: dJ/dK_ij = a_i o delta_j ('valid' correlation), summed over the batch;
 * - the bias gradient: dJ/db_j = sum over positions of delta_j.
 *
 * The products run in @convlab/core (direct, im2col) or @convlab/fft; sizes come from ConvInfo.
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: Pair;
  readonly padding: Pair | 'valid' | 'same';
  readonly dilation: Pair;
  readonly groups: number;
  readonly floor: boolean;
  readonly dtype: Dtype;
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  private methodValue: ConvMethod = 'auto';
  private input?: FloatArray;
  private info?: ConvInfo;
  /** The strategy's plan for the last forward pass (the spectral one keeps the input's and the weights' spectra). */
  private plan?: Conv2dPlan;
  private weightGrad?: FloatArray;
  private biasGrad?: FloatArray;
  private readonly autoChoices = new Map<string, ConvStrategyName>();
  private readonly outBuffer = new ResultBuffer();
  private readonly gradBuffer = new ResultBuffer();

  constructor(options: Conv2dLayerOptions) {
    super();
    const who = 'Conv2d';
    if (!options || typeof options !== 'object') throw new Error(`${who}: expected an options object { inChannels, outChannels, kernelSize }`);
    this.inChannels = positiveInt(options.inChannels, who, 'inChannels');
    this.outChannels = positiveInt(options.outChannels, who, 'outChannels');
    this.groups = positiveInt(options.groups ?? 1, who, 'groups');
    if (this.inChannels % this.groups !== 0 || this.outChannels % this.groups !== 0) {
      throw new Error(`${who}: groups ${this.groups} must divide both inChannels ${this.inChannels} and outChannels ${this.outChannels}`);
    }
    const kernel: unknown = options.kernelSize;
    const pair = typeof kernel === 'number' ? [kernel, kernel] : Array.isArray(kernel) && kernel.length === 2 ? kernel : null;
    if (!pair || !pair.every((v) => Number.isInteger(v) && v >= 1)) {
      throw new Error(`${who}: kernelSize must be a positive integer or a pair of them, got ${JSON.stringify(kernel)}`);
    }
    this.kernelSize = [pair[0], pair[1]];
    const [kh, kw] = this.kernelSize;
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    this.floor = options.floor ?? false;
    this.dtype = checkDtype(options.dtype ?? 'float32', who);
    this.method = options.method ?? 'auto';
    // A bad stride, padding or dilation fails where the layer is built; whether the filter fits waits for an input.
    normalizeConv2dOptions(this.convOptions(), who);

    const init = checkInit(options.init ?? 'tanh', who);
    const [ph, pw] = pairOf(options.initPool ?? 1);
    positiveInt(ph, who, 'initPool');
    positiveInt(pw, who, 'initPool');
    const receptive = kh * kw;
    const fanIn = (this.inChannels / this.groups) * receptive;
    const fanOut = (this.outChannels * receptive) / (ph * pw);
    this.weight = newParameter('weight', this.weightShape(), this.dtype, who);
    initWeight(this.weight.value.data, init, fanIn, fanOut, options.random ?? defaultRandom());
    this.bias = options.bias === false ? null : newParameter('bias', [this.outChannels], this.dtype, who);
  }

  /** The computation strategy; settable between calls (e.g. by a command line's `--conv`). */
  get method(): ConvMethod {
    return this.methodValue;
  }

  set method(method: ConvMethod) {
    if (!CONV_METHODS.includes(method)) {
      throw new Error(`Conv2d: method must be one of ${CONV_METHODS.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(method)}`);
    }
    this.methodValue = method;
  }

  private weightShape(): [number, number, number, number] {
    return [this.outChannels, this.inChannels / this.groups, this.kernelSize[0], this.kernelSize[1]];
  }

  private convOptions() {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups, floor: this.floor };
  }

  /** The strategy `method` stands for on this convolution (the cost model's pick is cached per shape and mode). */
  private resolve(info: ConvInfo): ConvStrategyName {
    if (this.methodValue !== 'auto') return this.methodValue;
    const pass = this.training ? 'training' : 'forward';
    const key = `${info.inShape.join(',')}:${pass}`;
    let method = this.autoChoices.get(key);
    if (method === undefined) {
      method = resolveConvMethod('auto', info, pass);
      this.autoChoices.set(key, method);
    }
    return method;
  }

  forward(x: Tensor): Tensor {
    const who = 'Conv2d';
    checkInput(x, who, [4]);
    checkInputDtype(x, this.dtype, who);
    const info = convInfo(x.shape, this.weightShape(), this.convOptions(), who);
    checkAllocation(who, 'output', outputShape(info), this.dtype);
    const strategy = conv2dStrategy(this.resolve(info), who);
    // A new plan when the strategy or the pool changes (setNumThreads picks another default pool).
    const pool = poolOf(this.pool);
    if (this.plan?.method !== strategy.method || this.plan.pool !== pool) this.plan = strategy.plan(this.convOptions(), pool);
    const input = flatData(x);
    const out = this.outBuffer.take(this.dtype, convSizes(info).output, this.reuse.output);
    strategy.forward(out, input, this.weight.value.data, this.bias ? this.bias.value.data : null, info, this.plan);
    this.input = input;
    this.info = info;
    return fromDense(out, outputShape(info));
  }

  backward(gy: Tensor): Tensor {
    return this.backwardWith(gy, true)!;
  }

  /** The weight and bias gradients alone: the input-gradient product is not run at all. */
  override backwardParameters(gy: Tensor): void {
    this.backwardWith(gy, false);
  }

  private backwardWith(gy: Tensor, inputGrad: boolean): Tensor | null {
    const info = this.info;
    checkGrad(gy, info?.outShape, 'Conv2d');
    checkInputDtype(gy, this.dtype, 'Conv2d.backward');
    const plan = this.plan!;
    const strategy = conv2dStrategy(plan.method);
    const g = flatData(gy);
    const w = this.weight.value.data;
    const gw = (this.weightGrad = reuseArray(this.weightGrad, this.dtype, w.length));
    strategy.gradWeight(gw, this.input!, g, info!, plan);
    addInto(this.weight.grad.data, gw);
    if (this.bias) {
      const gb = (this.biasGrad = reuseArray(this.biasGrad, this.dtype, this.outChannels));
      conv2dGradBiasParallelInto(gb, g, info!, { pool: plan.pool });
      addInto(this.bias.grad.data, gb);
    }
    if (!inputGrad) return null;
    const gx = this.gradBuffer.take(this.dtype, convSizes(info!).input, this.reuse.gradInput);
    strategy.gradInput(gx, g, w, info!, plan);
    return fromDense(gx, info!.inShape);
  }

  override parameters(): Parameter[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  config(): LayerConfig {
    return configOf('Conv2d', {
      inChannels: this.inChannels,
      outChannels: this.outChannels,
      kernelSize: this.kernelSize,
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
      bias: this.bias !== null,
      floor: this.floor,
      method: this.methodValue,
      dtype: this.dtype,
    });
  }
}

function reuseArray(previous: FloatArray | undefined, dtype: Dtype, n: number): FloatArray {
  const fits = previous !== undefined && previous.length === n && (dtype === 'float32') === previous instanceof Float32Array;
  return fits ? previous : arrayFor(dtype, n);
}

/** acc += values, elementwise (gradients accumulate across backward calls). */
function addInto(acc: FloatArray, values: FloatArray): void {
  for (let i = 0; i < acc.length; i++) acc[i] += values[i]!;
}
