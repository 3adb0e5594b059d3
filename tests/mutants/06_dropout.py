"""Plausible wrong implementations for lesson 06_dropout; each must lose its exercise's points."""

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "dropout_mask": [
        ("rate used as the keep probability (P(1) = rate)", '''
def dropout_mask(shape, rate, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    return (rng.random(shape) < rate).astype(np.float64)
'''),
        ("a mask of booleans instead of float64", '''
def dropout_mask(shape, rate, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    return rng.random(shape) >= rate
'''),
        ("float32 mask instead of float64", '''
def dropout_mask(shape, rate, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    return (rng.random(shape) >= rate).astype(np.float32)
'''),
        ("one random number for the whole array (all dropped or all kept)", '''
def dropout_mask(shape, rate, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    return np.full(shape, float(rng.random() >= rate))
'''),
        ("the same mask at every call (a fixed seed inside, rng ignored)", '''
def dropout_mask(shape, rate, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    return (np.random.default_rng(0).random(shape) >= rate).astype(np.float64)
'''),
        ("draws from the global np.random instead of rng", '''
def dropout_mask(shape, rate, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    return (np.random.random(shape) >= rate).astype(np.float64)
'''),
        ("one row of random numbers repeated for every row", '''
def dropout_mask(shape, rate, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    row = rng.random(shape[-1]) >= rate
    return np.broadcast_to(row, shape).astype(np.float64)
'''),
        ("one mask per position shared by all channels (drops whole pixels)", '''
def dropout_mask(shape, rate, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    if len(shape) < 3:
        return (rng.random(shape) >= rate).astype(np.float64)
    keep = rng.random(tuple(shape[:-1]) + (1,)) >= rate
    return np.broadcast_to(keep, shape).astype(np.float64)
'''),
        ("always keeps half of the units, whatever the rate", '''
def dropout_mask(shape, rate, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    return rng.integers(0, 2, size=shape).astype(np.float64)
'''),
        ("the mask already scaled by 1/(1 - rate)", '''
def dropout_mask(shape, rate, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    return (rng.random(shape) >= rate) / (1 - rate)
'''),
        ("rate = 1 accepted (0 <= rate <= 1)", '''
def dropout_mask(shape, rate, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate <= 1:
        raise ValueError(f"rate must be a number with 0 <= rate <= 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    return (rng.random(shape) >= rate).astype(np.float64)
'''),
        ("range check written as rate < 0 or rate >= 1 (NaN slips through)", '''
def dropout_mask(shape, rate, rng):
    if not isinstance(rate, numbers.Real) or rate < 0 or rate >= 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    return (rng.random(shape) >= rate).astype(np.float64)
'''),
        ("no type check on rate (a string raises TypeError)", '''
def dropout_mask(shape, rate, rng):
    if not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    return (rng.random(shape) >= rate).astype(np.float64)
'''),
        ("rng not validated", '''
def dropout_mask(shape, rate, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    return (rng.random(shape) >= rate).astype(np.float64)
'''),
        ("rate error message without the value seen", '''
def dropout_mask(shape, rate, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError("rate must be a number with 0 <= rate < 1")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    return (rng.random(shape) >= rate).astype(np.float64)
'''),
        ("rejects a NumPy float32 rate (isinstance(rate, (int, float)))", '''
def dropout_mask(shape, rate, rng):
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    return (rng.random(shape) >= rate).astype(np.float64)
'''),
        ("rng error message that does not show the RandomState it got", '''
def dropout_mask(shape, rate, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a np.random.Generator such as np.random.default_rng(0)")
    return (rng.random(shape) >= rate).astype(np.float64)
'''),
    ],
    "dropout_forward": [
        ("no 1/(1 - rate) scaling", '''
def dropout_forward(x, rate, training, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    if not training or rate == 0:
        return x, np.ones(x.shape)
    mask = (rng.random(x.shape) >= rate).astype(np.float64)
    return (x * mask).astype(x.dtype), mask
'''),
        ("scales by (1 - rate) instead of dividing by it", '''
def dropout_forward(x, rate, training, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    if not training or rate == 0:
        return x, np.ones(x.shape)
    mask = (rng.random(x.shape) >= rate).astype(np.float64)
    return (x * mask * (1 - rate)).astype(x.dtype), mask
'''),
        ("drops at inference too (training ignored)", '''
def dropout_forward(x, rate, training, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    mask = (rng.random(x.shape) >= rate).astype(np.float64)
    return (x * mask / (1 - rate)).astype(x.dtype), mask
'''),
        ("original dropout at inference: scales by the keep probability", '''
def dropout_forward(x, rate, training, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    if not training:
        return (x * (1 - rate)).astype(x.dtype), np.ones(x.shape)
    mask = (rng.random(x.shape) >= rate).astype(np.float64)
    return (x * mask / (1 - rate)).astype(x.dtype), mask
'''),
        ("rate used as the keep probability", '''
def dropout_forward(x, rate, training, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    if not training or rate == 0:
        return x, np.ones(x.shape)
    mask = (rng.random(x.shape) < rate).astype(np.float64)
    return (x * mask / rate).astype(x.dtype), mask
'''),
        ("one random number for the whole array", '''
def dropout_forward(x, rate, training, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    if not training or rate == 0:
        return x, np.ones(x.shape)
    mask = np.full(x.shape, float(rng.random() >= rate))
    return (x * mask / (1 - rate)).astype(x.dtype), mask
'''),
        ("the same mask at every call (a fixed seed inside, rng ignored)", '''
def dropout_forward(x, rate, training, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    if not training or rate == 0:
        return x, np.ones(x.shape)
    mask = dropout_mask(x.shape, rate, np.random.default_rng(42))
    return (x * mask / (1 - rate)).astype(x.dtype), mask
'''),
        ("draws from the global np.random instead of rng", '''
def dropout_forward(x, rate, training, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    if not training or rate == 0:
        return x, np.ones(x.shape)
    mask = (np.random.random(x.shape) >= rate).astype(np.float64)
    return (x * mask / (1 - rate)).astype(x.dtype), mask
'''),
        ("rate = 1 accepted (division by zero)", '''
def dropout_forward(x, rate, training, rng):
    if not 0 <= rate <= 1:
        raise ValueError(f"rate must be a number with 0 <= rate <= 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    if not training or rate == 0:
        return x, np.ones(x.shape)
    mask = (rng.random(x.shape) >= rate).astype(np.float64)
    with np.errstate(all="ignore"):
        return (x * mask / (1 - rate)).astype(x.dtype), mask
'''),
        ("validates only while training", '''
def dropout_forward(x, rate, training, rng):
    if not training:
        return x, np.ones(x.shape)
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    if rate == 0:
        return x, np.ones(x.shape)
    mask = (rng.random(x.shape) >= rate).astype(np.float64)
    return (x * mask / (1 - rate)).astype(x.dtype), mask
'''),
        ("returns the scaled mask instead of the 0/1 mask", '''
def dropout_forward(x, rate, training, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    if not training or rate == 0:
        return x, np.ones(x.shape)
    mask = (rng.random(x.shape) >= rate) / (1 - rate)
    return (x * mask).astype(x.dtype), mask
'''),
        ("returns (mask, out) in the wrong order", '''
def dropout_forward(x, rate, training, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    if not training or rate == 0:
        return np.ones(x.shape), x
    mask = (rng.random(x.shape) >= rate).astype(np.float64)
    return mask, (x * mask / (1 - rate)).astype(x.dtype)
'''),
        ("mask of zeros at inference", '''
def dropout_forward(x, rate, training, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    if not training or rate == 0:
        return x, np.zeros(x.shape)
    mask = (rng.random(x.shape) >= rate).astype(np.float64)
    return (x * mask / (1 - rate)).astype(x.dtype), mask
'''),
        ("float32 input returned as float64", '''
def dropout_forward(x, rate, training, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    if not training or rate == 0:
        return x, np.ones(x.shape)
    mask = (rng.random(x.shape) >= rate).astype(np.float64)
    return x * mask / (1 - rate), mask
'''),
        ("changes x in place", '''
def dropout_forward(x, rate, training, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    if not training or rate == 0:
        return x, np.ones(x.shape)
    mask = (rng.random(x.shape) >= rate).astype(np.float64)
    x *= (mask / (1 - rate)).astype(x.dtype)
    return x, mask
'''),
        ("rng not validated", '''
def dropout_forward(x, rate, training, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not training or rate == 0:
        return x, np.ones(x.shape)
    mask = (rng.random(x.shape) >= rate).astype(np.float64)
    return (x * mask / (1 - rate)).astype(x.dtype), mask
'''),
        ("rejects a NumPy float32 rate (isinstance(rate, (int, float)))", '''
def dropout_forward(x, rate, training, rng):
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    if not training or rate == 0:
        return x, np.ones(x.shape)
    mask = (rng.random(x.shape) >= rate).astype(np.float64)
    return (x * mask / (1 - rate)).astype(x.dtype), mask
'''),
        ("mask of ones in the dtype of x when nothing is dropped (np.ones_like(x))", '''
def dropout_forward(x, rate, training, rng):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator, got {rng!r}")
    if not training or rate == 0:
        return x, np.ones_like(x)
    mask = (rng.random(x.shape) >= rate).astype(np.float64)
    return (x * mask / (1 - rate)).astype(x.dtype), mask
'''),
    ],
    "dropout_backward": [
        ("ignores the mask", '''
def dropout_backward(dout, mask, rate):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if dout.shape != mask.shape:
        raise ValueError(f"dout has shape {dout.shape}, but mask has shape {mask.shape}")
    return (dout / (1 - rate)).astype(dout.dtype)
'''),
        ("no 1/(1 - rate) scaling", '''
def dropout_backward(dout, mask, rate):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if dout.shape != mask.shape:
        raise ValueError(f"dout has shape {dout.shape}, but mask has shape {mask.shape}")
    return (dout * mask).astype(dout.dtype)
'''),
        ("scales by (1 - rate) instead of dividing by it", '''
def dropout_backward(dout, mask, rate):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if dout.shape != mask.shape:
        raise ValueError(f"dout has shape {dout.shape}, but mask has shape {mask.shape}")
    return (dout * mask * (1 - rate)).astype(dout.dtype)
'''),
        ("divides by rate instead of 1 - rate", '''
def dropout_backward(dout, mask, rate):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if dout.shape != mask.shape:
        raise ValueError(f"dout has shape {dout.shape}, but mask has shape {mask.shape}")
    with np.errstate(all="ignore"):
        return (dout * mask / rate).astype(dout.dtype)
'''),
        ("no shape check (NumPy broadcasts or raises its own error)", '''
def dropout_backward(dout, mask, rate):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    return (dout * mask / (1 - rate)).astype(dout.dtype)
'''),
        ("checks only the number of elements, not the shape", '''
def dropout_backward(dout, mask, rate):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if dout.size != mask.size:
        raise ValueError(f"dout has shape {dout.shape}, but mask has shape {mask.shape}")
    return (dout * mask.reshape(dout.shape) / (1 - rate)).astype(dout.dtype)
'''),
        ("rate = 1 accepted (division by zero)", '''
def dropout_backward(dout, mask, rate):
    if not 0 <= rate <= 1:
        raise ValueError(f"rate must be a number with 0 <= rate <= 1, got {rate!r}")
    if dout.shape != mask.shape:
        raise ValueError(f"dout has shape {dout.shape}, but mask has shape {mask.shape}")
    with np.errstate(all="ignore"):
        return (dout * mask / (1 - rate)).astype(dout.dtype)
'''),
        ("float32 dout returned as float64", '''
def dropout_backward(dout, mask, rate):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if dout.shape != mask.shape:
        raise ValueError(f"dout has shape {dout.shape}, but mask has shape {mask.shape}")
    return dout * mask / (1 - rate)
'''),
        ("changes dout in place", '''
def dropout_backward(dout, mask, rate):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if dout.shape != mask.shape:
        raise ValueError(f"dout has shape {dout.shape}, but mask has shape {mask.shape}")
    dout *= (mask / (1 - rate)).astype(dout.dtype)
    return dout
'''),
        ("draws a new mask instead of using the forward pass's", '''
def dropout_backward(dout, mask, rate):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if dout.shape != mask.shape:
        raise ValueError(f"dout has shape {dout.shape}, but mask has shape {mask.shape}")
    fresh = (np.random.default_rng().random(dout.shape) >= rate).astype(np.float64)
    return (dout * fresh / (1 - rate)).astype(dout.dtype)
'''),
        ("rejects a NumPy float32 rate (isinstance(rate, (int, float)))", '''
def dropout_backward(dout, mask, rate):
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
        raise ValueError(f"rate must be a number with 0 <= rate < 1, got {rate!r}")
    if dout.shape != mask.shape:
        raise ValueError(f"dout has shape {dout.shape}, but mask has shape {mask.shape}")
    return (dout * mask / (1 - rate)).astype(dout.dtype)
'''),
    ],
}
