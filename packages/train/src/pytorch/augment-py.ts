/**
 * `augmentExample` (`@convkit/data` augment.ts) in Python: the steps in
 * convkit's order and the random draws in convkit's order from the same
 * per-example mulberry32 stream (crop top then left, the flip's coin, two
 * draws per colour-noise alpha), so the same crops and flips fall on the
 * same examples. Resizing uses PyTorch's antialiased bilinear interpolation,
 * which follows the same half-pixel rule but may differ in the last bits.
 */
export const AUGMENT_PY = String.raw`
# ---- augmentation, in @convkit/data's order and with its random draws ----
def round_half_even(x):
    return int(round(x))


def crop(pixels, top, left, out_h, out_w):
    """out[y][x] = in[top + y][left + x], zero outside the input (the padding)."""
    h, w, c = pixels.shape
    out = np.zeros((out_h, out_w, c), dtype=np.float32)
    y0, y1 = max(0, -top), min(out_h, h - top)
    x0, x1 = max(0, -left), min(out_w, w - left)
    if y1 > y0 and x1 > x0:
        out[y0:y1, x0:x1] = pixels[top + y0:top + y1, left + x0:left + x1]
    return out


def resize(pixels, size):
    t = torch.from_numpy(np.ascontiguousarray(pixels)).permute(2, 0, 1).unsqueeze(0)
    out = F.interpolate(t, size=tuple(size), mode='bilinear', align_corners=False, antialias=True)
    return out[0].permute(1, 2, 0).numpy()


def normal(random):
    """A standard normal draw (Box-Muller), as convkit draws it."""
    return math.sqrt(-2 * math.log(1 - random())) * math.cos(2 * math.pi * random())


def augment_example(pixels, options, random):
    """One HWC float32 image on the 0-255 scale, augmented as @convkit/data's augmentExample does."""
    data = pixels
    h, w, _ = data.shape
    if options.get('resize') and tuple(options['resize']) != (h, w):
        data = resize(data, options['resize'])
        h, w = options['resize']
    if options.get('randomCrop'):
        ch, cw = options['randomCrop']['size']
        padding = options['randomCrop'].get('padding', 0)
        top = int(math.floor(random() * (h + 2 * padding - ch + 1))) - padding
        left = int(math.floor(random() * (w + 2 * padding - cw + 1))) - padding
        data = crop(data, top, left, ch, cw)
        h, w = ch, cw
    if options.get('centerCrop'):
        ch, cw = options['centerCrop']
        data = crop(data, round_half_even((h - ch) / 2), round_half_even((w - cw) / 2), ch, cw)
        h, w = ch, cw
    if options.get('flip') and random() < 0.5:
        data = data[:, ::-1]
    noise = options.get('colorNoise')
    if noise:
        shift = np.zeros(3, dtype=np.float64)
        for i in range(3):
            weight = noise['std'] * normal(random) * noise['basis']['eigenvalues'][i]
            shift += 255 * weight * np.asarray(noise['basis']['eigenvectors'][i], dtype=np.float64)
        data = data + shift.astype(np.float32)
    return np.ascontiguousarray(data, dtype=np.float32)


def augmented_shape(options, h, w):
    if not options:
        return h, w
    if options.get('resize'):
        h, w = options['resize']
    if options.get('randomCrop'):
        h, w = options['randomCrop']['size']
    if options.get('centerCrop'):
        h, w = options['centerCrop']
    return h, w


def color_basis(images, limit=10000):
    """The principal components of RGB colour on the [0, 1] scale (@convkit/data colorBasis), over up to limit images."""
    step = max(1, len(images) // limit)
    sample = images[::step][:limit].reshape(-1, 3).astype(np.float64) / 255
    values, vectors = np.linalg.eigh(np.cov(sample, rowvar=False))
    order = np.argsort(values)[::-1]
    return {'eigenvalues': [float(values[i]) for i in order], 'eigenvectors': [vectors[:, i].tolist() for i in order]}


def normalizer(normalize, channels):
    """Per-channel scale and shift: x = pixel * scale + shift ('unit' is pixels / 255)."""
    scale = np.full(channels, 1 / 255, dtype=np.float64)
    shift = np.zeros(channels, dtype=np.float64)
    if normalize != 'unit':
        mean = np.broadcast_to(np.asarray(normalize['mean'], dtype=np.float64), (channels,))
        std = np.broadcast_to(np.asarray(normalize['std'], dtype=np.float64), (channels,))
        scale = 1 / (255 * std)
        shift = -mean / std
    return scale.astype(np.float32), shift.astype(np.float32)


def make_batch(data, indices, options, seed, normalize):
    """The NCHW float32 batch and the labels of data's examples at indices, augmented with seed's per-example streams."""
    images = data['images'][indices]
    if options:
        images = np.stack([augment_example(images[k].astype(np.float32), options, mulberry32(example_seed(seed, int(i))))
                           for k, i in enumerate(indices)])
    scale, shift = normalizer(normalize, images.shape[-1])
    x = images.astype(np.float32) * scale + shift
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))), torch.from_numpy(data['labels'][indices].astype(np.int64))
`;
