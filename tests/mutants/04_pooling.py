"""Plausible wrong implementations for lesson 04_pooling; each must lose its exercise's points."""

_CHECKS = '''
    X = np.asarray(X)
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D (N, H, W, C), got shape {X.shape}")
    if mode not in ("max", "average"):
        raise ValueError(f"mode must be 'max' or 'average', got {mode!r}")
    for name, value in (("f", f), ("stride", stride)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    N, H, W, C = X.shape
    if f > H or f > W:
        raise ValueError(f"f={f} is larger than the input: X has shape {X.shape}")
'''

_BACK_CHECKS = '''
    dA, X = np.asarray(dA), np.asarray(X)
    if mode not in ("max", "average"):
        raise ValueError(f"mode must be 'max' or 'average', got {mode!r}")
    for name, value in (("f", f), ("stride", stride)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D (N, H, W, C), got shape {X.shape}")
    N, H, W, C = X.shape
    if f > H or f > W:
        raise ValueError(f"f={f} is larger than the input: X has shape {X.shape}")
    out_h, out_w = (H - f) // stride + 1, (W - f) // stride + 1
    if dA.shape != (N, out_h, out_w, C):
        raise ValueError(f"dA has shape {dA.shape}, but pooling X of shape {X.shape} gives {(N, out_h, out_w, C)}")
    dX = np.zeros(X.shape)
'''


def _forward(body: str, checks: str = _CHECKS) -> str:
    return "\ndef pool_forward(X, f=2, stride=2, mode=\"max\"):" + checks + body


def _backward(body: str, checks: str = _BACK_CHECKS) -> str:
    return "\ndef pool_backward(dA, X, f, stride, mode):" + checks + body


_LOOP = '''
    out_h, out_w = (H - f) // stride + 1, (W - f) // stride + 1
    A = np.zeros((N, out_h, out_w, C))
    for i in range(out_h):
        for j in range(out_w):
            window = X[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            A[:, i, j, :] = window.max(axis=(1, 2)) if mode == "max" else window.mean(axis=(1, 2))
    return A
'''

