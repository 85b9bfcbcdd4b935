/**
 * `createSchedule` (schedules.ts) in Python: the same rate for every
 * `(epoch, fraction)`, the plateau state kept under the same names so a
 * checkpoint's `progress.schedule` means the same thing in both.
 * `schedule-py.test.ts` compares the two per step.
 */
export const SCHEDULE_PY = String.raw`
# ---- the learning-rate schedule, as @convkit/train's createSchedule computes it ----
class Schedule:
    """rate(epoch, fraction) is the rate at a step; observe(loss) once per epoch (plateau only listens)."""

    def __init__(self, config, base_lr):
        self.config = config
        self.base_lr = base_lr
        self.plateau = None
        if config['type'] == 'plateau':
            self.plateau = {
                'factor': config.get('factor', 0.1),
                'patience': config.get('patience', 10),
                'cooldown': config.get('cooldown', 0),
                'minLr': config.get('minLr', 0),
                'threshold': config.get('threshold', 1e-4),
            }
        self.state = {'scale': 1.0, 'best': math.inf, 'badEpochs': 0, 'cooldownLeft': 0}

    def base(self, epoch):
        c = self.config
        kind = c['type']
        if kind in ('constant', 'plateau'):
            return 1.0
        if kind == 'step':
            return c.get('gamma', 0.1) ** (epoch // c['stepSize'])
        if kind == 'multistep':
            return c.get('gamma', 0.1) ** len([m for m in c['milestones'] if m <= epoch])
        if kind == 'piecewise':
            return c['factors'][len([b for b in c['boundaries'] if b <= epoch])]
        if kind == 'cosine':
            floor = c.get('minLr', 0) / self.base_lr
            return floor + ((1 - floor) * (1 + math.cos((math.pi * min(epoch, c['epochs'])) / c['epochs']))) / 2
        raise ValueError('schedule: unknown type %r' % kind)

    def rate(self, epoch, fraction=0.0):
        lr = self.base_lr * self.base(epoch) * self.state['scale']
        if self.plateau:
            lr = max(lr, self.plateau['minLr'])
        warmup = self.config.get('warmup')
        if warmup:
            start = warmup.get('startFactor', 0.1)
            lr *= start + (1 - start) * min(1, (epoch + fraction) / warmup['epochs'])
        return lr

    def observe(self, loss):
        p = self.plateau
        if not p:
            return
        s = self.state
        if loss < s['best'] * (1 - p['threshold']):
            s['best'] = loss
            s['badEpochs'] = 0
        else:
            s['badEpochs'] += 1
        if s['cooldownLeft'] > 0:
            s['cooldownLeft'] -= 1
            s['badEpochs'] = 0
        if s['badEpochs'] > p['patience']:
            s['scale'] = max(s['scale'] * p['factor'], p['minLr'] / self.base_lr)
            s['cooldownLeft'] = p['cooldown']
            s['badEpochs'] = 0
`;
