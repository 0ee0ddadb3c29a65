import { dense, dtypeOf } from '@convlab/core';
import type { ConvInfo, Dtype } from '@convlab/core';
import { ReLU, Sigmoid, Tanh } from '../layers/activations.js';
import { AvgPool2d } from '../layers/avg-pool2d.js';
import { Conv2d } from '../layers/conv2d.js';
import { Dropout } from '../layers/dropout.js';
import { Flatten } from '../layers/flatten.js';
import type { Layer, Parameter } from '../layers/layer.js';
import { Linear } from '../layers/linear.js';
import { MaxPool2d } from '../layers/max-pool2d.js';
import { layerOutput } from '../layers/output-shape.js';
import { Sequential } from '../layers/sequential.js';
import { ProtoMessage } from './protobuf.js';

export interface OnnxExportOptions {
  /** The shape of one input without the batch axis, e.g. [1, 28, 28] for MNIST. */
  inputShape: readonly number[];
  /** Append a Softmax over the classes, so the model outputs probabilities (default false: logits). */
  softmax?: boolean;
  /** The graph's name (default "convlab"). */
  name?: string;
}

export const ONNX_OPSET = 13;
const IR_VERSION = 7;
const ELEM_TYPE: Record<Dtype, number> = { float32: 1, float64: 11 };
const ATTR_INT = 2;
const ATTR_INTS = 7;

/** The layers written, as nodes (Dropout as none: it is the identity in inference). */
const EXPORTED = [Conv2d, MaxPool2d, AvgPool2d, Tanh, Sigmoid, ReLU, Flatten, Linear, Dropout];

type Attribute = [name: string, value: number | readonly number[]];

/**
 * A Sequential as an ONNX model (opset 13): Conv, MaxPool, AveragePool, Tanh, Relu, Sigmoid,
 * Flatten and Gemm nodes, the weights as initializers under their parameter names (`0.weight`),
 * an input `input` of shape [N, ...inputShape] with a symbolic batch N, and an output `logits`
 * (or `probabilities` after a final Softmax). Dropout is left out, as in inference. The field
 * numbers are onnx.proto's (onnx/onnx.proto in the ONNX repository).
 *
 * Returns the bytes of the .onnx file; throws, naming it, on any layer ONNX export does not support.
 */
export function exportOnnx(model: Sequential, options: OnnxExportOptions): Uint8Array {
  if (!(model instanceof Sequential)) throw new Error('exportOnnx: the model must be a Sequential');
  const inputShape = options?.inputShape;
  if (!Array.isArray(inputShape) || inputShape.length < 1 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`exportOnnx: inputShape must be the shape of one input without the batch axis, e.g. [1, 28, 28], got ${JSON.stringify(inputShape)}`);
  }
  const params = model.parameters();
  const dtype = params.length > 0 ? dtypeOf(params[0]!.value) : 'float32';
  const nodes: NodeSpec[] = [];
  const initializers: ProtoMessage[] = [];
  let shape = [1, ...inputShape];
  // Each node reads the previous node's output (the first reads the graph's input).
  const node = (opType: string, attributes: Attribute[] = [], weights: string[] = []): void => {
    const previous = nodes.length === 0 ? 'input' : nodes[nodes.length - 1]!.output;
    nodes.push({ opType, inputs: [previous, ...weights], output: `${opType.toLowerCase()}_${nodes.length}`, attributes });
  };

  for (const { layer, index, parameters } of layersOf(model, '')) {
    if (!EXPORTED.some((type) => layer instanceof type)) {
      throw new Error(`exportOnnx: layer ${index} is a ${layer.config().type}, which ONNX export does not support (it writes Conv2d, MaxPool2d, AvgPool2d, Tanh, Sigmoid, ReLU, Flatten, Linear and Dropout)`);
    }
    let out;
    try {
      out = layerOutput(layer, shape);
    } catch (error) {
      throw new Error(`exportOnnx: layer ${index}: ${(error as Error).message}`);
    }
    for (const p of parameters) {
      if (dtypeOf(p.value) !== dtype) throw new Error(`exportOnnx: parameter ${p.name} is ${dtypeOf(p.value)}, the others ${dtype}`);
      initializers.push(tensorProto(p));
    }
    const names = parameters.map((p) => p.name);
    const info = out.info;
    if (layer instanceof Conv2d) node('Conv', [...window(info!), ['dilations', [info!.dilationHeight, info!.dilationWidth]], ['group', info!.groups]], names);
    else if (layer instanceof MaxPool2d) node('MaxPool', [...window(info!), ['dilations', [info!.dilationHeight, info!.dilationWidth]]]);
    // convlab's default, as PyTorch's, counts the padding in the average; ONNX's default does not.
    else if (layer instanceof AvgPool2d) node('AveragePool', [...window(info!), ['count_include_pad', layer.options.countIncludePad === false ? 0 : 1]]);
    else if (layer instanceof Tanh) node('Tanh');
    else if (layer instanceof Sigmoid) node('Sigmoid');
    else if (layer instanceof ReLU) node('Relu');
    else if (layer instanceof Flatten) node('Flatten', [['axis', 1]]);
    else if (layer instanceof Linear) {
      if (shape.length !== 2) throw new Error(`exportOnnx: layer ${index} (Linear) takes a ${shape.length}-D input; ONNX Gemm takes [N, features]: put a Flatten before it`);
      node('Gemm', [['transB', 1]], names);
    }
    shape = out.shape;
  }
  if (options.softmax) {
    if (shape.length !== 2) throw new Error(`exportOnnx: softmax needs a [N, classes] output, the model's is ${shape.length}-D`);
    node('Softmax', [['axis', 1]]);
  }
  if (nodes.length === 0) node('Identity');
  const outputName = options.softmax ? 'probabilities' : 'logits';
  nodes[nodes.length - 1]!.output = outputName;
  const graph = new ProtoMessage();
  for (const n of nodes) graph.message(1, nodeProto(n));
  graph.string(2, options.name ?? 'convlab');
  for (const t of initializers) graph.message(5, t);
  graph.message(11, valueInfo('input', dtype, inputShape));
  graph.message(12, valueInfo(outputName, dtype, shape.slice(1)));
  return new ProtoMessage()
    .int(1, IR_VERSION)
    .string(2, 'convlab')
    .message(7, graph)
    .message(8, new ProtoMessage().string(1, '').int(2, ONNX_OPSET))
    .finish();
}

