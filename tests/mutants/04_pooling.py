"""Plausible wrong implementations for lesson 04_pooling, as edits of the solution; each must lose its points."""

import textwrap

#: One ``(old, new)`` replacement in the solution's answer cell, or several applied in order.
Edits = tuple[str, str] | list[tuple[str, str]]

#: The check of f and stride, the same in pool_forward and pool_backward.
_INT_CHECKS = '''    for name, value in (("f", f), ("stride", stride)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
'''

#: pool_backward's check of dA against the pooled shape of X.
_DA_CHECK = '''    pooled_shape = (N, (H - f) // stride + 1, (W - f) // stride + 1, C)
    if dA.shape != pooled_shape:
        raise ValueError(f"dA has shape {dA.shape}, but pooling X of shape {X.shape} gives {pooled_shape}")
'''

_POOL_ONE_WINDOW = 'window.max(axis=(1, 2)) if mode == "max" else window.mean(axis=(1, 2))'

MUTANTS: dict[str, list[tuple[str, Edits]]] = {
    "pool_forward": [
        ("H and W swapped in the output size", [
            ("out_h = (H - f)", "out_h = (W - f)"),
            ("out_w = (W - f)", "out_w = (H - f)"),
            ("for i in range(out_h):", "for i in range(min(out_h, (H - f) // stride + 1)):"),
            ("for j in range(out_w):", "for j in range(min(out_w, (W - f) // stride + 1)):"),
        ]),
        ("stride ignored: windows step by f", [
            ("out_h = (H - f) // stride", "out_h = (H - f) // f"),
            ("out_w = (W - f) // stride", "out_w = (W - f) // f"),
            ("top, left = i * stride, j * stride", "top, left = i * f, j * f"),
        ]),
        ("stride ignored: windows step by 1", [
            ("out_h = (H - f) // stride", "out_h = (H - f) // 1"),
            ("out_w = (W - f) // stride", "out_w = (W - f) // 1"),
            ("top, left = i * stride, j * stride", "top, left = i, j"),
        ]),
        ("pools across channels too (max over C)", (
            _POOL_ONE_WINDOW,
            'window.max(axis=(1, 2, 3))[:, None] if mode == "max" else window.mean(axis=(1, 2, 3))[:, None]')),
        ("running maximum starts from 0 (all-negative windows give 0)", (f"A[:, i, j, :] = {_POOL_ONE_WINDOW}", '''\
if mode == "max":
                best = np.zeros((N, C))
                for a in range(f):
                    for b in range(f):
                        best = np.maximum(best, window[:, a, b, :])
                A[:, i, j, :] = best
            else:
                A[:, i, j, :] = window.mean(axis=(1, 2))''')),
        ("only works when f == stride (reshape into blocks)", (f'''\
    A = np.zeros((N, out_h, out_w, C))
    for i in range(out_h):
        for j in range(out_w):
            top, left = i * stride, j * stride
            window = X[:, top:top + f, left:left + f, :]
            A[:, i, j, :] = {_POOL_ONE_WINDOW}
    return A
''', '''\
    blocks = X[:, :out_h * f, :out_w * f, :].reshape(N, out_h, f, out_w, f, C)
    return blocks.max(axis=(2, 4)) if mode == "max" else blocks.mean(axis=(2, 4))
''')),
        ("mode ignored: always max", (_POOL_ONE_WINDOW, "window.max(axis=(1, 2))")),
        ("average and max mixed up", ('mode == "max"', 'mode == "average"')),
        ("output size without + 1", [
            ("out_h = (H - f) // stride + 1", "out_h = (H - f) // stride"),
            ("out_w = (W - f) // stride + 1", "out_w = (W - f) // stride"),
        ]),
        ("output size rounded up (a last window sticks out)", [
            ("out_h = (H - f) // stride + 1", "out_h = -(-(H - f) // stride) + 1"),
            ("out_w = (W - f) // stride + 1", "out_w = -(-(W - f) // stride) + 1"),
        ]),
        ("no mode check: anything but 'max' averages", ('''\
    if mode not in ("max", "average"):
        raise ValueError(f"mode must be 'max' or 'average', got {mode!r}")
''', "")),
        ("f compared with H only", ("if f > H or f > W:", "if f > H:")),
        ("bool accepted as f or stride", ("isinstance(value, bool) or ", "")),
        ("message for a bad X without its shape", (", got shape {X.shape}", "")),
        ("result stored in an array of the input dtype (uint8 averages truncated)",
         ("A = np.zeros((N, out_h, out_w, C))", "A = np.zeros((N, out_h, out_w, C), dtype=X.dtype)")),
        ("message for a bad mode without the valid modes",
         ("mode must be 'max' or 'average', got {mode!r}", "unknown mode {mode!r}")),
        ("whole floats such as 2.0 accepted as f or stride", [
            ("not isinstance(value, (int, np.integer)) or value < 1", "not float(value).is_integer() or value < 1"),
            ("    out_h = (H - f) // stride + 1",
             "    f, stride = int(f), int(stride)\n    out_h = (H - f) // stride + 1"),
        ]),
    ],
    "global_average_pool": [
        ("keepdims: returns (N, 1, 1, C)", ("X.mean(axis=(1, 2))", "X.mean(axis=(1, 2), keepdims=True)")),
        ("mean over the wrong axes (0, 1)", ("axis=(1, 2)", "axis=(0, 1)")),
        ("channels-first: mean over axes (2, 3)", ("axis=(1, 2)", "axis=(2, 3)")),
        ("squeezes the result (N = 1 or C = 1 lose their axis)",
         ("return X.mean(axis=(1, 2))", "return np.squeeze(X.mean(axis=(1, 2)))")),
        ("sum instead of mean", ("X.mean(", "X.sum(")),
        ("global max pooling instead of average", ("X.mean(", "X.max(")),
        ("divides the sum by H * W * C",
         ("X.mean(axis=(1, 2))", "X.sum(axis=(1, 2)) / (X.shape[1] * X.shape[2] * X.shape[3])")),
        ("no validation", ('''\
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D (N, H, W, C), got shape {X.shape}")
''', "")),
        ("message without the shape", (", got shape {X.shape}", "")),
        ("adds uint8 values up in uint8 (the sums wrap around at 256)",
         ("X.mean(axis=(1, 2))", "X.sum(axis=(1, 2), dtype=X.dtype) / (X.shape[1] * X.shape[2])")),
    ],
    "pool_backward": [
        ("= instead of += (overlapping windows overwrite each other)", [
            ("dX[n, top + r, left + q, c] +=", "dX[n, top + r, left + q, c] ="),
            ("dX[n, top:top + f, left:left + f, c] +=", "dX[n, top:top + f, left:left + f, c] ="),
        ]),
        ("= instead of += in max mode only", ("dX[n, top + r, left + q, c] +=", "dX[n, top + r, left + q, c] =")),
        ("= instead of += in average mode only",
         ("dX[n, top:top + f, left:left + f, c] +=", "dX[n, top:top + f, left:left + f, c] =")),
        ("gradient sent to every tied position (mask x == max)", ('''\
r, q = np.unravel_index(np.argmax(window), window.shape)
                        dX[n, top + r, left + q, c] += dA[n, i, j, c]''', '''\
tied = window == window.max()
                        dX[n, top:top + f, left:left + f, c] += tied * dA[n, i, j, c]''')),
        ("ties go to the last maximum", ("np.argmax(window)", "window.size - 1 - np.argmax(window.ravel()[::-1])")),
        ("average not divided by f * f", ("c] += dA[n, i, j, c] / (f * f)", "c] += dA[n, i, j, c]")),
        ("average divided by f only", ("c] += dA[n, i, j, c] / (f * f)", "c] += dA[n, i, j, c] / f")),
        ("average divided by the number of windows",
         ("c] += dA[n, i, j, c] / (f * f)", "c] += dA[n, i, j, c] / (pooled_shape[1] * pooled_shape[2])")),
        ("average and max mixed up", ('if mode == "max":', 'if mode == "average":')),
        ("mode ignored: always max", ('if mode == "max":', "if True:")),
        ("stride ignored: windows step by f", ("top, left = i * stride, j * stride", "top, left = i * f, j * f")),
        ("maximum taken across channels too", [
            ("window = X[n, top:top + f, left:left + f, c]", "window = X[n, top:top + f, left:left + f, :]"),
            ("r, q = np.unravel_index", "r, q, _ = np.unravel_index"),
        ]),
        ("H and W swapped in the windows", [
            ("top, left = i * stride, j * stride", "top, left = j * stride, i * stride"),
            ("for i in range(pooled_shape[1]):", "for i in range(min(pooled_shape[1], pooled_shape[2])):"),
            ("for j in range(pooled_shape[2]):", "for j in range(min(pooled_shape[1], pooled_shape[2])):"),
        ]),
        ("no check of dA's shape", [
            (_DA_CHECK, ""),
            ("range(pooled_shape[1])", "range(dA.shape[1])"),
            ("range(pooled_shape[2])", "range(dA.shape[2])"),
        ]),
        ("dA shape message without the expected shape",
         (", but pooling X of shape {X.shape} gives {pooled_shape}", "")),
        ("no check of f and stride", (_INT_CHECKS, "")),
        ("dA's shape checked before f and stride (the text gives the order)", [
            (_INT_CHECKS, ""),
            (_DA_CHECK, "    if stride != 0:\n" + textwrap.indent(_DA_CHECK, "    ") + _INT_CHECKS),
        ]),
    ],
}
