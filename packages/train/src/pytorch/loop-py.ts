/**
 * train.py's training loop under DistributedDataParallel: one process per
 * rank (torchrun), gloo on CPU and nccl with CUDA. Each global batch is
 * convkit's batch (the same seeded order and size); rank r takes its
 * examples r, r + N, … (as DistributedSampler splits), and the loss is
 * scaled by N / batch so DDP's gradient average is the whole batch's mean
 * gradient, as in one convkit process. Rank 0 writes the checkpoints and
 * metrics.jsonl in convkit's formats.
 */
export const LOOP_PY = String.raw`
# ---- distributed training ----
def setup(args):
    world = int(os.environ.get('WORLD_SIZE', '1'))
    rank = int(os.environ.get('RANK', '0'))
    local = int(os.environ.get('LOCAL_RANK', '0'))
    cuda = torch.cuda.is_available() and not args.cpu
    if cuda:
        torch.cuda.set_device(local)
        device = torch.device('cuda', local)
    else:
        device = torch.device('cpu')
        torch.set_num_threads(args.threads)
    if world > 1:
        dist.init_process_group('nccl' if cuda else 'gloo')
    return rank, world, device


def all_sum(values, device, world):
    t = torch.tensor(values, dtype=torch.float64, device=device)
    if world > 1:
        dist.all_reduce(t)
    return t.tolist()


def split_output(out):
    if isinstance(out, (tuple, list)):
        return out[0], list(out[1])
    return out, []


def train_epoch(run, epoch):
    """One epoch of convkit's batches; returns (loss sum, correct, seen, seconds) over all ranks."""
    c, data, world, rank = run['config'], run['train'], run['world'], run['rank']
    count, size = len(data['labels']), c['batchSize']
    seed = mix_seed(c['seed'], epoch)
    order = shuffled_indices(count, seed)
    batches = (count + size - 1) // size
    run['ddp'].train()
    totals, started = [0.0, 0.0, 0.0], time.time()
    for b in range(batches):
        indices = order[b * size:(b + 1) * size]
        mine = indices[rank::world] or indices[:1]
        x, y = make_batch(data, mine, run['augment'], seed, c.get('normalize', 'unit'))
        x, y = x.to(run['device']), y.to(run['device'])
        lr = run['schedule'].rate(epoch, b / batches)
        for group in run['optimizer'].param_groups:
            group['lr'] = lr
        main, aux = split_output(run['ddp'](x))
        smoothing = c.get('labelSmoothing', 0)
        loss = F.cross_entropy(main, y, reduction='sum', label_smoothing=smoothing)
        for head in aux:
            loss = loss + c.get('auxiliaryWeight', 0.3) * F.cross_entropy(head, y, reduction='sum', label_smoothing=smoothing)
        weight = 0.0 if len(indices[rank::world]) == 0 else 1.0
        (loss * (weight * world / len(indices))).backward()
        correct = float((main.argmax(1) == y).sum()) * weight
        loss_sum, hits, seen = all_sum([float(loss) * weight, correct, len(mine) * weight], run['device'], world)
        if not math.isfinite(loss_sum):
            raise SystemExit('the loss is %s at epoch %d, batch %d (lr %g); training stopped before this step changed '
                             'any weight. Try a lower lr or clipGradNorm' % (loss_sum, epoch + 1, b + 1, lr))
        if c.get('clipGradNorm'):
            torch.nn.utils.clip_grad_norm_(run['ddp'].parameters(), c['clipGradNorm'])
        run['optimizer'].step()
        run['optimizer'].zero_grad(set_to_none=True)
        run['step'] += 1
        totals = [totals[0] + loss_sum, totals[1] + hits, totals[2] + seen]
    return totals[0], totals[1], totals[2], time.time() - started


def evaluate(run, data):
    """Loss (no label smoothing), top-1 and top-5 errors over data, each rank taking every N-th batch."""
    c, model = run['config'], run['model']
    model.eval()
    size = max(c['batchSize'], 256)
    count = len(data['labels'])
    sums = [0.0, 0.0, 0.0, 0.0]
    with torch.no_grad():
        for start in range(run['rank'] * size, count, size * run['world']):
            x, y = make_batch(data, list(range(start, min(start + size, count))), c.get('evaluationAugment'), 0,
                              c.get('normalize', 'unit'))
            out, _ = split_output(model(x.to(run['device'])))
            y = y.to(run['device'])
            top = out.topk(min(5, out.shape[1]), 1).indices
            sums[0] += float(F.cross_entropy(out, y, reduction='sum'))
            sums[1] += float((top[:, 0] == y).sum())
            sums[2] += float((top == y[:, None]).any(1).sum())
            sums[3] += len(y)
    loss, top1, top5, n = all_sum(sums, run['device'], run['world'])
    return loss / n, 1 - top1 / n, 1 - top5 / n


def sync_buffers(run):
    """Rank 0's batch-norm statistics on every rank (DDP broadcasts them before each forward; this after the last)."""
    if run['world'] > 1:
        for buffer in run['model'].buffers():
            dist.broadcast(buffer, 0)


def end_epoch(run, epoch, totals):
    c, progress = run['config'], run['progress']
    loss_sum, correct, seen, seconds = totals
    record = {'epoch': epoch, 'lr': run['schedule'].rate(epoch), 'trainLoss': loss_sum / seen,
              'trainTop1Error': 1 - correct / seen, 'seconds': seconds, 'examplesPerSecond': seen / seconds}
    sync_buffers(run)
    if len(run['validation']['labels']):
        loss, top1, top5 = evaluate(run, run['validation'])
        record.update(validationLoss=loss, validationTop1Error=top1, validationTop5Error=top5)
    monitored = record.get('validationLoss', record['trainLoss'])
    run['schedule'].observe(monitored)
    early = c.get('earlyStopping') or {}
    improved = monitored < progress['best']['validationLoss'] - early.get('minDelta', 0)
    if improved:
        progress['best'] = {'validationLoss': monitored, 'epoch': epoch}
    progress['epochsWithoutImprovement'] = 0 if improved else progress['epochsWithoutImprovement'] + 1
    progress['history'].append(record)
    progress.update(epoch=epoch + 1, batch=0, step=run['step'], schedule=dict(run['schedule'].state),
                    partial={'lossSum': 0, 'correct': 0, 'seen': 0, 'seconds': 0})
    slots = optimizer_slots(run['model'], run['names'], run['optimizer'])
    if run['rank'] == 0:
        weights = convkit_model.convkit_weights(run['model'])
        extra = {'config': c, 'engine': run['engine']}
        folder = os.path.join(run['out'], 'checkpoints')
        if improved and len(run['validation']['labels']):
            write_checkpoint(os.path.join(folder, 'best.safetensors'), weights, slots, progress, extra)
        write_checkpoint(os.path.join(folder, 'last.safetensors'), weights, slots, progress, extra)
        with open(os.path.join(run['out'], 'metrics.jsonl'), 'a') as f:
            f.write(to_json(record) + '\n')
        print('epoch %d/%d: lr %.6g, train loss %.4f, error %.2f %%%s, %.1f s' % (
            epoch + 1, c['epochs'], record['lr'], record['trainLoss'], 100 * record['trainTop1Error'],
            ', validation error %.2f %%' % (100 * record['validationTop1Error']) if 'validationTop1Error' in record else '',
            seconds), flush=True)
    if run['world'] > 1:
        dist.barrier()
    return bool(early) and progress['epochsWithoutImprovement'] >= early['patience']
`;
