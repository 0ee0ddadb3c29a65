import ndarray from 'ndarray';
import { checkTensor, dense, dtypeOf, resultDtype, type Tensor } from '../tensor.js';
import { allocate } from '../limits.js';
import { optionsObject } from '../options.js';
import { convInfo, outputShape, type Conv2dOptions, type ConvInfo } from './conv-info.js';
import type { ConvMethod } from './conv-method.js';
import { conv2dDirectInto, conv2dGradBiasInto, conv2dGradInputDirectInto, conv2dGradWeightDirectInto } from './direct.js';
import { conv2dGradInputIm2colInto, conv2dGradWeightIm2colInto, conv2dIm2colInto } from './im2col-conv.js';

/*
 * The public batched conv2d and its gradients: validate the tensors, take every size from
 * convInfo, bring the inputs to one dtype as contiguous buffers (views are gathered), and hand them
 * to a kernel of the chosen strategy.
 */

export interface Conv2dMethodOptions extends Conv2dOptions {
  /** Core's strategies, the direct loop or im2col + GEMM; `'auto'` (the default) picks with `chooseConv2dMethod`. */
  method?: Exclude<ConvMethod, 'fft'>;
}

/**
 * The default strategy for a shape. The GEMM computes 4 output channels per register tile, so with
 * fewer than 4 output channels per group (depthwise convolution) most of its work would be padding:
 * there the direct loop wins; everywhere else im2col does (benchmarks/gemm-conv2d).
 */
export function chooseConv2dMethod(info: ConvInfo): 'direct' | 'im2col' {
  return info.outChannelsPerGroup < 4 ? 'direct' : 'im2col';
}

function resolveMethod(method: unknown, info: ConvInfo, who: string): 'direct' | 'im2col' {
  if (method === undefined || method === null || method === 'auto') return chooseConv2dMethod(info);
  if (method === 'direct' || method === 'im2col') return method;
  throw new Error(
    `${who}: method must be 'direct', 'im2col' or 'auto', got ${JSON.stringify(method)}` +
      (method === 'fft' ? " (the spectral method is in @convlab/fft)" : ''),
  );
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
  const method = resolveMethod(options.method, info, 'conv2d');
  const dtype = bias === null ? resultDtype(x, w) : resultDtype(x, w, bias);
  const shape = outputShape(info);
  const out = allocate('conv2d', 'output', shape, dtype);
  const xData = dense(x, dtype).data;
  const wData = dense(w, dtype).data;
  const bData = bias === null ? null : dense(bias, dtype).data;
  if (method === 'direct') conv2dDirectInto(out, xData, wData, bData, info);
  else conv2dIm2colInto(out, xData, wData, bData, info);
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
  const method = resolveMethod(options.method, info, who);
  const dtype = resultDtype(gy, w);
  const gx = allocate(who, 'dL/dx', [info.batch, info.inChannels, info.inHeight, info.inWidth], dtype);
  const gyData = dense(gy, dtype).data;
  const wData = dense(w, dtype).data;
  if (method === 'direct') conv2dGradInputDirectInto(gx, gyData, wData, info);
  else conv2dGradInputIm2colInto(gx, gyData, wData, info);
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
  const method = resolveMethod(options.method, info, who);
  const dtype = resultDtype(x, gy);
  const gw = allocate(who, 'dL/dw', [info.outChannels, info.inChannelsPerGroup, info.kernelHeight, info.kernelWidth], dtype);
  const xData = dense(x, dtype).data;
  const gyData = dense(gy, dtype).data;
  if (method === 'direct') conv2dGradWeightDirectInto(gw, xData, gyData, info);
  else conv2dGradWeightIm2colInto(gw, xData, gyData, info);
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
