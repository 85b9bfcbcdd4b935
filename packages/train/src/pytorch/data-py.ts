/**
 * The data sets convkit trains on, read in Python from the same files:
 * IDX (MNIST, Fashion-MNIST, gzipped or not), CIFAR-10/100 binary, and an
 * image folder (torchvision's ImageFolder layout, decoded with Pillow). The
 * training part is split into training and validation exactly as
 * `convkit train` splits it (`--limit`, then `validationFraction`, seeded).
 */
export const DATA_PY = String.raw`
# ---- data: the same files and the same training / validation split as convkit train ----
IDX_FILES = {'train': ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
             'test': ('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte')}
IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp')


def read_idx(path):
    with open(path, 'rb') as f:
        raw = f.read()
    if path.endswith('.gz'):
        raw = gzip.decompress(raw)
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError('%s: not an unsigned-byte IDX file (magic %s)' % (path, raw[:4].hex()))
    dims = struct.unpack('>' + 'I' * raw[3], raw[4:4 + 4 * raw[3]])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * raw[3]).reshape(dims)


def find_file(folder, name):
    for candidate in (name + '.gz', name):
        if os.path.exists(os.path.join(folder, candidate)):
            return os.path.join(folder, candidate)
    raise FileNotFoundError('%s: neither %s nor %s.gz' % (folder, name, name))


def load_idx(folder, split):
    images = read_idx(find_file(folder, IDX_FILES[split][0]))
    labels = read_idx(find_file(folder, IDX_FILES[split][1]))
    if images.ndim == 3:
        images = images[..., None]
    return {'images': images, 'labels': labels}


def load_cifar(folder, names, label_bytes, label_index):
    records = []
    for name in names:
        with open(os.path.join(folder, name), 'rb') as f:
            raw = np.frombuffer(f.read(), dtype=np.uint8)
        records.append(raw.reshape(-1, label_bytes + 3072))
    rows = np.concatenate(records)
    images = rows[:, label_bytes:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return {'images': np.ascontiguousarray(images), 'labels': rows[:, label_index].copy()}


def load_folder(folder, size=None):
    from PIL import Image
    classes = sorted(d for d in os.listdir(folder) if not d.startswith('.') and os.path.isdir(os.path.join(folder, d)))
    files, labels = [], []
    for label, name in enumerate(classes):
        for root, dirs, names in sorted(os.walk(os.path.join(folder, name), followlinks=True)):
            dirs[:] = sorted(d for d in dirs if not d.startswith('.'))
            for file in sorted(names):
                if not file.startswith('.') and file.lower().endswith(IMAGE_EXTENSIONS):
                    files.append(os.path.join(root, file))
                    labels.append(label)
    images = []
    for path in files:
        image = Image.open(path).convert('L' if EXPORT['input'][2] == 1 else 'RGB')
        size = size or (image.height, image.width)
        if (image.height, image.width) != tuple(size):
            image = image.resize((size[1], size[0]), Image.BILINEAR)
        pixels = np.asarray(image, dtype=np.uint8)
        images.append(pixels[..., None] if pixels.ndim == 2 else pixels)
    return {'images': np.stack(images), 'labels': np.asarray(labels, dtype=np.uint8)}


def load_training_part(spec):
    """The training part of --data SPEC, as convkit train's loadData reads it."""
    kind, _, folder = spec.partition(':')
    if kind in ('mnist', 'fashion-mnist', 'idx'):
        return load_idx(folder or EXPORT['dataDirs'].get(kind) or '.', 'train')
    if kind == 'cifar10':
        return load_cifar(folder, ['data_batch_%d.bin' % i for i in range(1, 6)], 1, 0)
    if kind == 'cifar100':
        return load_cifar(folder, ['train.bin'], 2, 1)
    if kind == 'folder':
        if os.path.isdir(os.path.join(folder, 'train')) and any(
                os.path.isdir(os.path.join(folder, d)) for d in ('test', 'val')):
            return load_folder(os.path.join(folder, 'train'))
        everything = load_folder(folder)
        # convkit holds 1/6 of an unsplit folder out as its test part (seed 0): train on the rest only.
        keep, _ = train_validation_split(len(everything['labels']), 1 / 6, 0)
        return subset(everything, keep)
    raise SystemExit('unknown --data %r; expected mnist[:dir] | fashion-mnist[:dir] | idx:<dir> | cifar10:<dir> | '
                     'cifar100:<dir> | folder:<dir>' % spec)


def subset(data, indices):
    indices = np.asarray(indices, dtype=np.int64)
    return {'images': data['images'][indices], 'labels': data['labels'][indices]}


def split_training_data(data, config):
    """--limit (seeded), then the validation split, as convkit train's prepareTrainingData does."""
    count = len(data['labels'])
    limit = config.get('limit')
    if limit is not None and limit < count:
        data = subset(data, sorted(shuffled_indices(count, config['seed'])[:limit]))
    train, validation = train_validation_split(len(data['labels']), config['validationFraction'], config['seed'])
    return subset(data, train), subset(data, validation)
`;