interface NodeSpec {
  opType: string;
  inputs: string[];
  output: string;
  attributes: Attribute[];
}

/** Every non-Sequential layer with its index path (`4.0` inside a nested Sequential) and its own parameters. */
function layersOf(model: Sequential, prefix: string): { layer: Layer; index: string; parameters: Parameter[] }[] {
  return model.layers.flatMap((layer, i) => {
    const index = `${prefix}${i}`;
    if (layer instanceof Sequential) return layersOf(layer, `${index}.`);
    return [{ layer, index, parameters: layer.parameters().map((p) => ({ ...p, name: `${index}.${p.name}` })) }];
  });
}

/** kernel_shape, strides and pads (ONNX orders pads [top, left, bottom, right]). */
function window(info: ConvInfo): Attribute[] {
  return [
    ['kernel_shape', [info.kernelHeight, info.kernelWidth]],
    ['strides', [info.strideHeight, info.strideWidth]],
    ['pads', [info.padTop, info.padLeft, info.padBottom, info.padRight]],
  ];
}

/** NodeProto: input 1, output 2, name 3, op_type 4, attribute 5. */
function nodeProto(n: NodeSpec): ProtoMessage {
  const m = new ProtoMessage();
  for (const input of n.inputs) m.string(1, input);
  m.string(2, n.output).string(3, n.output).string(4, n.opType);
  for (const [name, value] of n.attributes) {
    // AttributeProto: name 1, i 3, ints 8, type 20.
    const a = new ProtoMessage().string(1, name);
    if (typeof value === 'number') a.int(3, value).int(20, ATTR_INT);
    else a.packedInts(8, value).int(20, ATTR_INTS);
    m.message(5, a);
  }
  return m;
}

/** TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian values). */
function tensorProto(p: Parameter): ProtoMessage {
  const data = dense(p.value).data;
  const raw = new Uint8Array(data.byteLength);
  const view = new DataView(raw.buffer);
  if (data instanceof Float64Array) for (let i = 0; i < data.length; i++) view.setFloat64(8 * i, data[i]!, true);
  else for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i]!, true);
  return new ProtoMessage().packedInts(1, p.value.shape).int(2, ELEM_TYPE[dtypeOf(p.value)]).string(8, p.name).bytes(9, raw);
}

/** ValueInfoProto { name 1, type 2: TypeProto { tensor_type 1: { elem_type 1, shape 2 } } }, batch axis "N". */
function valueInfo(name: string, dtype: Dtype, shape: readonly number[]): ProtoMessage {
  // TensorShapeProto.Dimension: dim_value 1, dim_param 2.
  const dims = new ProtoMessage().message(1, new ProtoMessage().string(2, 'N'));
  for (const d of shape) dims.message(1, new ProtoMessage().int(1, d));
  const tensorType = new ProtoMessage().int(1, ELEM_TYPE[dtype]).message(2, dims);
  return new ProtoMessage().string(1, name).message(2, new ProtoMessage().message(1, tensorType));
}
