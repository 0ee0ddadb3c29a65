import ndarray from 'ndarray';
import { checkTensor, dense, dtypeOf, resultDtype, type Tensor } from '../tensor.js';
import { allocate } from '../limits.js';
import { optionsObject } from '../options.js';
import { singleThreadPool } from '../parallel/default-pool.js';
import type { WorkerPool } from '../parallel/pool.js';
import { convInfo, outputShape, type Conv2dOptions, type ConvInfo } from './conv-info.js';
import { CONV_METHODS, type ConvMethod } from './conv-method.js';
import { conv2dStrategy, resolveConvMethod, type Conv2dPlan, type Conv2dStrategy } from './conv2d-strategy.js';
import { conv2dGradBiasInto } from './direct.js';

/*
 * The public batched conv2d and its gradients: validate the tensors, take every size from
 * convInfo, bring the inputs to one dtype as contiguous buffers (views are gathered), and hand them
 * to the strategy the method names in the strategy table (conv2d-strategy.ts).
 */

export interface Conv2dMethodOptions extends Conv2dOptions {
  /**
   * `'direct'`, `'im2col'`, `'fft'` (once @convlab/fft is loaded) or `'auto'` (the default: the FFT
   * package's cost model when it is loaded, else `chooseConv2dMethod`).
   */
  method?: ConvMethod;
  /** Run on this pool's threads (e.g. `defaultPool()`); by default the call stays on the calling thread. */
  pool?: WorkerPool;
}

/** The strategy and a one-call plan for these options (`pass` prices 'auto' for one product). */
function strategyFor(options: Conv2dMethodOptions, info: ConvInfo, who: string): { strategy: Conv2dStrategy; plan: Conv2dPlan } {
  const method = options.method ?? 'auto';
  if (!CONV_METHODS.includes(method)) {
    throw new Error(`${who}: method must be one of ${CONV_METHODS.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(method)}`);
  }
  const strategy = conv2dStrategy(resolveConvMethod(method, info), who);
  return { strategy, plan: strategy.plan(options, options.pool ?? singleThreadPool()) };
}

function checkShapeArgument(shape: unknown, who: string, name: string): asserts shape is readonly number[] {
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number')) {
    throw new Error(`${who}: ${name} must be an array of 4 numbers, got ${JSON.stringify(shape)}`);
  }
}

/** The gradient gy must have exactly the shape of the forward output. */
function checkOutputGradient(gy: Tensor, info: ConvInfo, who: string, xShape: readonly number[], wShape: readonly number[]): void {
  const want = outputShape(info);
  if (gy.shape.length !== 4 || gy.shape.some((d, i) => d !== want[i])) {
    throw new Error(
      `${who}: gy has shape [${gy.shape.join(', ')}], but conv2d of input [${xShape.join(', ')}] with weight ` +
        `[${wShape.join(', ')}] gives [${want.join(', ')}]`,
    );
  }
}

/**
 * Batched 2-D cross-correlation, as PyTorch's `conv2d`: x [N, C, H, W], w [K, C/groups, kh, kw],
 * optional bias b [K] -> [N, K, Ho, Wo] with `Ho = (H + 2P - dilation*(kh-1) - 1)/stride + 1`.
 * float32 when every input is float32, else float64.
 */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor | null, optionsIn: Conv2dMethodOptions | null = {}): Tensor {
  const options = optionsObject(optionsIn, 'conv2d');
  checkTensor(x, 'conv2d', 'input');
  checkTensor(w, 'conv2d', 'weight');
  const info = convInfo(x.shape, w.shape, options, 'conv2d');
  const bias = b ?? null;
  if (bias !== null) {
    checkTensor(bias, 'conv2d', 'bias', [1]);
    if (bias.shape[0] !== info.outChannels) {
      throw new Error(
        `conv2d: bias has ${bias.shape[0]} elements, but the weight [${w.shape.join(', ')}] has ${info.outChannels} output channels`,
      );
    }
  }
  const { strategy, plan } = strategyFor(options, info, 'conv2d');
  const dtype = bias === null ? resultDtype(x, w) : resultDtype(x, w, bias);
  const shape = outputShape(info);
  const out = allocate('conv2d', 'output', shape, dtype);
  const xData = dense(x, dtype).data;
  const wData = dense(w, dtype).data;
  const bData = bias === null ? null : dense(bias, dtype).data;
  strategy.forward(out, xData, wData, bData, info, plan);
  return ndarray(out, shape);
}

