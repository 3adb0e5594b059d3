"""Plausible wrong implementations for lesson 06_dropout, as edits of the solution; each must lose its points.

Each mutant is ``(description, edits)``: one ``(old, new)`` replacement in the solution cell that defines the
exercise's function, or a list of them applied in order (see ``tests/mutation_harness.py``).
"""

#: One ``(old, new)`` replacement, or several applied in order.
Edits = tuple[str, str] | list[tuple[str, str]]

MUTANTS: dict[str, list[tuple[str, Edits]]] = {
    "dropout_mask": [
        ("rate used as the keep probability (P(1) = rate)", ("rng.random(shape) >= rate", "rng.random(shape) < rate")),
        ("a mask of booleans instead of float64",
         ("return (rng.random(shape) >= rate).astype(np.float64)", "return rng.random(shape) >= rate")),
        ("float32 mask instead of float64", (".astype(np.float64)", ".astype(np.float32)")),
        ("one random number for the whole array (all dropped or all kept)",
         ("return (rng.random(shape) >= rate).astype(np.float64)",
          "return np.full(shape, float(rng.random() >= rate))")),
        ("the same mask at every call (a fixed seed inside, rng ignored)",
         ("rng.random(shape)", "np.random.default_rng(0).random(shape)")),
        ("draws from the global np.random instead of rng", ("rng.random(shape)", "np.random.random(shape)")),
        ("one row of random numbers repeated for every row",
         ("    return (rng.random(shape) >= rate).astype(np.float64)", '''\
    row = rng.random(shape[-1]) >= rate
    return np.broadcast_to(row, shape).astype(np.float64)''')),
        ("one mask per position shared by all channels (drops whole pixels)", ("    return (rng.random(shape)", '''\
    if len(shape) >= 3:
        keep = rng.random(tuple(shape[:-1]) + (1,)) >= rate
        return np.broadcast_to(keep, shape).astype(np.float64)
    return (rng.random(shape)''')),
        ("always keeps half of the units, whatever the rate",
         ("(rng.random(shape) >= rate)", "rng.integers(0, 2, size=shape)")),
        ("the mask already scaled by 1/(1 - rate)",
         ("(rng.random(shape) >= rate).astype(np.float64)", "(rng.random(shape) >= rate) / (1 - rate)")),
        ("rate = 1 accepted (0 <= rate <= 1)", ("not 0 <= rate < 1:", "not 0 <= rate <= 1:")),
        ("range check written as rate < 0 or rate >= 1 (NaN slips through)",
         ("not 0 <= rate < 1:", "rate < 0 or rate >= 1:")),
        ("no type check on rate (a string raises TypeError)",
         ("isinstance(rate, bool) or not isinstance(rate, numbers.Real) or ", "")),
        ("rng not validated", ('''\
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator such as np.random.default_rng(0), got {rng!r}")
''', "")),
        ("rate error message without the value seen",
         ('(f"rate must be a number with 0 <= rate < 1, got {rate!r}")',
          '("rate must be a number with 0 <= rate < 1")')),
        ("rejects a NumPy float32 rate (isinstance(rate, (int, float)))", ("numbers.Real", "(int, float)")),
        ("rng error message that does not show the RandomState it got",
         ('(f"rng must be a np.random.Generator such as np.random.default_rng(0), got {rng!r}")',
          '("rng must be a np.random.Generator such as np.random.default_rng(0)")')),
    ],
    "dropout_forward": [
        ("no 1/(1 - rate) scaling", ("(x * mask / (1 - rate))", "(x * mask)")),
        ("scales by (1 - rate) instead of dividing by it", ("(x * mask / (1 - rate))", "(x * mask * (1 - rate))")),
        ("drops at inference too (training ignored)", ("if not training or rate == 0:", "if rate == 0:")),
        ("original dropout at inference: scales by the keep probability",
         ("return x, np.ones(x.shape)", "return (x * (1 - rate)).astype(x.dtype), np.ones(x.shape)")),
        ("rate used as the keep probability", [
            ("mask = dropout_mask(x.shape, rate, rng)", "mask = (rng.random(x.shape) < rate).astype(np.float64)"),
            ("(x * mask / (1 - rate))", "(x * mask / rate)"),
        ]),
        ("one random number for the whole array",
         ("mask = dropout_mask(x.shape, rate, rng)", "mask = np.full(x.shape, float(rng.random() >= rate))")),
        ("the same mask at every call (a fixed seed inside, rng ignored)",
         ("dropout_mask(x.shape, rate, rng)", "dropout_mask(x.shape, rate, np.random.default_rng(42))")),
        ("draws from the global np.random instead of rng",
         ("mask = dropout_mask(x.shape, rate, rng)", "mask = (np.random.random(x.shape) >= rate).astype(np.float64)")),
        ("rate = 1 accepted (division by zero)", [
            ("not 0 <= rate < 1:", "not 0 <= rate <= 1:"),
            # dropout_mask would reject rate = 1 itself: the mask is drawn inline
            ("mask = dropout_mask(x.shape, rate, rng)", "mask = (rng.random(x.shape) >= rate).astype(np.float64)"),
            ("    out = (x * mask", '    with np.errstate(all="ignore"):\n        out = (x * mask'),
        ]),
        ("validates only while training",
         ("    if isinstance(rate, bool)", "    if not training:\n        return x, np.ones(x.shape)\n"
                                         "    if isinstance(rate, bool)")),
        ("returns the scaled mask instead of the 0/1 mask", ("return out, mask", "return out, mask / (1 - rate)")),
        ("returns (mask, out) in the wrong order", [
            ("return x, np.ones(x.shape)", "return np.ones(x.shape), x"),
            ("return out, mask", "return mask, out"),
        ]),
        ("mask of zeros at inference", ("return x, np.ones(x.shape)", "return x, np.zeros(x.shape)")),
        ("float32 input returned as float64",
         ("out = (x * mask / (1 - rate)).astype(x.dtype, copy=False)", "out = x * mask / (1 - rate)")),
        ("changes x in place",
         ("    out = (x * mask / (1 - rate)).astype(x.dtype, copy=False)",
          "    x *= (mask / (1 - rate)).astype(x.dtype)\n    out = x")),
        ("rng not validated", ('''\
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator such as np.random.default_rng(0), got {rng!r}")
''', "")),
        ("rejects a NumPy float32 rate (isinstance(rate, (int, float)))", ("numbers.Real", "(int, float)")),
        ("mask of ones in the dtype of x when nothing is dropped (np.ones_like(x))",
         ("return x, np.ones(x.shape)", "return x, np.ones_like(x)")),
    ],
    "dropout_backward": [
        ("ignores the mask", ("(dout * mask / (1 - rate))", "(dout / (1 - rate))")),
        ("no 1/(1 - rate) scaling", ("(dout * mask / (1 - rate))", "(dout * mask)")),
        ("scales by (1 - rate) instead of dividing by it",
         ("(dout * mask / (1 - rate))", "(dout * mask * (1 - rate))")),
        ("divides by rate instead of 1 - rate",
         ("    return (dout * mask / (1 - rate))",
          '    with np.errstate(all="ignore"):\n        return (dout * mask / rate)')),
        ("no shape check (NumPy broadcasts or raises its own error)", ('''\
    if dout.shape != mask.shape:
        raise ValueError(f"dout has shape {dout.shape}, but mask has shape {mask.shape}: they must be equal")
''', "")),
        ("checks only the number of elements, not the shape", [
            ("if dout.shape != mask.shape:", "if dout.size != mask.size:"),
            ("(dout * mask / (1 - rate))", "(dout * mask.reshape(dout.shape) / (1 - rate))"),
        ]),
        ("rate = 1 accepted (division by zero)", [
            ("not 0 <= rate < 1:", "not 0 <= rate <= 1:"),
            ("    return (dout * mask", '    with np.errstate(all="ignore"):\n        return (dout * mask'),
        ]),
        ("float32 dout returned as float64",
         ("return (dout * mask / (1 - rate)).astype(dout.dtype, copy=False)", "return dout * mask / (1 - rate)")),
        ("changes dout in place",
         ("    return (dout * mask / (1 - rate)).astype(dout.dtype, copy=False)",
          "    dout *= (mask / (1 - rate)).astype(dout.dtype)\n    return dout")),
        ("draws a new mask instead of using the forward pass's",
         ("    return (dout * mask / (1 - rate))",
          "    fresh = (np.random.default_rng().random(dout.shape) >= rate).astype(np.float64)\n"
          "    return (dout * fresh / (1 - rate))")),
        ("rejects a NumPy float32 rate (isinstance(rate, (int, float)))", ("numbers.Real", "(int, float)")),
    ],
}
