import { registerConv2dStrategy, registerConvMethodChooser, type Conv2dPlan, type Conv2dStrategy } from '@convlab/core';
import { cheapestMethod } from './cost-model.js';
import { SpectralConv2d } from './spectral-conv2d.js';

/*
 * The spectral method in core's strategy table, and the cost model behind `'auto'`: loading this
 * package registers both, so core's conv2d and nn's Conv2d reach the FFT by name.
 */

/** The caller's plan, or a one-call plan on the calling thread. */
function planOf(plan: Conv2dPlan | undefined): SpectralConv2d {
  if (plan === undefined) return new SpectralConv2d();
  if (!(plan instanceof SpectralConv2d)) throw new Error(`conv2d: the 'fft' strategy got a plan made by the '${plan.method}' strategy`);
  return plan;
}

export const spectralStrategy: Conv2dStrategy = {
  method: 'fft',
  forward: (out, x, w, bias, info, plan) => planOf(plan).forwardInto(out, x, w, bias, info),
  gradInput: (gx, gy, w, info, plan) => planOf(plan).gradInputInto(gx, gy, w, info),
  gradWeight: (gw, x, gy, info, plan) => planOf(plan).gradWeightInto(gw, x, gy, info),
  plan: (options, pool) => new SpectralConv2d(options, pool),
};

registerConv2dStrategy(spectralStrategy);
registerConvMethodChooser(cheapestMethod);
