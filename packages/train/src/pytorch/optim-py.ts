/**
 * The optimizer of a recipe in PyTorch, as `createOptimizer` (optimizers.ts)
 * applies it: SGD `v ← μ·v + g` (dampening 0, optionally Nesterov) or Adam,
 * with the L2 weight decay added to the gradient of weights of rank > 1 only
 * unless `decayBias` (two parameter groups). Its state travels as convkit's
 * slots, `<weight>/momentum`, `<weight>/m`, `<weight>/v`, in convkit's layout
 * (HWIO), so a checkpoint resumes in either engine.
 *
 * model.py's contract has only `convkit_weights` and `load_convkit_weights`,
 * so the parameter ↔ convkit-name map is found through them: parameters set
 * to NaN show which names are parameters, then parameter i set to i + 1 shows
 * which name it is. Slots are converted by the same two functions.
 */
export const OPTIM_PY = String.raw`
# ---- the optimizer, as @convkit/train's createOptimizer applies it ----
SLOT_NAMES = {'momentum_buffer': 'momentum', 'exp_avg': 'm', 'exp_avg_sq': 'v'}


def trainable(module):
    return [p for p in module.parameters() if p.requires_grad]


def parameter_names(module):
    """(convkit name, convkit rank) of each trainable parameter, in module.parameters() order."""
    params = trainable(module)
    saved = [p.detach().clone() for p in params]
    try:
        with torch.no_grad():
            for p in params:
                p.fill_(float('nan'))
            names = {n for n, t in convkit_model.convkit_weights(module).items() if t.numel() and torch.isnan(t).all()}
            for i, p in enumerate(params):
                p.fill_(float(i + 1))
            found = {}
            for n, t in convkit_model.convkit_weights(module).items():
                if n in names:
                    found[int(round(float(t.reshape(-1)[0]))) - 1] = (n, t.dim())
    finally:
        with torch.no_grad():
            for p, s in zip(params, saved):
                p.copy_(s)
    missing = [i for i in range(len(params)) if i not in found]
    if missing:
        raise SystemExit('model.py: convkit_weights() names no weight for parameters %s' % missing)
    return [found[i] for i in range(len(params))]


def make_optimizer(module, names, config, lr):
    """SGD or Adam with convkit's decay rule: weight decay on weights of rank > 1 only, unless decayBias."""
    decay = config.get('weightDecay', 0)
    params = trainable(module)
    decayed = [p for p, (_, rank) in zip(params, names) if decay > 0 and (config.get('decayBias') or rank > 1)]
    ids = {id(p) for p in decayed}
    groups = [g for g in ({'params': decayed, 'weight_decay': decay},
                          {'params': [p for p in params if id(p) not in ids], 'weight_decay': 0.0}) if g['params']]
    if config['type'] == 'sgd':
        return torch.optim.SGD(groups, lr=lr, momentum=config.get('momentum', 0), dampening=0,
                               nesterov=config.get('nesterov', False))
    if config['type'] == 'adam':
        return torch.optim.Adam(groups, lr=lr, betas=(config.get('beta1', 0.9), config.get('beta2', 0.999)),
                                eps=config.get('epsilon', 1e-8))
    raise SystemExit('optimizer: unknown type %r; expected sgd or adam' % config['type'])


def optimizer_slots(module, names, optimizer):
    """The optimizer's state as convkit's slots: '<weight>/<slot>' -> tensor in convkit's layout."""
    params = trainable(module)
    saved = [p.detach().clone() for p in params]
    slots = {}
    try:
        for key, slot in SLOT_NAMES.items():
            held = [i for i, p in enumerate(params) if optimizer.state.get(p, {}).get(key) is not None]
            if not held:
                continue
            with torch.no_grad():
                for i in held:
                    params[i].copy_(optimizer.state[params[i]][key])
            weights = convkit_model.convkit_weights(module)
            for i in held:
                slots[names[i][0] + '/' + slot] = weights[names[i][0]].detach().clone()
    finally:
        with torch.no_grad():
            for p, s in zip(params, saved):
                p.copy_(s)
    return slots


def restore_optimizer(module, names, optimizer, slots, steps):
    """Puts convkit's slots back into the optimizer's state (the inverse of optimizer_slots)."""
    params = trainable(module)
    saved = [p.detach().clone() for p in params]
    current = {n: t.detach().clone() for n, t in convkit_model.convkit_weights(module).items()}
    try:
        for key, slot in SLOT_NAMES.items():
            held = [i for i, (n, _) in enumerate(names) if n + '/' + slot in slots]
            if not held:
                continue
            tensors = dict(current)
            for i in held:
                tensors[names[i][0]] = slots[names[i][0] + '/' + slot]
            convkit_model.load_convkit_weights(module, tensors)
            for i in held:
                state = optimizer.state[params[i]]
                state[key] = params[i].detach().clone()
                if key != 'momentum_buffer':
                    state['step'] = torch.tensor(float(steps))
    finally:
        with torch.no_grad():
            for p, s in zip(params, saved):
                p.copy_(s)
`;
