"""Plausible wrong implementations for lesson 03_padding_stride, as edits of the solution; each must lose its points.

Each mutant is ``(description, edits)``: one ``(old, new)`` replacement in the solution cell that defines the
exercise's function, or a list of them applied in order (see ``tests/mutation_harness.py``).
"""

#: One ``(old, new)`` replacement, or several applied in order.
Edits = tuple[str, str] | list[tuple[str, str]]

MUTANTS: dict[str, list[tuple[str, Edits]]] = {
    "zero_pad": [
        ("pads every axis, N and C too (np.pad(X, pad))", ("((0, 0), (pad, pad), (pad, pad), (0, 0))", "pad")),
        ("pads N and H instead of H and W",
         ("((0, 0), (pad, pad), (pad, pad), (0, 0))", "((pad, pad), (pad, pad), (0, 0), (0, 0))")),
        ("pads W and C instead of H and W (channels-first thinking)",
         ("((0, 0), (pad, pad), (pad, pad), (0, 0))", "((0, 0), (0, 0), (pad, pad), (pad, pad))")),
        ("all 2*pad zeros on one side (top and left)",
         ("((0, 0), (pad, pad), (pad, pad), (0, 0))", "((0, 0), (2 * pad, 0), (2 * pad, 0), (0, 0))")),
        ("pads only one side (pad zeros after, none before)",
         ("((0, 0), (pad, pad), (pad, pad), (0, 0))", "((0, 0), (0, pad), (0, pad), (0, 0))")),
        ("builds the result with np.zeros: float64 whatever the input dtype",
         ('''\
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant", constant_values=0)
''', '''\
    N, H, W, C = X.shape
    out = np.zeros((N, H + 2 * pad, W + 2 * pad, C))
    out[:, pad:pad + H, pad:pad + W, :] = X
    return out
''')),
        ("repeats the border pixels (mode='edge') instead of zeros",
         ('mode="constant", constant_values=0', 'mode="edge"')),
        ("no validation", ('''\
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D (N, H, W, C), got shape {X.shape}")
    if isinstance(pad, bool) or not isinstance(pad, (int, np.integer)) or pad < 0:
        raise ValueError(f"pad must be an int >= 0, got {pad!r}")
''', "")),
        ("accepts pad=True (no bool check)", ("isinstance(pad, bool) or ", "")),
        ("rejects a NumPy integer pad (isinstance(pad, int) only)", ("(int, np.integer)", "int")),
        ("accepts a whole float pad such as 2.0 (pad != int(pad), then int(pad))", [
            ("not isinstance(pad, (int, np.integer))", "pad != int(pad)"),
            ("    return np.pad(", "    pad = int(pad)\n    return np.pad("),
        ]),
    ],
    "same_padding": [
        ("returns f // 2 for even f instead of raising", [
            ('''\
    if f % 2 == 0:
        raise ValueError(f"f must be odd for same padding, got even f={f}: use an odd size such as 1, 3, 5 or 7")
''', ""),
            ("int((f - 1) // 2)", "int(f // 2)"),
        ]),
        ("returns the total padding f - 1", ("int((f - 1) // 2)", "int(f - 1)")),
        ("rounds up: (f + 1) // 2", ("int((f - 1) // 2)", "int((f + 1) // 2)")),
        ("true division: returns a float", ("int((f - 1) // 2)", "(f - 1) / 2")),
        ("raises TypeError for an even f", ('raise ValueError(f"f must be odd', 'raise TypeError(f"f must be odd')),
        ("even-f message that does not suggest an odd size",
         ("must be odd for same padding, got even f={f}: use an odd size such as 1, 3, 5 or 7",
          "must not be even, got f={f}")),
        ("no check that f is a positive int (negative and float f pass)", ('''\
    if isinstance(f, bool) or not isinstance(f, (int, np.integer)) or f < 1:
        raise ValueError(f"f must be a positive int, got f={f!r}")
''', "")),
        ("rejects a NumPy integer f (isinstance(f, int) only)", ("(int, np.integer)", "int")),
    ],
    "conv_output_size": [
        ("ceil instead of floor", ("int((n + 2 * p - f) // s + 1)", "int(-(-(n + 2 * p - f) // s) + 1)")),
        ("p counted once instead of twice", ("int((n + 2 * p - f) // s + 1)", "int((n + p - f) // s + 1)")),
        ("stride ignored", ("int((n + 2 * p - f) // s + 1)", "int(n + 2 * p - f + 1)")),
        ("true division: (n + 2p - f) / s + 1 is a float",
         ("int((n + 2 * p - f) // s + 1)", "(n + 2 * p - f) / s + 1")),
        ("(n - f) / s + 1 with true division: a float, and p forgotten",
         ("int((n + 2 * p - f) // s + 1)", "(n - f) / s + 1")),
        ("np.floor: the right number, but a float",
         ("int((n + 2 * p - f) // s + 1)", "np.floor((n + 2 * p - f) / s) + 1")),
        ("forgets the + 1", ("int((n + 2 * p - f) // s + 1)", "int((n + 2 * p - f) // s)")),
        ("no check that a window fits (f > n + 2p gives 0 or less)", ('''\
    if f > n + 2 * p:
        raise ValueError(f"no window fits: f={f} is larger than the padded input n + 2p = {n + 2 * p}")
''', "")),
        ("accepts floats and bools (converts with int())",
         ("    for name, value in", "    n, f, p, s = int(n), int(f), int(p), int(s)\n    for name, value in")),
        ("no validation", ('''\
    for name, value in (("n", n), ("f", f), ("s", s)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 0:
        raise ValueError(f"p must be an int >= 0, got p={p!r}")
    if f > n + 2 * p:
        raise ValueError(f"no window fits: f={f} is larger than the padded input n + 2p = {n + 2 * p}")
''', "")),
        ("rejects NumPy integers (isinstance(v, int) only)", [
            ("isinstance(value, (int, np.integer))", "isinstance(value, int)"),
            ("isinstance(p, (int, np.integer))", "isinstance(p, int)"),
        ]),
    ],
    "conv_forward": [
        ("H and W swapped in the output size", [
            ("out_h = (height + 2 * pad", "out_h = (width + 2 * pad"),
            ("out_w = (width + 2 * pad", "out_w = (height + 2 * pad"),
        ]),
        ("only square inputs work: the width is computed from the height",
         ("out_w = (width + 2 * pad - fw) // stride + 1", "out_w = out_h")),
        ("only works for N = 1 (uses X[0])", [
            ("X_pad = zero_pad(X, pad)", "X_pad = zero_pad(X[0][np.newaxis], pad)"),
            ("out = np.zeros((N, out_h, out_w, K))", "out = np.zeros((1, out_h, out_w, K))"),
        ]),
        ("padding applied to N and C too (np.pad(X, pad))", [
            ("X_pad = zero_pad(X, pad)", "X_pad = np.pad(X, pad)"),
            ("out = np.zeros((N, out_h, out_w, K))", "out = np.zeros((X_pad.shape[0], out_h, out_w, K))"),
        ]),
        ("stride ignored in the output size (steps by the stride)", [
            ("(height + 2 * pad - fh) // stride + 1", "height + 2 * pad - fh + 1"),
            ("(width + 2 * pad - fw) // stride + 1", "width + 2 * pad - fw + 1"),
            ("            out[:, i, j, :] =", "            if window.shape[1:3] != (fh, fw):\n"
                                               "                continue\n"
                                               "            out[:, i, j, :] ="),
        ]),
        ("stride ignored completely", [
            ("(height + 2 * pad - fh) // stride + 1", "height + 2 * pad - fh + 1"),
            ("(width + 2 * pad - fw) // stride + 1", "width + 2 * pad - fw + 1"),
            ("top, left = i * stride, j * stride", "top, left = i, j"),
        ]),
        ("ceil in the output size (the last window is cut off and padded)", [
            ("(height + 2 * pad - fh) // stride + 1", "-(-(height + 2 * pad - fh) // stride) + 1"),
            ("(width + 2 * pad - fw) // stride + 1", "-(-(width + 2 * pad - fw) // stride) + 1"),
            ("X_pad = zero_pad(X, pad)",
             "X_pad = np.pad(X, ((0, 0), (pad, pad + stride), (pad, pad + stride), (0, 0)))"),
        ]),
        ("ignores pad", [
            ("out_h = (height + 2 * pad - fh)", "out_h = (height - fh)"),
            ("out_w = (width + 2 * pad - fw)", "out_w = (width - fw)"),
            ("X_pad = zero_pad(X, pad)", "X_pad = X"),
        ]),
        ("pads only one side (2 * pad zeros at the top and left)",
         ("X_pad = zero_pad(X, pad)", "X_pad = np.pad(X, ((0, 0), (2 * pad, 0), (2 * pad, 0), (0, 0)))")),
        ("bias missing", ("return out + b.reshape(K)", "return out")),
        ("bias added per output row instead of per filter", [
            ("axis=(1, 2, 3))  # (N, K)", "axis=(1, 2, 3)) + b.reshape(K)[i % K]  # (N, K)"),
            ("return out + b.reshape(K)", "return out"),
        ]),
        ("kernel flipped (true convolution)",
         ("window[..., np.newaxis] * W,", "window[..., np.newaxis] * W[::-1, ::-1],")),
        ("output in the input's dtype (uint8 wraps around)", [
            ("out = np.zeros((N, out_h, out_w, K))", "out = np.zeros((N, out_h, out_w, K), dtype=X.dtype)"),
            ("axis=(1, 2, 3))  # (N, K)", "axis=(1, 2, 3)) + b.reshape(K)  # (N, K)"),
            ("return out + b.reshape(K)", "return out"),
        ]),
        ("rejects a bias of shape (1, 1, 1, K)", ("if b.shape not in ((K,), (1, 1, 1, K)):", "if b.shape != (K,):")),
        ("bias message names only b, not the bias", ("the bias b must have shape", "b must have shape")),
        ("rejects NumPy integer stride and pad (isinstance(v, int) only)", [
            ("isinstance(stride, (int, np.integer))", "isinstance(stride, int)"),
            ("isinstance(pad, (int, np.integer))", "isinstance(pad, int)"),
        ]),
        ("accepts a whole float stride such as 2.0 (stride != int(stride), then int(stride))", [
            ("not isinstance(stride, (int, np.integer))", "stride != int(stride)"),
            ("    out_h = ", "    stride = int(stride)\n    out_h = "),
        ]),
        ("accepts a whole float pad such as 1.0 (pad != int(pad), then int(pad))", [
            ("not isinstance(pad, (int, np.integer))", "pad != int(pad)"),
            ("    out_h = ", "    pad = int(pad)\n    out_h = "),
        ]),
        ("checks that the filter fits the height only (a too narrow input gives an empty output)",
         ("if fh > height + 2 * pad or fw > width + 2 * pad:", "if fh > height + 2 * pad:")),
        ("no validation (NumPy's own errors, an empty output for a filter that does not fit)", [
            ('''\
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D (N, H, W, C_in), got shape {X.shape}")
    if W.ndim != 4:
        raise ValueError(f"W must be 4-D (f, f, C_in, K), got shape {W.shape}")
''', ""),
            ('''\
    if c_in != C:
        raise ValueError(f"X has {C} channels but W expects C_in = {c_in} (X shape {X.shape}, W shape {W.shape})")
    if b.shape not in ((K,), (1, 1, 1, K)):
        raise ValueError(f"the bias b must have shape (K,) = ({K},) or (1, 1, 1, {K}), got shape {b.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    if isinstance(pad, bool) or not isinstance(pad, (int, np.integer)) or pad < 0:
        raise ValueError(f"pad must be an int >= 0, got {pad!r}")
    if fh > height + 2 * pad or fw > width + 2 * pad:
        raise ValueError(f"W of shape {W.shape} is larger than the padded input "
                         f"{height + 2 * pad}×{width + 2 * pad} (X shape {X.shape}, pad={pad})")
''', ""),
            ("out = np.zeros((N, out_h, out_w, K))", "out = np.zeros((N, max(out_h, 0), max(out_w, 0), K))"),
            ("return out + b.reshape(K)", "return out + np.reshape(b, -1)"),
        ]),
    ],
    "tf_same_padding": [
        ("extra pixel before (top/left) instead of after",
         ("return int(before), int(total - before)", "return int(total - before), int(before)")),
        ("total padding not clipped at 0",
         ("    total = max((out - 1) * s + f - n, 0)", "    total = (out - 1) * s + f - n")),
        ("out = n // s (floor) instead of ceil(n / s)",
         ("out = -(-n // s)  # ceil(n / s) without floats", "out = n // s")),
        ("stride ignored: total = f - 1 as at stride 1",
         ("    total = max((out - 1) * s + f - n, 0)", "    total = f - 1")),
        ("drops the odd pixel: total // 2 on both sides",
         ("return int(before), int(total - before)", "return int(before), int(before)")),
        ("uses the VALID output size ceil((n - f + 1) / s)",
         ("out = -(-n // s)  # ceil(n / s) without floats", "out = max(-(-(n - f + 1) // s), 1)")),
        ("round(total / 2) before: banker's rounding puts some odd pixels first",
         ("before = total // 2\n", "before = round(total / 2)\n")),
        ("returns a list, not a tuple",
         ("return int(before), int(total - before)", "return [int(before), int(total - before)]")),
        ("no validation", ('''\
    for name, value in (("n", n), ("f", f), ("s", s)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
''', "")),
        ("rejects NumPy integers (isinstance(v, int) only)", ("(int, np.integer)", "int")),
    ],
}
