"""Plausible wrong implementations for lesson 03_padding_stride; each must lose its exercise's points."""

# The checks every conv_forward below shares, so that each wrong version differs from the right one only in the
# mistake it names (and is caught by that mistake, not by a missing ValueError).
_FORWARD_CHECKS = '''
    X, W, b = np.asarray(X), np.asarray(W), np.asarray(b)
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D (N, H, W, C_in), got shape {X.shape}")
    if W.ndim != 4:
        raise ValueError(f"W must be 4-D (f, f, C_in, K), got shape {W.shape}")
    N, height, width, C = X.shape
    f, _, c_in, K = W.shape
    if c_in != C:
        raise ValueError(f"X has {C} channels but W expects C_in = {c_in}")
    if b.shape not in ((K,), (1, 1, 1, K)):
        raise ValueError(f"the bias b must have shape ({K},), got shape {b.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    if isinstance(pad, bool) or not isinstance(pad, (int, np.integer)) or pad < 0:
        raise ValueError(f"pad must be an int >= 0, got {pad!r}")
    if f > height + 2 * pad or f > width + 2 * pad:
        raise ValueError(f"W of shape {W.shape} is larger than the padded input")
'''


# The plain computation after the checks (for the mutants whose mistake is in the checks).
_PLAIN_FORWARD = '''
    out_h = (height + 2 * pad - f) // stride + 1
    out_w = (width + 2 * pad - f) // stride + 1
    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out = np.zeros((N, out_h, out_w, K))
    for i in range(out_h):
        for j in range(out_w):
            window = X_pad[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            out[:, i, j, :] = np.sum(window[..., None] * W, axis=(1, 2, 3))
    return out + b.reshape(K)
'''


def _forward(body: str) -> str:
    """A complete conv_forward: the shared checks, then ``body`` (indented by 4 spaces)."""
    return "\ndef conv_forward(X, W, b, stride=1, pad=0):" + _FORWARD_CHECKS + body


_SIZE_CHECKS = '''
    for name, value in (("n", n), ("f", f), ("s", s)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 0:
        raise ValueError(f"p must be an int >= 0, got p={p!r}")
    if f > n + 2 * p:
        raise ValueError(f"no window fits: f={f} is larger than n + 2p = {n + 2 * p}")
'''

