// The names of convkit's fused optimizer kernels, one place for every backend
// that registers them (native's kernels/optimizer.ts documents the inputs,
// outputs and attributes; wasm registers the SGD one).

/** `ConvkitSgdUpdate`: v ← μ·v + g, w ← w − lr·v (Nesterov: w ← w − lr·(g + μ·v)); g + λ·w where `decay[i]`. */
export const SGD_UPDATE = 'ConvkitSgdUpdate';
/** `ConvkitAdamUpdate`: PyTorch's Adam; the caller passes the bias corrections 1 − β^step. */
export const ADAM_UPDATE = 'ConvkitAdamUpdate';