_BACK_LOOP = '''
    for n in range(N):
        for i in range(out_h):
            for j in range(out_w):
                top, left = i * stride, j * stride
                for c in range(C):
                    if mode == "max":
                        window = X[n, top:top + f, left:left + f, c]
                        r, q = np.unravel_index(np.argmax(window), window.shape)
                        dX[n, top + r, left + q, c] += dA[n, i, j, c]
                    else:
                        dX[n, top:top + f, left:left + f, c] += dA[n, i, j, c] / (f * f)
    return dX
'''

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "pool_forward": [
        ("H and W swapped in the output size", _forward('''
    out_h, out_w = (W - f) // stride + 1, (H - f) // stride + 1
    A = np.zeros((N, out_h, out_w, C))
    for i in range(min(out_h, (H - f) // stride + 1)):
        for j in range(min(out_w, (W - f) // stride + 1)):
            window = X[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            A[:, i, j, :] = window.max(axis=(1, 2)) if mode == "max" else window.mean(axis=(1, 2))
    return A
''')),
        ("stride ignored: windows step by f", _forward(_LOOP.replace("(H - f) // stride", "(H - f) // f")
                                                       .replace("(W - f) // stride", "(W - f) // f")
                                                       .replace("i * stride", "i * f").replace("j * stride", "j * f"))),
        ("stride ignored: windows step by 1", _forward(_LOOP.replace("(H - f) // stride", "(H - f) // 1")
                                                       .replace("(W - f) // stride", "(W - f) // 1")
                                                       .replace("i * stride", "i").replace("j * stride", "j"))),
        ("pools across channels too (max over C)", _forward(_LOOP.replace(
            'window.max(axis=(1, 2)) if mode == "max" else window.mean(axis=(1, 2))',
            'window.max(axis=(1, 2, 3))[:, None] if mode == "max" else window.mean(axis=(1, 2, 3))[:, None]'))),
        ("running maximum starts from 0 (all-negative windows give 0)", _forward('''
    out_h, out_w = (H - f) // stride + 1, (W - f) // stride + 1
    A = np.zeros((N, out_h, out_w, C))
    for i in range(out_h):
        for j in range(out_w):
            window = X[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            if mode == "max":
                best = np.zeros((N, C))
                for a in range(f):
                    for b in range(f):
                        best = np.maximum(best, window[:, a, b, :])
                A[:, i, j, :] = best
            else:
                A[:, i, j, :] = window.mean(axis=(1, 2))
    return A
''')),
        ("only works when f == stride (reshape into blocks)", _forward('''
    out_h, out_w = (H - f) // stride + 1, (W - f) // stride + 1
    blocks = X[:, :out_h * f, :out_w * f, :].reshape(N, out_h, f, out_w, f, C)
    return blocks.max(axis=(2, 4)) if mode == "max" else blocks.mean(axis=(2, 4))
''')),
        ("mode ignored: always max", _forward(_LOOP.replace(
            'window.max(axis=(1, 2)) if mode == "max" else window.mean(axis=(1, 2))', "window.max(axis=(1, 2))"))),
        ("average and max mixed up", _forward(_LOOP.replace(
            'window.max(axis=(1, 2)) if mode == "max" else window.mean(axis=(1, 2))',
            'window.mean(axis=(1, 2)) if mode == "max" else window.max(axis=(1, 2))'))),
        ("output size without + 1", _forward(_LOOP.replace("(H - f) // stride + 1, (W - f) // stride + 1",
                                                           "(H - f) // stride, (W - f) // stride"))),
        ("output size rounded up (a last window sticks out)", _forward(_LOOP.replace(
            "(H - f) // stride + 1, (W - f) // stride + 1", "-(-(H - f) // stride) + 1, -(-(W - f) // stride) + 1"))),
        ("no mode check: anything but 'max' averages", _forward(_LOOP, _CHECKS.replace(
            '''    if mode not in ("max", "average"):
        raise ValueError(f"mode must be 'max' or 'average', got {mode!r}")
''', ""))),
        ("f compared with H only", _forward(_LOOP, _CHECKS.replace("if f > H or f > W:", "if f > H:"))),
        ("bool accepted as f or stride", _forward(_LOOP, _CHECKS.replace("isinstance(value, bool) or ", ""))),
        ("message for a bad X without its shape", _forward(_LOOP, _CHECKS.replace(
            'f"X must be 4-D (N, H, W, C), got shape {X.shape}"', '"X must be 4-D (N, H, W, C)"'))),
        ("result stored in an array of the input dtype (uint8 averages truncated)", _forward(_LOOP.replace(
            "A = np.zeros((N, out_h, out_w, C))", "A = np.zeros((N, out_h, out_w, C), dtype=X.dtype)"))),
        ("message for a bad mode without the valid modes", _forward(_LOOP, _CHECKS.replace(
            'f"mode must be \'max\' or \'average\', got {mode!r}"', 'f"unknown mode {mode!r}"'))),
        ("whole floats such as 2.0 accepted as f or stride", _forward(_LOOP.replace(
            "out_h, out_w = (H - f) // stride + 1, (W - f) // stride + 1",
            "f, stride = int(f), int(stride)\n    out_h, out_w = (H - f) // stride + 1, (W - f) // stride + 1"),
            _CHECKS.replace("not isinstance(value, (int, np.integer)) or value < 1",
                            "not float(value).is_integer() or value < 1"))),
    ],
    "global_average_pool": [
        ("keepdims: returns (N, 1, 1, C)", '''
def global_average_pool(X):
    X = np.asarray(X)
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D (N, H, W, C), got shape {X.shape}")
    return X.mean(axis=(1, 2), keepdims=True)
'''),
        ("mean over the wrong axes (0, 1)", '''
def global_average_pool(X):
    X = np.asarray(X)
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D (N, H, W, C), got shape {X.shape}")
    return X.mean(axis=(0, 1))
'''),
        ("channels-first: mean over axes (2, 3)", '''
def global_average_pool(X):
    X = np.asarray(X)
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D (N, H, W, C), got shape {X.shape}")
    return X.mean(axis=(2, 3))
'''),
        ("squeezes the result (N = 1 or C = 1 lose their axis)", '''
def global_average_pool(X):
    X = np.asarray(X)
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D (N, H, W, C), got shape {X.shape}")
    return np.squeeze(X.mean(axis=(1, 2)))
'''),
        ("sum instead of mean", '''
def global_average_pool(X):
    X = np.asarray(X)
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D (N, H, W, C), got shape {X.shape}")
    return X.sum(axis=(1, 2))
'''),
        ("global max pooling instead of average", '''
def global_average_pool(X):
    X = np.asarray(X)
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D (N, H, W, C), got shape {X.shape}")
    return X.max(axis=(1, 2))
'''),
        ("divides the sum by H * W * C", '''
def global_average_pool(X):
    X = np.asarray(X)
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D (N, H, W, C), got shape {X.shape}")
    return X.sum(axis=(1, 2)) / (X.shape[1] * X.shape[2] * X.shape[3])
'''),
        ("no validation", '''
def global_average_pool(X):
    return np.asarray(X).mean(axis=(-3, -2))
'''),
        ("message without the shape", '''
def global_average_pool(X):
    X = np.asarray(X)
    if X.ndim != 4:
        raise ValueError("X must be 4-D (N, H, W, C)")
    return X.mean(axis=(1, 2))
'''),
        ("adds uint8 values up in uint8 (the sums wrap around at 256)", '''
def global_average_pool(X):
    X = np.asarray(X)
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D (N, H, W, C), got shape {X.shape}")
    return X.sum(axis=(1, 2), dtype=X.dtype) / (X.shape[1] * X.shape[2])
'''),
    ],
    "pool_backward": [
        ("= instead of += (overlapping windows overwrite each other)", _backward(_BACK_LOOP.replace("] +=", "] ="))),
        ("= instead of += in max mode only", _backward(_BACK_LOOP.replace(
            "dX[n, top + r, left + q, c] += ", "dX[n, top + r, left + q, c] = "))),
        ("= instead of += in average mode only", _backward(_BACK_LOOP.replace(
            "dX[n, top:top + f, left:left + f, c] += ", "dX[n, top:top + f, left:left + f, c] = "))),
        ("gradient sent to every tied position (mask x == max)", _backward(_BACK_LOOP.replace(
            '''                        r, q = np.unravel_index(np.argmax(window), window.shape)
                        dX[n, top + r, left + q, c] += dA[n, i, j, c]''',
            '''                        tied = window == window.max()
                        dX[n, top:top + f, left:left + f, c] += tied * dA[n, i, j, c]'''))),
        ("ties go to the last maximum", _backward(_BACK_LOOP.replace(
            "r, q = np.unravel_index(np.argmax(window), window.shape)",
            "r, q = np.unravel_index(window.size - 1 - np.argmax(window.ravel()[::-1]), window.shape)"))),
        ("average not divided by f * f", _backward(_BACK_LOOP.replace(" / (f * f)", ""))),
        ("average divided by f only", _backward(_BACK_LOOP.replace(" / (f * f)", " / f"))),
        ("average divided by the number of windows", _backward(_BACK_LOOP.replace(" / (f * f)",
                                                                                  " / (out_h * out_w)"))),
        ("average and max mixed up", _backward(_BACK_LOOP.replace('if mode == "max":', 'if mode == "average":'))),
        ("mode ignored: always max", _backward(_BACK_LOOP.replace('if mode == "max":', "if True:"))),
        ("stride ignored: windows step by f", _backward(_BACK_LOOP.replace(
            "top, left = i * stride, j * stride", "top, left = i * f, j * f"))),
        ("maximum taken across channels too", _backward(_BACK_LOOP.replace(
            '''                        window = X[n, top:top + f, left:left + f, c]
                        r, q = np.unravel_index(np.argmax(window), window.shape)''',
            '''                        window = X[n, top:top + f, left:left + f, :]
                        r, q, _ = np.unravel_index(np.argmax(window), window.shape)'''))),
        ("H and W swapped in the windows", _backward(_BACK_LOOP.replace(
            "top, left = i * stride, j * stride", "top, left = j * stride, i * stride")
            .replace("for i in range(out_h):", "for i in range(min(out_h, out_w)):")
            .replace("for j in range(out_w):", "for j in range(min(out_h, out_w)):"))),
        ("no check of dA's shape", _backward(_BACK_LOOP.replace("out_h", "dA.shape[1]").replace("out_w", "dA.shape[2]"),
                                             _BACK_CHECKS.replace('''    if dA.shape != (N, out_h, out_w, C):
        raise ValueError(f"dA has shape {dA.shape}, but pooling X of shape {X.shape} gives {(N, out_h, out_w, C)}")
''', ""))),
        ("dA shape message without the expected shape", _backward(_BACK_LOOP, _BACK_CHECKS.replace(
            'f"dA has shape {dA.shape}, but pooling X of shape {X.shape} gives {(N, out_h, out_w, C)}"',
            'f"dA has the wrong shape {dA.shape}"'))),
        ("no check of f and stride", _backward(_BACK_LOOP, _BACK_CHECKS.replace(
            '''    for name, value in (("f", f), ("stride", stride)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
''', ""))),
        ("dA's shape checked before f and stride (the text gives the order)", '''
def pool_backward(dA, X, f, stride, mode):
    dA, X = np.asarray(dA), np.asarray(X)
    if mode not in ("max", "average"):
        raise ValueError(f"mode must be 'max' or 'average', got {mode!r}")
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D (N, H, W, C), got shape {X.shape}")
    N, H, W, C = X.shape
    if f > H or f > W:
        raise ValueError(f"f={f} is larger than the input: X has shape {X.shape}")
    if stride != 0:
        pooled = (N, int((H - f) // stride + 1), int((W - f) // stride + 1), C)
        if dA.shape != pooled:
            raise ValueError(f"dA has shape {dA.shape}, but pooling X of shape {X.shape} gives {pooled}")
    for name, value in (("f", f), ("stride", stride)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    out_h, out_w = dA.shape[1], dA.shape[2]
    dX = np.zeros(X.shape)
''' + _BACK_LOOP),
    ],
}
