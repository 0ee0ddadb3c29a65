import { describe, expect, it } from 'vitest';
import { Random, SGD, SoftmaxCrossEntropy, evaluate, fit, lenet5, loadMnist, sliceDataset } from '@convlab/nn';

// A few thousand real MNIST images: short enough for CI, long enough that learning must show.
const mnist = loadMnist({ limit: 2000 });
const train = mnist.train;
const validation = sliceDataset(mnist.validation, 0, 500);
const test = sliceDataset(mnist.test, 0, 500);

describe('LeNet-5 on real MNIST (a short run)', () => {
  it('learns: the loss falls from ln 10 and the test error drops below 20 % in 100 minibatches of 20', async () => {
    const random = new Random(7);
    const model = lenet5({ random });
    const before = evaluate(model, test.images, test.labels, 250);
    // The untrained network (zero softmax weights) predicts one class: chance level.
    expect(before.error).toBeGreaterThan(0.8);
    const losses: number[] = [];
    const result = await fit({
      model,
      optimizer: new SGD(model.parameters(), { lr: 0.1 }),
      loss: new SoftmaxCrossEntropy(),
      train,
      validation,
      test,
      epochs: 1,
      batchSize: 20,
      evalBatchSize: 250,
      random,
      onEvent: (e) => {
        if (e.type === 'batch') losses.push(e.loss);
      },
    });
    expect(losses).toHaveLength(100);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // ln(10) = 2.30 at the start; far lower by the end.
    expect(mean(losses.slice(0, 3))).toBeGreaterThan(2);
    expect(mean(losses.slice(-20))).toBeLessThan(0.6);
    expect(result.best!.validationError).toBeLessThan(0.2);
    expect(result.best!.testError!).toBeLessThan(0.2);
    // The reported test error is that of the best weights, as evaluate measures it.
    const check = lenet5({ random: new Random(1) });
    check.parameters().forEach((p, i) => p.value.data.set(result.bestParameters![i]!.data));
    expect(evaluate(check, test.images, test.labels, 100).error).toBe(result.best!.testError);
  });
});
