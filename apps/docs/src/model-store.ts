import type { Layer } from '@convkit/layers';
import { shallowRef } from 'vue';

/** The LeNet-5 the user trained in this visit, shared by the playground pages (draw, equivariance). */
export interface TrainedModel {
  model: Layer;
  /** Top-1 error on the 500 bundled test digits after the last epoch. */
  testError: number | undefined;
  epochs: number;
  backend: string;
}

export const trainedModel = shallowRef<TrainedModel | undefined>(undefined);
