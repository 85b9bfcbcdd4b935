/**
 * train.py's command line and main(): flags that mirror `convkit train`'s,
 * `--resume` from the run folder's `last` checkpoint, and a checksum of the
 * final weights written by every rank (equal checksums show that DDP kept
 * the replicas identical).
 */
export const MAIN_PY = String.raw`
# ---- command line ----
def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Trains %s with convkit recipe %s under torchrun (DDP); see README.md.'
                                % (CONFIG['model'], CONFIG['recipe']))
    p.add_argument('--data', help='mnist[:dir] | fashion-mnist[:dir] | idx:<dir> | cifar10:<dir> | cifar100:<dir> | '
                                  'folder:<dir> (default %s)' % CONFIG['data'])
    p.add_argument('--epochs', type=int, help='default %d' % CONFIG['epochs'])
    p.add_argument('--batch', type=int, help='the global batch, split across ranks (default %d)' % CONFIG['batchSize'])
    p.add_argument('--lr', type=float, help='default %g' % CONFIG['lr'])
    p.add_argument('--seed', type=int, help='default %d' % CONFIG['seed'])
    p.add_argument('--limit', type=int, help='train on N (seeded) examples of the training part only')
    p.add_argument('--out', default='run', help='the run folder: checkpoints/, metrics.jsonl (default ./run)')
    p.add_argument('--resume', action='store_true', help="continue from OUT/checkpoints/last.safetensors")
    p.add_argument('--weights', default=os.path.join(HERE, 'weights.safetensors'), help='initial weights')
    p.add_argument('--threads', type=int, default=1, help='torch threads per rank on CPU (default 1)')
    p.add_argument('--cpu', action='store_true', help='train on the CPU (gloo) even where CUDA is available')
    return p.parse_args(argv)


def effective_config(args, saved):
    """The saved (exported or checkpointed) configuration with the flags given now."""
    config = json.loads(json.dumps(saved))
    for flag, key in (('epochs', 'epochs'), ('batch', 'batchSize'), ('lr', 'lr'), ('seed', 'seed'), ('limit', 'limit')):
        if getattr(args, flag) is not None:
            config[key] = getattr(args, flag)
    if args.data:
        kind = args.data.partition(':')[0]
        # convkit's own spec: 'mnist' names the data, wherever this machine keeps the files.
        config['data'] = kind if kind == 'mnist' else args.data
    return config


def checksum(model):
    digest = hashlib.sha256()
    for name, tensor in convkit_model.convkit_weights(model).items():
        digest.update(name.encode('utf-8'))
        digest.update(tensor.detach().to('cpu', torch.float32).contiguous().numpy().tobytes())
    return digest.hexdigest()


def fresh_progress():
    return {'epoch': 0, 'batch': 0, 'step': 0, 'history': [], 'best': {'validationLoss': math.inf, 'epoch': -1},
            'epochsWithoutImprovement': 0, 'schedule': {'scale': 1.0, 'best': math.inf, 'badEpochs': 0, 'cooldownLeft': 0},
            'partial': {'lossSum': 0, 'correct': 0, 'seen': 0, 'seconds': 0}}


def prepare(args, rank, world, device):
    last = os.path.join(args.out, 'checkpoints', 'last.safetensors')
    resumed = read_checkpoint(last) if args.resume and os.path.exists(last) else None
    if args.resume and resumed is None and rank == 0:
        print('%s has no checkpoint yet: starting from epoch 1' % args.out, flush=True)
    config = effective_config(args, resumed[3]['config'] if resumed else CONFIG)
    model = build_model()
    load_convkit_weights(model, resumed[0] if resumed else read_safetensors(args.weights)[0])
    model.to(device)
    names = parameter_names(model)
    optimizer = make_optimizer(model, names, config['optimizer'], config['lr'])
    schedule = Schedule(config['schedule'], config['lr'])
    progress = resumed[2] if resumed else fresh_progress()
    if resumed:
        restore_optimizer(model, names, optimizer, resumed[1], progress['step'])
        schedule.state = dict(progress['schedule'])
    train, validation = split_training_data(load_training_part(args.data or config['data']), config)
    augment = config.get('augment')
    if config.get('colorNoise') and train['images'].shape[-1] == 3:
        augment = dict(augment or {}, colorNoise={'std': config['colorNoise'], 'basis': color_basis(train['images'])})
    ddp = model
    if world > 1:
        ddp = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == 'cuda' else None)
    engine = {'name': 'pytorch', 'torch': torch.__version__, 'worldSize': world,
              'backend': dist.get_backend() if world > 1 else None}
    return {'config': config, 'model': model, 'ddp': ddp, 'names': names, 'optimizer': optimizer,
            'schedule': schedule, 'progress': progress, 'step': progress['step'], 'train': train,
            'validation': validation, 'augment': augment, 'rank': rank, 'world': world, 'device': device,
            'out': args.out, 'engine': engine}


def main(argv=None):
    args = parse_args(argv)
    rank, world, device = setup(args)
    torch.manual_seed(mix_seed(args.seed if args.seed is not None else CONFIG['seed'], rank, 2))
    run = prepare(args, rank, world, device)
    if rank == 0:
        os.makedirs(os.path.join(args.out, 'checkpoints'), exist_ok=True)
        # metrics.jsonl follows the checkpoint's history, as convkit's run folder does on every start.
        write_atomic(os.path.join(args.out, 'metrics.jsonl'),
                     [(to_json(r) + '\n').encode('utf-8') for r in run['progress']['history']])
        print('%s on %s: %d train / %d validation examples, %d rank(s), %s' % (
            run['config']['model'], run['config']['data'], len(run['train']['labels']),
            len(run['validation']['labels']), world, device), flush=True)
    for epoch in range(run['progress']['epoch'], run['config']['epochs']):
        if end_epoch(run, epoch, train_epoch(run, epoch)):
            break
    sync_buffers(run)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, 'rank-%d.sha256' % rank), 'w') as f:
        f.write(checksum(run['model']) + '\n')
    if world > 1:
        dist.barrier()
        sys.stdout.flush()
        sys.stderr.flush()
        # torch 1.13 can deadlock at exit: DDP's reducer is destroyed holding the GIL, and ProcessGroupGloo's
        # destructor joins a gloo thread that is waiting for the GIL to free a tensor. Everything is on disk
        # (written atomically and fsynced), so the process leaves without running destructors.
        os._exit(0)


if __name__ == '__main__':
    main()
`;
