import { describe, expect, it } from 'vitest';
import { zeros } from '@convlab/core';
import { Flatten, Linear, MODEL_NAMES, ReLU, Sequential, createModel, layerOutput, lenet5, models } from '@convlab/nn';

const LENET5_TABLE = `Layer (type)  Output shape      Param #
=======================================
0 Conv2d      [-1, 20, 24, 24]      520
1 MaxPool2d   [-1, 20, 12, 12]        0
2 Tanh        [-1, 20, 12, 12]        0
3 Conv2d      [-1, 50, 8, 8]     25,050
4 MaxPool2d   [-1, 50, 4, 4]          0
5 Tanh        [-1, 50, 4, 4]          0
6 Flatten     [-1, 800]               0
7 Linear      [-1, 500]         400,500
8 Tanh        [-1, 500]               0
9 Linear      [-1, 10]            5,010
=======================================
Input shape: [-1, 1, 28, 28]
Total params: 431,080
`;

describe('model.summary', () => {
  it("prints LeNet-5's layers, output shapes and parameter counts (431,080 in all), whatever the batch", () => {
    expect(lenet5().summary([1, 1, 28, 28])).toBe(LENET5_TABLE);
    expect(lenet5().summary([64, 1, 28, 28])).toBe(LENET5_TABLE);
  });

  it("gives every preset's stated parameter count and the shapes forward produces", () => {
    for (const name of MODEL_NAMES) {
      const model = createModel(name).eval();
      const table = model.summary([2, 1, 28, 28]);
      expect(table).toContain(`Total params: ${models[name]!.parameterCount.toLocaleString('en-US')}`);
      // The oracle: run the layers one by one and compare each row's shape with the real output.
      let x = zeros([2, 1, 28, 28], 'float32');
      model.layers.forEach((layer, i) => {
        const predicted = layerOutput(layer, x.shape).shape;
        x = layer.forward(x);
        expect(predicted, `${name} layer ${i}`).toEqual(x.shape);
        expect(table).toContain(`${i} ${layer.config().type}`);
      });
    }
  });

  it('numbers the layers of a nested Sequential like its parameter names', () => {
    const model = new Sequential(new Flatten(), new Sequential(new Linear({ inFeatures: 6, outFeatures: 4 }), new ReLU()), new Linear({ inFeatures: 4, outFeatures: 2 }));
    expect(model.summary([5, 2, 3])).toBe(
      [
        'Layer (type)  Output shape  Param #',
        '===================================',
        '0 Flatten     [-1, 6]             0',
        '1.0 Linear    [-1, 4]            28',
        '1.1 ReLU      [-1, 4]             0',
        '2 Linear      [-1, 2]            10',
        '===================================',
        'Input shape: [-1, 2, 3]',
        'Total params: 38',
        '',
      ].join('\n'),
    );
    expect(model.parameters().map((p) => p.name)).toEqual(['1.0.weight', '1.0.bias', '2.weight', '2.bias']);
  });

  it('says which layer an input shape does not fit', () => {
    expect(() => lenet5().summary([1, 1, 27, 27])).toThrow('summary: layer 1 (MaxPool2d) on input [1, 20, 23, 23]: MaxPool2d: the filter does not fit');
    expect(() => lenet5().summary([1, 3, 28, 28])).toThrow('summary: layer 0 (Conv2d) on input [1, 3, 28, 28]: Conv2d: channel mismatch');
    expect(() => lenet5().summary([1, 1, 32, 32])).toThrow('summary: layer 7 (Linear) on input [1, 1250]: Linear: input has 1250 features');
    expect(() => lenet5().summary([])).toThrow('summary: the input shape must be a list of positive integers');
  });
});
