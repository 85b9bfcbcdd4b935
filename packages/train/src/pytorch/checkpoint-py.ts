/**
 * Checkpoints in Python in convkit's format (checkpoint.ts,
 * `convkit-checkpoint/2`): a safetensors file of `model/<layer>/<weight>`
 * and `optimizer/<weight>/<slot>` float32 tensors in the model's weight order
 * (the trainer reads the class count from the last one), the progress and
 * `extra` as JSON metadata, and the CRC-32 of the data section continued over
 * those metadata fields. Written atomically: a temporary file, fsync, rename.
 * This writer is train.py's own rather than convkit_runtime's because the
 * checksum needs the data section's layout.
 */
export const CHECKPOINT_PY = String.raw`
# ---- checkpoints in convkit's format (convkit-checkpoint/2) ----
def to_json(value):
    """convkit's toJson: JSON with Infinity as the string "Infinity" (JSON has none) and NaN as null."""
    def clean(v):
        if isinstance(v, float) and math.isinf(v) and v > 0:
            return 'Infinity'
        if isinstance(v, float) and math.isnan(v):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        return v
    return json.dumps(clean(value), separators=(',', ':'), allow_nan=False)


def from_json(text):
    def restore(v):
        if v == 'Infinity':
            return math.inf
        if isinstance(v, dict):
            return {k: restore(x) for k, x in v.items()}
        if isinstance(v, list):
            return [restore(x) for x in v]
        return v
    return restore(json.loads(text))


def write_atomic(path, chunks):
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    temporary = '%s.%d.tmp' % (path, os.getpid())
    with open(temporary, 'wb') as f:
        for chunk in chunks:
            f.write(chunk)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def write_checkpoint(path, weights, slots, progress, extra):
    header, chunks, offset, crc = {}, [], 0, 0
    entries = [('model/' + n, t) for n, t in weights.items()] + [('optimizer/' + n, t) for n, t in slots.items()]
    for name, tensor in entries:
        data = tensor.detach().to('cpu', torch.float32).contiguous().numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(tensor.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        crc = zlib.crc32(data, crc)
        chunks.append(data)
    metadata = {'format': 'convkit-checkpoint/2', 'progress': to_json(progress),
                'optimizerSteps': str(progress['step']), 'extra': to_json(extra)}
    for key in ('format', 'progress', 'optimizerSteps', 'extra'):
        crc = zlib.crc32((metadata[key] + '\0').encode('utf-8'), crc)
    metadata['crc32'] = '%08x' % crc
    text = json.dumps(dict([('__metadata__', metadata)] + list(header.items())), separators=(',', ':')).encode('utf-8')
    text += b' ' * (-len(text) % 8)
    write_atomic(path, [struct.pack('<Q', len(text)), text] + chunks)


def read_checkpoint(path):
    """(weights, slots, progress, extra) of a convkit checkpoint, weights and slots in convkit's names and layout."""
    with open(path, 'rb') as f:
        raw = f.read()
    size = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + size])
    metadata = header.pop('__metadata__', {})
    if metadata.get('format') not in ('convkit-checkpoint/1', 'convkit-checkpoint/2'):
        raise SystemExit('%s is not a convkit checkpoint (format %r)' % (path, metadata.get('format')))
    weights, slots = {}, {}
    for name, info in header.items():
        begin, end = info['data_offsets']
        chunk = bytearray(raw[8 + size + begin:8 + size + end])
        tensor = torch.frombuffer(chunk, dtype=torch.float32) if chunk else torch.zeros(0)
        tensor = tensor.reshape(info['shape'])
        if name.startswith('model/'):
            weights[name[len('model/'):]] = tensor
        elif name.startswith('optimizer/'):
            slots[name[len('optimizer/'):]] = tensor
    return weights, slots, from_json(metadata['progress']), from_json(metadata.get('extra', 'null'))
`;