_TF_CHECKS = '''
    for name, value in (("n", n), ("f", f), ("s", s)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
'''

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "zero_pad": [
        ("pads every axis, N and C too (np.pad(X, pad))", '''
def zero_pad(X, pad):
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D, got shape {X.shape}")
    if isinstance(pad, bool) or not isinstance(pad, int) or pad < 0:
        raise ValueError(f"pad must be an int >= 0, got {pad!r}")
    return np.pad(X, pad)
'''),
        ("pads N and H instead of H and W", '''
def zero_pad(X, pad):
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D, got shape {X.shape}")
    if isinstance(pad, bool) or not isinstance(pad, int) or pad < 0:
        raise ValueError(f"pad must be an int >= 0, got {pad!r}")
    return np.pad(X, ((pad, pad), (pad, pad), (0, 0), (0, 0)))
'''),
        ("pads W and C instead of H and W (channels-first thinking)", '''
def zero_pad(X, pad):
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D, got shape {X.shape}")
    if isinstance(pad, bool) or not isinstance(pad, int) or pad < 0:
        raise ValueError(f"pad must be an int >= 0, got {pad!r}")
    return np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
'''),
        ("all 2*pad zeros on one side (top and left)", '''
def zero_pad(X, pad):
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D, got shape {X.shape}")
    if isinstance(pad, bool) or not isinstance(pad, int) or pad < 0:
        raise ValueError(f"pad must be an int >= 0, got {pad!r}")
    return np.pad(X, ((0, 0), (2 * pad, 0), (2 * pad, 0), (0, 0)))
'''),
        ("pads only one side (pad zeros after, none before)", '''
def zero_pad(X, pad):
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D, got shape {X.shape}")
    if isinstance(pad, bool) or not isinstance(pad, int) or pad < 0:
        raise ValueError(f"pad must be an int >= 0, got {pad!r}")
    return np.pad(X, ((0, 0), (0, pad), (0, pad), (0, 0)))
'''),
        ("builds the result with np.zeros: float64 whatever the input dtype", '''
def zero_pad(X, pad):
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D, got shape {X.shape}")
    if isinstance(pad, bool) or not isinstance(pad, int) or pad < 0:
        raise ValueError(f"pad must be an int >= 0, got {pad!r}")
    N, H, W, C = X.shape
    out = np.zeros((N, H + 2 * pad, W + 2 * pad, C))
    out[:, pad:pad + H, pad:pad + W, :] = X
    return out
'''),
        ("repeats the border pixels (mode='edge') instead of zeros", '''
def zero_pad(X, pad):
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D, got shape {X.shape}")
    if isinstance(pad, bool) or not isinstance(pad, int) or pad < 0:
        raise ValueError(f"pad must be an int >= 0, got {pad!r}")
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="edge")
'''),
        ("no validation", '''
def zero_pad(X, pad):
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
'''),
        ("accepts pad=True (no bool check)", '''
def zero_pad(X, pad):
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D, got shape {X.shape}")
    if not isinstance(pad, int) or pad < 0:
        raise ValueError(f"pad must be an int >= 0, got {pad!r}")
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
'''),
        ("rejects a NumPy integer pad (isinstance(pad, int) only)", '''
def zero_pad(X, pad):
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D, got shape {X.shape}")
    if isinstance(pad, bool) or not isinstance(pad, int) or pad < 0:
        raise ValueError(f"pad must be an int >= 0, got {pad!r}")
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
'''),
        ("accepts a whole float pad such as 2.0 (pad != int(pad), then int(pad))", '''
def zero_pad(X, pad):
    if X.ndim != 4:
        raise ValueError(f"X must be 4-D, got shape {X.shape}")
    if isinstance(pad, bool) or pad < 0 or pad != int(pad):
        raise ValueError(f"pad must be an int >= 0, got {pad!r}")
    pad = int(pad)
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
'''),
    ],
    "same_padding": [
        ("returns f // 2 for even f instead of raising", '''
def same_padding(f):
    if isinstance(f, bool) or not isinstance(f, (int, np.integer)) or f < 1:
        raise ValueError(f"f must be a positive int, got f={f!r}")
    return int(f // 2)
'''),
        ("returns the total padding f - 1", '''
def same_padding(f):
    if isinstance(f, bool) or not isinstance(f, (int, np.integer)) or f < 1:
        raise ValueError(f"f must be a positive int, got f={f!r}")
    if f % 2 == 0:
        raise ValueError(f"f must be odd, got even f={f}: use an odd size such as 1, 3, 5 or 7")
    return int(f - 1)
'''),
        ("rounds up: (f + 1) // 2", '''
def same_padding(f):
    if isinstance(f, bool) or not isinstance(f, (int, np.integer)) or f < 1:
        raise ValueError(f"f must be a positive int, got f={f!r}")
    if f % 2 == 0:
        raise ValueError(f"f must be odd, got even f={f}: use an odd size such as 1, 3, 5 or 7")
    return int((f + 1) // 2)
'''),
        ("true division: returns a float", '''
def same_padding(f):
    if isinstance(f, bool) or not isinstance(f, (int, np.integer)) or f < 1:
        raise ValueError(f"f must be a positive int, got f={f!r}")
    if f % 2 == 0:
        raise ValueError(f"f must be odd, got even f={f}: use an odd size such as 1, 3, 5 or 7")
    return (f - 1) / 2
'''),
        ("raises TypeError for an even f", '''
def same_padding(f):
    if isinstance(f, bool) or not isinstance(f, (int, np.integer)) or f < 1:
        raise ValueError(f"f must be a positive int, got f={f!r}")
    if f % 2 == 0:
        raise TypeError(f"f must be odd, got even f={f}: use an odd size such as 1, 3, 5 or 7")
    return int((f - 1) // 2)
'''),
        ("even-f message that does not suggest an odd size", '''
def same_padding(f):
    if isinstance(f, bool) or not isinstance(f, (int, np.integer)) or f < 1:
        raise ValueError(f"f must be a positive int, got f={f!r}")
    if f % 2 == 0:
        raise ValueError(f"f must not be even, got f={f}")
    return int((f - 1) // 2)
'''),
        ("no check that f is a positive int (negative and float f pass)", '''
def same_padding(f):
    if f % 2 == 0:
        raise ValueError(f"f must be odd, got even f={f}: use an odd size such as 1, 3, 5 or 7")
    return (f - 1) // 2
'''),
        ("rejects a NumPy integer f (isinstance(f, int) only)", '''
def same_padding(f):
    if isinstance(f, bool) or not isinstance(f, int) or f < 1:
        raise ValueError(f"f must be a positive int, got f={f!r}")
    if f % 2 == 0:
        raise ValueError(f"f must be odd, got even f={f}: use an odd size such as 1, 3, 5 or 7")
    return (f - 1) // 2
'''),
    ],
    "conv_output_size": [
        ("ceil instead of floor", '''
def conv_output_size(n, f, p=0, s=1):''' + _SIZE_CHECKS + '''
    return int(-(-(n + 2 * p - f) // s) + 1)
'''),
        ("p counted once instead of twice", '''
def conv_output_size(n, f, p=0, s=1):''' + _SIZE_CHECKS + '''
    return int((n + p - f) // s + 1)
'''),
        ("stride ignored", '''
def conv_output_size(n, f, p=0, s=1):''' + _SIZE_CHECKS + '''
    return int(n + 2 * p - f + 1)
'''),
        ("true division: (n + 2p - f) / s + 1 is a float", '''
def conv_output_size(n, f, p=0, s=1):''' + _SIZE_CHECKS + '''
    return (n + 2 * p - f) / s + 1
'''),
        ("(n - f) / s + 1 with true division: a float, and p forgotten", '''
def conv_output_size(n, f, p=0, s=1):''' + _SIZE_CHECKS + '''
    return (n - f) / s + 1
'''),
        ("np.floor: the right number, but a float", '''
def conv_output_size(n, f, p=0, s=1):''' + _SIZE_CHECKS + '''
    return np.floor((n + 2 * p - f) / s) + 1
'''),
        ("forgets the + 1", '''
def conv_output_size(n, f, p=0, s=1):''' + _SIZE_CHECKS + '''
    return int((n + 2 * p - f) // s)
'''),
        ("no check that a window fits (f > n + 2p gives 0 or less)", '''
def conv_output_size(n, f, p=0, s=1):
    for name, value in (("n", n), ("f", f), ("s", s)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 0:
        raise ValueError(f"p must be an int >= 0, got p={p!r}")
    return int((n + 2 * p - f) // s + 1)
'''),
        ("accepts floats and bools (converts with int())", '''
def conv_output_size(n, f, p=0, s=1):
    n, f, p, s = int(n), int(f), int(p), int(s)
    if n < 1 or f < 1 or s < 1 or p < 0:
        raise ValueError(f"bad arguments n={n}, f={f}, p={p}, s={s}")
    if f > n + 2 * p:
        raise ValueError(f"no window fits: f={f} is larger than n + 2p = {n + 2 * p}")
    return (n + 2 * p - f) // s + 1
'''),
        ("no validation", '''
def conv_output_size(n, f, p=0, s=1):
    return (n + 2 * p - f) // s + 1
'''),
        ("rejects NumPy integers (isinstance(v, int) only)", '''
def conv_output_size(n, f, p=0, s=1):
    for name, value in (("n", n), ("f", f), ("s", s)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    if isinstance(p, bool) or not isinstance(p, int) or p < 0:
        raise ValueError(f"p must be an int >= 0, got p={p!r}")
    if f > n + 2 * p:
        raise ValueError(f"no window fits: f={f} is larger than n + 2p = {n + 2 * p}")
    return (n + 2 * p - f) // s + 1
'''),
    ],
    "conv_forward": [
        ("H and W swapped in the output size", _forward('''
    out_h = (width + 2 * pad - f) // stride + 1
    out_w = (height + 2 * pad - f) // stride + 1
    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out = np.zeros((N, out_h, out_w, K))
    for i in range(out_h):
        for j in range(out_w):
            window = X_pad[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            out[:, i, j, :] = np.sum(window[..., None] * W, axis=(1, 2, 3))
    return out + b.reshape(K)
''')),
        ("only square inputs work: the width is computed from the height", _forward('''
    out_h = (height + 2 * pad - f) // stride + 1
    out_w = out_h
    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out = np.zeros((N, out_h, out_w, K))
    for i in range(out_h):
        for j in range(out_w):
            window = X_pad[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            out[:, i, j, :] = np.sum(window[..., None] * W, axis=(1, 2, 3))
    return out + b.reshape(K)
''')),
        ("only works for N = 1 (uses X[0])", _forward('''
    out_h = (height + 2 * pad - f) // stride + 1
    out_w = (width + 2 * pad - f) // stride + 1
    x_pad = np.pad(X[0], ((pad, pad), (pad, pad), (0, 0)))
    out = np.zeros((out_h, out_w, K))
    for i in range(out_h):
        for j in range(out_w):
            window = x_pad[i * stride:i * stride + f, j * stride:j * stride + f, :]
            out[i, j, :] = np.sum(window[..., None] * W, axis=(0, 1, 2))
    return (out + b.reshape(K))[None]
''')),
        ("padding applied to N and C too (np.pad(X, pad))", _forward('''
    out_h = (height + 2 * pad - f) // stride + 1
    out_w = (width + 2 * pad - f) // stride + 1
    X_pad = np.pad(X, pad)
    out = np.zeros((X_pad.shape[0], out_h, out_w, K))
    for i in range(out_h):
        for j in range(out_w):
            window = X_pad[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            out[:, i, j, :] = np.sum(window[..., None] * W, axis=(1, 2, 3))
    return out + b.reshape(K)
''')),
        ("stride ignored in the output size (steps by the stride)", _forward('''
    out_h = height + 2 * pad - f + 1
    out_w = width + 2 * pad - f + 1
    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out = np.zeros((N, out_h, out_w, K))
    for i in range(out_h):
        for j in range(out_w):
            window = X_pad[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            if window.shape[1:3] == (f, f):
                out[:, i, j, :] = np.sum(window[..., None] * W, axis=(1, 2, 3))
    return out + b.reshape(K)
''')),
        ("stride ignored completely", _forward('''
    out_h = height + 2 * pad - f + 1
    out_w = width + 2 * pad - f + 1
    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out = np.zeros((N, out_h, out_w, K))
    for i in range(out_h):
        for j in range(out_w):
            window = X_pad[:, i:i + f, j:j + f, :]
            out[:, i, j, :] = np.sum(window[..., None] * W, axis=(1, 2, 3))
    return out + b.reshape(K)
''')),
        ("ceil in the output size (the last window is cut off and padded)", _forward('''
    out_h = -(-(height + 2 * pad - f) // stride) + 1
    out_w = -(-(width + 2 * pad - f) // stride) + 1
    X_pad = np.pad(X, ((0, 0), (pad, pad + stride), (pad, pad + stride), (0, 0)))
    out = np.zeros((N, out_h, out_w, K))
    for i in range(out_h):
        for j in range(out_w):
            window = X_pad[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            out[:, i, j, :] = np.sum(window[..., None] * W, axis=(1, 2, 3))
    return out + b.reshape(K)
''')),
        ("ignores pad", _forward('''
    out_h = (height - f) // stride + 1
    out_w = (width - f) // stride + 1
    out = np.zeros((N, out_h, out_w, K))
    for i in range(out_h):
        for j in range(out_w):
            window = X[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            out[:, i, j, :] = np.sum(window[..., None] * W, axis=(1, 2, 3))
    return out + b.reshape(K)
''')),
        ("pads only one side (2 * pad zeros at the top and left)", _forward('''
    out_h = (height + 2 * pad - f) // stride + 1
    out_w = (width + 2 * pad - f) // stride + 1
    X_pad = np.pad(X, ((0, 0), (2 * pad, 0), (2 * pad, 0), (0, 0)))
    out = np.zeros((N, out_h, out_w, K))
    for i in range(out_h):
        for j in range(out_w):
            window = X_pad[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            out[:, i, j, :] = np.sum(window[..., None] * W, axis=(1, 2, 3))
    return out + b.reshape(K)
''')),
        ("bias missing", _forward('''
    out_h = (height + 2 * pad - f) // stride + 1
    out_w = (width + 2 * pad - f) // stride + 1
    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out = np.zeros((N, out_h, out_w, K))
    for i in range(out_h):
        for j in range(out_w):
            window = X_pad[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            out[:, i, j, :] = np.sum(window[..., None] * W, axis=(1, 2, 3))
    return out
''')),
        ("bias added per output row instead of per filter", _forward('''
    out_h = (height + 2 * pad - f) // stride + 1
    out_w = (width + 2 * pad - f) // stride + 1
    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out = np.zeros((N, out_h, out_w, K))
    bias = b.reshape(K)
    for i in range(out_h):
        for j in range(out_w):
            window = X_pad[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            out[:, i, j, :] = np.sum(window[..., None] * W, axis=(1, 2, 3)) + bias[i % K]
    return out
''')),
        ("kernel flipped (true convolution)", _forward('''
    out_h = (height + 2 * pad - f) // stride + 1
    out_w = (width + 2 * pad - f) // stride + 1
    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    W_flipped = W[::-1, ::-1]
    out = np.zeros((N, out_h, out_w, K))
    for i in range(out_h):
        for j in range(out_w):
            window = X_pad[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            out[:, i, j, :] = np.sum(window[..., None] * W_flipped, axis=(1, 2, 3))
    return out + b.reshape(K)
''')),
        ("output in the input's dtype (uint8 wraps around)", _forward('''
    out_h = (height + 2 * pad - f) // stride + 1
    out_w = (width + 2 * pad - f) // stride + 1
    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out = np.zeros((N, out_h, out_w, K), dtype=X.dtype)
    for i in range(out_h):
        for j in range(out_w):
            window = X_pad[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            out[:, i, j, :] = np.sum(window[..., None] * W, axis=(1, 2, 3)) + b.reshape(K)
    return out
''')),
        ("rejects a bias of shape (1, 1, 1, K)", '''
def conv_forward(X, W, b, stride=1, pad=0):
    X, W, b = np.asarray(X), np.asarray(W), np.asarray(b)
    if X.ndim != 4 or W.ndim != 4:
        raise ValueError(f"X and W must be 4-D, got X shape {X.shape}, W shape {W.shape}")
    N, height, width, C = X.shape
    f, _, c_in, K = W.shape
    if c_in != C:
        raise ValueError(f"X has {C} channels but W expects C_in = {c_in}")
    if b.shape != (K,):
        raise ValueError(f"the bias b must have shape ({K},), got shape {b.shape}")
    if isinstance(stride, bool) or not isinstance(stride, int) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    if isinstance(pad, bool) or not isinstance(pad, int) or pad < 0:
        raise ValueError(f"pad must be an int >= 0, got {pad!r}")
    if f > height + 2 * pad or f > width + 2 * pad:
        raise ValueError(f"W of shape {W.shape} is larger than the padded input")
    out_h = (height + 2 * pad - f) // stride + 1
    out_w = (width + 2 * pad - f) // stride + 1
    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out = np.zeros((N, out_h, out_w, K))
    for i in range(out_h):
        for j in range(out_w):
            window = X_pad[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            out[:, i, j, :] = np.sum(window[..., None] * W, axis=(1, 2, 3))
    return out + b
'''),
        ("bias message names only b, not the bias", _forward('''
    out_h = (height + 2 * pad - f) // stride + 1
    out_w = (width + 2 * pad - f) // stride + 1
    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out = np.zeros((N, out_h, out_w, K))
    for i in range(out_h):
        for j in range(out_w):
            window = X_pad[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            out[:, i, j, :] = np.sum(window[..., None] * W, axis=(1, 2, 3))
    return out + b.reshape(K)
''').replace("the bias b must have shape", "b must have shape")),
        ("rejects NumPy integer stride and pad (isinstance(v, int) only)", _forward('''
    out_h = (height + 2 * pad - f) // stride + 1
    out_w = (width + 2 * pad - f) // stride + 1
    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out = np.zeros((N, out_h, out_w, K))
    for i in range(out_h):
        for j in range(out_w):
            window = X_pad[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            out[:, i, j, :] = np.sum(window[..., None] * W, axis=(1, 2, 3))
    return out + b.reshape(K)
''').replace("(int, np.integer)", "int")),
        ("accepts a whole float stride such as 2.0 (stride != int(stride), then int(stride))", _forward(
            "\n    stride = int(stride)" + _PLAIN_FORWARD
        ).replace("not isinstance(stride, (int, np.integer))", "stride != int(stride)")),
        ("accepts a whole float pad such as 1.0 (pad != int(pad), then int(pad))", _forward(
            "\n    pad = int(pad)" + _PLAIN_FORWARD
        ).replace("not isinstance(pad, (int, np.integer))", "pad != int(pad)")),
        ("checks that the filter fits the height only (a too narrow input gives an empty output)", _forward(
            _PLAIN_FORWARD
        ).replace("if f > height + 2 * pad or f > width + 2 * pad:", "if f > height + 2 * pad:")),
        ("no validation (NumPy's own errors, an empty output for a filter that does not fit)", '''
def conv_forward(X, W, b, stride=1, pad=0):
    N, height, width, C = X.shape
    f, _, _, K = W.shape
    out_h = (height + 2 * pad - f) // stride + 1
    out_w = (width + 2 * pad - f) // stride + 1
    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out = np.zeros((N, max(out_h, 0), max(out_w, 0), K))
    for i in range(out_h):
        for j in range(out_w):
            window = X_pad[:, i * stride:i * stride + f, j * stride:j * stride + f, :]
            out[:, i, j, :] = np.sum(window[..., None] * W, axis=(1, 2, 3))
    return out + np.reshape(b, -1)
'''),
    ],
    "tf_same_padding": [
        ("extra pixel before (top/left) instead of after", '''
def tf_same_padding(n, f, s):''' + _TF_CHECKS + '''
    out = -(-n // s)
    total = max((out - 1) * s + f - n, 0)
    after = total // 2
    return int(total - after), int(after)
'''),
        ("total padding not clipped at 0", '''
def tf_same_padding(n, f, s):''' + _TF_CHECKS + '''
    out = -(-n // s)
    total = (out - 1) * s + f - n
    before = total // 2
    return int(before), int(total - before)
'''),
        ("out = n // s (floor) instead of ceil(n / s)", '''
def tf_same_padding(n, f, s):''' + _TF_CHECKS + '''
    out = n // s
    total = max((out - 1) * s + f - n, 0)
    before = total // 2
    return int(before), int(total - before)
'''),
        ("stride ignored: total = f - 1 as at stride 1", '''
def tf_same_padding(n, f, s):''' + _TF_CHECKS + '''
    total = f - 1
    before = total // 2
    return int(before), int(total - before)
'''),
        ("drops the odd pixel: total // 2 on both sides", '''
def tf_same_padding(n, f, s):''' + _TF_CHECKS + '''
    out = -(-n // s)
    total = max((out - 1) * s + f - n, 0)
    return int(total // 2), int(total // 2)
'''),
        ("uses the VALID output size ceil((n - f + 1) / s)", '''
def tf_same_padding(n, f, s):''' + _TF_CHECKS + '''
    out = max(-(-(n - f + 1) // s), 1)
    total = max((out - 1) * s + f - n, 0)
    before = total // 2
    return int(before), int(total - before)
'''),
        ("round(total / 2) before: banker's rounding puts some odd pixels first", '''
def tf_same_padding(n, f, s):''' + _TF_CHECKS + '''
    out = -(-n // s)
    total = max((out - 1) * s + f - n, 0)
    before = round(total / 2)
    return int(before), int(total - before)
'''),
        ("returns a list, not a tuple", '''
def tf_same_padding(n, f, s):''' + _TF_CHECKS + '''
    out = -(-n // s)
    total = max((out - 1) * s + f - n, 0)
    before = total // 2
    return [int(before), int(total - before)]
'''),
        ("no validation", '''
def tf_same_padding(n, f, s):
    out = -(-n // s)
    total = max((out - 1) * s + f - n, 0)
    before = total // 2
    return before, total - before
'''),
        ("rejects NumPy integers (isinstance(v, int) only)", '''
def tf_same_padding(n, f, s):
    for name, value in (("n", n), ("f", f), ("s", s)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    out = -(-n // s)
    total = max((out - 1) * s + f - n, 0)
    before = total // 2
    return before, total - before
'''),
    ],
}
