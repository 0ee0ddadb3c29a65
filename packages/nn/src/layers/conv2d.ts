import { arrayFor, checkAllocation, conv2dGradBiasParallelInto, conv2dStrategy, convInfo, convSizes, fromDense, outputShape, poolOf, resolveConvMethod } from '@convlab/core';
import type { Conv2dPlan, ConvInfo, ConvMethod, ConvStrategyName, Dtype, FloatArray, Pair, Tensor } from '@convlab/core';
// Loading the FFT package registers its strategy and its cost model for 'auto' in core's table.
import '@convlab/fft';
import { defaultRandom, initWeight } from '../init.js';
import { checkConvMethod, conv2dSettings, type Conv2dLayerOptions } from './conv2d-options.js';
import { Module, ResultBuffer, checkGrad, checkInput, checkInputDtype, configOf, flatData, newParameter, reuse } from './layer.js';
import type { LayerConfig, Parameter } from './layer.js';

export type { Conv2dLayerOptions } from './conv2d-options.js';

/*
 * How a Conv2d computes is core's `ConvMethod`, looked up in core's strategy table: core's direct
 * loop or im2col + GEMM, the FFT package's spectral plan, or `'auto'`: the FFT package's cost model
 * picks for each input shape, pricing a whole training step (forward and both gradients) in
 * training mode and a forward pass in eval mode. The strategy's plan keeps what its gradients reuse
 * and runs on the layer's pool (`usePool`, default core's `defaultPool()`).
 */

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
  private readonly newArray = (n: number) => arrayFor(this.dtype, n);

  constructor(options: Conv2dLayerOptions) {
    super();
    const o = conv2dSettings(options, 'Conv2d');
    ({ inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize, groups: this.groups, dtype: this.dtype } = o);
    ({ stride: this.stride, padding: this.padding, dilation: this.dilation, floor: this.floor, method: this.methodValue } = o);
    this.weight = newParameter('weight', this.weightShape(), this.dtype, 'Conv2d');
    initWeight(this.weight.value.data, o.init, o.fanIn, o.fanOut, options.random ?? defaultRandom());
    this.bias = o.bias ? newParameter('bias', [this.outChannels], this.dtype, 'Conv2d') : null;
  }

  /** The computation strategy; settable between calls (e.g. by a command line's `--conv`). */
  get method(): ConvMethod {
    return this.methodValue;
  }

  set method(method: ConvMethod) {
    this.methodValue = checkConvMethod(method, 'Conv2d');
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
    const gw = (this.weightGrad = reuse(this.weightGrad, this.newArray, w.length));
    strategy.gradWeight(gw, this.input!, g, info!, plan);
    addInto(this.weight.grad.data, gw);
    if (this.bias) {
      const gb = (this.biasGrad = reuse(this.biasGrad, this.newArray, this.outChannels));
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

/** acc += values, elementwise (gradients accumulate across backward calls). */
function addInto(acc: FloatArray, values: FloatArray): void {
  for (let i = 0; i < acc.length; i++) acc[i] += values[i]!;
}
