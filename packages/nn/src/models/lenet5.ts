import { Conv2d } from '../layers/conv2d.js';
import { Flatten } from '../layers/flatten.js';
import { Linear } from '../layers/linear.js';
import { MaxPool2d } from '../layers/max-pool2d.js';
import { Sequential } from '../layers/sequential.js';
import { activationLayer, resolveModelOptions } from './options.js';
import type { ModelOptions } from './options.js';

/**
 * The lecture's LeNet-5 for 28x28 MNIST (the LISA tutorial's convolutional_mlp), batch-first:
 *
 *   [N,1,28,28] -conv 20@5x5-> [N,20,24,24] -maxpool 2-> [N,20,12,12] -tanh->
 *               -conv 50@5x5-> [N,50,8,8]   -maxpool 2-> [N,50,4,4]   -tanh->
 *               -flatten-> [N,800] -linear-> [N,500] -tanh-> -linear-> [N,10] logits
 *
 * The LISA LeNetConvPoolLayer computes tanh(maxpool(conv(x)) + b). Here the bias is added in the
 * convolution, before pooling: max(a + b) = max(a) + b, so the output is the same, and tanh after
 * the pooling costs a quarter of the evaluations. Since tanh is increasing it also equals the
 * lecture's maxpool(tanh(conv(x) + b)), with delta_conv = upsample(delta_pool) .* f'(z) routed
 * through the switches.
 *
 * Initialisation as LISA: conv and hidden weights uniform +-sqrt(6/(fan_in + fan_out)) with
 * fan_out of a conv layer divided by the pooling area (4x for sigmoid, He normal for ReLU), biases
 * zero, and the softmax layer's weights zero (LISA's LogisticRegression). 431,080 parameters.
 * The softmax itself is in the loss (SoftmaxCrossEntropy); the model returns logits.
 */
export function lenet5(options: ModelOptions = {}): Sequential {
  const { activation, method, dtype, random } = resolveModelOptions(options, 'tanh', 'lenet5');
  const init = activation;
  return new Sequential(
    new Conv2d({ inChannels: 1, outChannels: 20, kernelSize: 5, method, dtype, init, initPool: 2, random }),
    new MaxPool2d({ kernelSize: 2 }),
    activationLayer(activation),
    new Conv2d({ inChannels: 20, outChannels: 50, kernelSize: 5, method, dtype, init, initPool: 2, random }),
    new MaxPool2d({ kernelSize: 2 }),
    activationLayer(activation),
    new Flatten(),
    new Linear({ inFeatures: 800, outFeatures: 500, dtype, init, random }),
    activationLayer(activation),
    new Linear({ inFeatures: 500, outFeatures: 10, dtype, init: 'zeros', random }),
  );
}