/**
 * dL/dx [N, C, H, W] of `conv2d(x, w)` for x of shape `xShape`, given gy = dL/dy [N, K, Ho, Wo]:
 * the full convolution of gy with the kernel (a transposed GEMM and col2im with im2col).
 */
export function conv2dGradInput(gy: Tensor, w: Tensor, xShape: readonly number[], optionsIn: Conv2dMethodOptions | null = {}): Tensor {
  const who = 'conv2dGradInput';
  const options = optionsObject(optionsIn, who);
  checkTensor(gy, who, 'gy');
  checkTensor(w, who, 'weight');
  checkShapeArgument(xShape, who, 'xShape');
  const info = convInfo(xShape, w.shape, options, who);
  checkOutputGradient(gy, info, who, xShape, w.shape);
  const { strategy, plan } = strategyFor(options, info, who);
  const dtype = resultDtype(gy, w);
  const gx = allocate(who, 'dL/dx', [info.batch, info.inChannels, info.inHeight, info.inWidth], dtype);
  const gyData = dense(gy, dtype).data;
  const wData = dense(w, dtype).data;
  strategy.gradInput(gx, gyData, wData, info, plan);
  return ndarray(gx, [info.batch, info.inChannels, info.inHeight, info.inWidth]);
}

/**
 * dL/dw [K, C/groups, kh, kw] of `conv2d(x, w)` for w of shape `wShape`, given gy = dL/dy:
 * the 'valid' correlation of x with gy, summed over the batch.
 */
export function conv2dGradWeight(x: Tensor, gy: Tensor, wShape: readonly number[], optionsIn: Conv2dMethodOptions | null = {}): Tensor {
  const who = 'conv2dGradWeight';
  const options = optionsObject(optionsIn, who);
  checkTensor(x, who, 'input');
  checkTensor(gy, who, 'gy');
  checkShapeArgument(wShape, who, 'wShape');
  const info = convInfo(x.shape, wShape, options, who);
  checkOutputGradient(gy, info, who, x.shape, wShape);
  const { strategy, plan } = strategyFor(options, info, who);
  const dtype = resultDtype(x, gy);
  const gw = allocate(who, 'dL/dw', [info.outChannels, info.inChannelsPerGroup, info.kernelHeight, info.kernelWidth], dtype);
  const xData = dense(x, dtype).data;
  const gyData = dense(gy, dtype).data;
  strategy.gradWeight(gw, xData, gyData, info, plan);
  return ndarray(gw, [info.outChannels, info.inChannelsPerGroup, info.kernelHeight, info.kernelWidth]);
}

/** dL/db [K] of `conv2d(x, w, b)` given gy = dL/dy [N, K, Ho, Wo]: gy summed over N, Ho and Wo. */
export function conv2dGradBias(gy: Tensor): Tensor {
  checkTensor(gy, 'conv2dGradBias', 'gy', [4]);
  const [batch, channels, height, width] = gy.shape as [number, number, number, number];
  if (!(batch > 0 && channels > 0 && height > 0 && width > 0)) {
    throw new Error(`conv2dGradBias: gy must have no zero-size axis, got shape [${gy.shape.join(', ')}]`);
  }
  const gb = allocate('conv2dGradBias', 'output', [channels], dtypeOf(gy));
  conv2dGradBiasInto(gb, dense(gy).data, batch, channels, height * width);
  return ndarray(gb, [channels]);
}
