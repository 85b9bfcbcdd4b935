/**
 * convkit's seeded streams in Python: mulberry32 (`@convkit/shape`),
 * `mixSeed` (seeds.ts), the per-example augmentation seed and
 * `shuffledIndices` / `trainValidationSplit` (`@convkit/data` batches.ts).
 * Every step is uint32 arithmetic, so the same seed gives the same order of
 * examples in PyTorch as in convkit, bit for bit; `seeds-py.test.ts` checks it.
 */
export const SEEDS_PY = String.raw`
# ---- convkit's seeded streams (uint32 arithmetic, identical to @convkit/shape and @convkit/data) ----
M32 = 0xFFFFFFFF


def imul(a, b):
    """Math.imul on unsigned 32-bit values: the low 32 bits of the product."""
    return (a * b) & M32


def mulberry32(seed):
    """convkit's mulberry32: floats in [0, 1), the same sequence as @convkit/shape for the same seed."""
    state = seed & M32

    def random():
        nonlocal state
        state = (state + 0x6D2B79F5) & M32
        t = state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296.0

    return random


def mix_seed(seed, counter, stream=0):
    """@convkit/train's mixSeed: the seed of an epoch's shuffle from the run seed and the epoch."""
    h = imul((seed & M32) ^ 0x9E3779B9, 0x85EBCA6B) ^ imul(((counter & M32) + 0x632BE5AB) & M32, 0xC2B2AE35) ^ stream
    h = imul(h ^ (h >> 16), 0x7FEB352D)
    h = imul(h ^ (h >> 15), 0x846CA68B)
    return (h ^ (h >> 16)) & M32


def example_seed(seed, index):
    """@convkit/data's per-example augmentation seed (murmur3's finalizer)."""
    h = imul(((seed & M32) ^ 0x9E3779B9) & M32, 0x85EBCA6B) ^ index
    h = imul(h ^ (h >> 16), 0x85EBCA6B)
    h = imul(h ^ (h >> 13), 0xC2B2AE35)
    return (h ^ (h >> 16)) & M32


def shuffled_indices(count, seed):
    """0 .. count - 1 in convkit's seeded Fisher-Yates order (@convkit/data shuffledIndices)."""
    order = list(range(count))
    random = mulberry32(seed)
    for i in range(count - 1, 0, -1):
        j = int(random() * (i + 1))
        order[i], order[j] = order[j], order[i]
    return order


def train_validation_split(count, fraction, seed):
    """@convkit/data trainValidationSplit as indices: (train, validation), each sorted."""
    order = shuffled_indices(count, seed)
    held = int(math.floor(count * fraction + 0.5))
    return sorted(order[held:]), sorted(order[:held])
`;
