import type { Layer } from './layer.js';
import { layerOutput } from './output-shape.js';

/** A model of layers in sequence (a Sequential), known by its shape so that Sequential can import this file. */
interface Layers {
  readonly layers: readonly Layer[];
}

interface Row {
  name: string;
  shape: string;
  params: number;
}

/**
 * A model's layers as torchsummary and Keras print them: each layer's index and type, its output
 * shape for an input of shape `inputShape` (the batch axis shown as -1: any batch size gives the
 * same table) and its parameter count, then the total. Nested Sequentials list their layers as
 * `4.0`, `4.1`, ... like the parameter names.
 */
export function summarize(model: Layers, inputShape: readonly number[]): string {
  if (!Array.isArray(inputShape) || inputShape.length < 1 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`summary: the input shape must be a list of positive integers such as [1, 1, 28, 28], got ${JSON.stringify(inputShape)}`);
  }
  const rows: Row[] = [];
  walk(model, '', inputShape, rows);
  const total = rows.reduce((sum, row) => sum + row.params, 0);
  const header: Row = { name: 'Layer (type)', shape: 'Output shape', params: 0 };
  const nameWidth = Math.max(header.name.length, ...rows.map((r) => r.name.length));
  const shapeWidth = Math.max(header.shape.length, ...rows.map((r) => r.shape.length));
  const paramWidth = Math.max('Param #'.length, ...rows.map((r) => grouped(r.params).length));
  const line = (name: string, shape: string, params: string) => `${name.padEnd(nameWidth)}  ${shape.padEnd(shapeWidth)}  ${params.padStart(paramWidth)}`;
  const width = nameWidth + shapeWidth + paramWidth + 4;
  return [
    line(header.name, header.shape, 'Param #'),
    '='.repeat(width),
    ...rows.map((r) => line(r.name, r.shape, grouped(r.params))),
    '='.repeat(width),
    `Input shape: ${shapeText(inputShape)}`,
    `Total params: ${grouped(total)}`,
    '',
  ].join('\n');
}

/** Appends a row per layer (recursing into Sequentials) and returns the output shape. */
function walk(model: Layers, prefix: string, inShape: readonly number[], rows: Row[]): number[] {
  let shape = [...inShape];
  model.layers.forEach((layer: Layer, i) => {
    const index = `${prefix}${i}`;
    const inner = (layer as Partial<Layers>).layers;
    if (Array.isArray(inner)) {
      shape = walk({ layers: inner }, `${index}.`, shape, rows);
      return;
    }
    const type = layer.config().type;
    try {
      shape = layerOutput(layer, shape).shape;
    } catch (error) {
      throw new Error(`summary: layer ${index} (${type}) on input [${shape.join(', ')}]: ${(error as Error).message}`);
    }
    rows.push({ name: `${index} ${type}`, shape: shapeText(shape), params: layer.parameters().reduce((n, p) => n + p.value.size, 0) });
  });
  return shape;
}

function shapeText(shape: readonly number[]): string {
  return `[${['-1', ...shape.slice(1).map(String)].join(', ')}]`;
}

function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
