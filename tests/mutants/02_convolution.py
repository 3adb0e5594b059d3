"""Plausible wrong implementations for lesson 02_convolution; each must lose its exercise's points."""

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "conv1d": [
        ("stride ignored", '''
def conv1d(x, w, stride=1):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D (n,), got shape {x.shape}")
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"w must be a non-empty 1-D kernel, got shape {w.shape}")
    if w.size > x.size:
        raise ValueError(f"w of shape {w.shape} is longer than x of shape {x.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    f = w.size
    return np.array([np.sum(x[i:i + f] * w) for i in range(x.size - f + 1)])
'''),
        ("off by one: n - f outputs", '''
def conv1d(x, w, stride=1):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D (n,), got shape {x.shape}")
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"w must be a non-empty 1-D kernel, got shape {w.shape}")
    if w.size > x.size:
        raise ValueError(f"w of shape {w.shape} is longer than x of shape {x.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    f = w.size
    return np.array([np.sum(x[i:i + f] * w) for i in range(0, x.size - f, stride)])
'''),
        ("kernel flipped (true convolution)", '''
def conv1d(x, w, stride=1):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D (n,), got shape {x.shape}")
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"w must be a non-empty 1-D kernel, got shape {w.shape}")
    if w.size > x.size:
        raise ValueError(f"w of shape {w.shape} is longer than x of shape {x.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    f = w.size
    w = w[::-1]
    return np.array([np.sum(x[i:i + f] * w) for i in range(0, x.size - f + 1, stride)])
'''),
        ("no validation at all", '''
def conv1d(x, w, stride=1):
    x, w = np.asarray(x), np.asarray(w)
    f = len(w)
    n_out = (len(x) - f) // stride + 1
    out = np.zeros(max(int(n_out), 0))
    for i in range(out.size):
        out[i] = np.sum(x[i * stride:i * stride + f] * w)
    return out
'''),
        ("stride accepted as float or bool", '''
def conv1d(x, w, stride=1):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D (n,), got shape {x.shape}")
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"w must be a non-empty 1-D kernel, got shape {w.shape}")
    if w.size > x.size:
        raise ValueError(f"w of shape {w.shape} is longer than x of shape {x.shape}")
    if stride < 1:
        raise ValueError(f"stride must be positive, got {stride!r}")
    stride = int(stride)
    f = w.size
    return np.array([np.sum(x[i:i + f] * w) for i in range(0, x.size - f + 1, stride)])
'''),
        ("output length n // stride", '''
def conv1d(x, w, stride=1):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D (n,), got shape {x.shape}")
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"w must be a non-empty 1-D kernel, got shape {w.shape}")
    if w.size > x.size:
        raise ValueError(f"w of shape {w.shape} is longer than x of shape {x.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    f = w.size
    out = np.zeros(x.size // stride)
    for i in range(out.size):
        out[i] = np.sum(x[i * stride:i * stride + f] * w)
    return out
'''),
        ("message does not name the argument", '''
def conv1d(x, w, stride=1):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 1 or w.ndim != 1 or w.size == 0 or w.size > x.size:
        raise ValueError("bad input")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError("bad input")
    f = w.size
    return np.array([np.sum(x[i:i + f] * w) for i in range(0, x.size - f + 1, stride)])
'''),
        ("output takes x's dtype (integer input truncates the halves)", '''
def conv1d(x, w, stride=1):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D (n,), got shape {x.shape}")
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"w must be a non-empty 1-D kernel, got shape {w.shape}")
    if w.size > x.size:
        raise ValueError(f"w of shape {w.shape} is longer than x of shape {x.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    f = w.size
    out = np.zeros((x.size - f) // stride + 1, dtype=x.dtype)
    for i in range(out.size):
        out[i] = np.sum(x[i * stride:i * stride + f] * w)
    return out
'''),
        ("stride message without the value seen", '''
def conv1d(x, w, stride=1):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D (n,), got shape {x.shape}")
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"w must be a non-empty 1-D kernel, got shape {w.shape}")
    if w.size > x.size:
        raise ValueError(f"w of shape {w.shape} is longer than x of shape {x.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError("stride must be a positive int")
    f = w.size
    return np.array([np.sum(x[i:i + f] * w) for i in range(0, x.size - f + 1, stride)])
'''),
        ("w longer than x: the message gives x's shape, not w's", '''
def conv1d(x, w, stride=1):
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D (n,), got shape {x.shape}")
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"w must be a non-empty 1-D kernel, got shape {w.shape}")
    if w.size > x.size:
        raise ValueError(f"w is longer than x of shape {x.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    f = w.size
    return np.array([np.sum(x[i:i + f] * w) for i in range(0, x.size - f + 1, stride)])
'''),
    ],
    "true_convolve1d": [
        ("no flip (full cross-correlation)", '''
def true_convolve1d(x, w):
    x, w = np.asarray(x), np.asarray(w)
    for name, a in (("x", x), ("w", w)):
        if a.ndim != 1 or a.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-D array, got shape {a.shape}")
    f = w.size
    padded = np.pad(x, f - 1)
    return np.array([np.sum(padded[i:i + f] * w) for i in range(x.size + f - 1)])
'''),
        ("valid instead of full", '''
def true_convolve1d(x, w):
    x, w = np.asarray(x), np.asarray(w)
    for name, a in (("x", x), ("w", w)):
        if a.ndim != 1 or a.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-D array, got shape {a.shape}")
    f = w.size
    flipped = w[::-1]
    return np.array([np.sum(x[i:i + f] * flipped) for i in range(x.size - f + 1)])
'''),
        ("off by one: n + f - 2 outputs (padding f - 2)", '''
def true_convolve1d(x, w):
    x, w = np.asarray(x), np.asarray(w)
    for name, a in (("x", x), ("w", w)):
        if a.ndim != 1 or a.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-D array, got shape {a.shape}")
    n, f = x.size, w.size
    out = np.zeros(n + f - 2)
    for i in range(out.size):
        for k in range(n):
            if 0 <= i - k < f:
                out[i] += x[k] * w[i - k]
    return out
'''),
        ("off by one: n + f outputs (an extra zero)", '''
def true_convolve1d(x, w):
    x, w = np.asarray(x), np.asarray(w)
    for name, a in (("x", x), ("w", w)):
        if a.ndim != 1 or a.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-D array, got shape {a.shape}")
    f = w.size
    padded = np.pad(x, f)
    flipped = w[::-1]
    return np.array([np.sum(padded[i:i + f] * flipped) for i in range(x.size + f)])
'''),
        ("no validation", '''
def true_convolve1d(x, w):
    x, w = np.asarray(x, dtype=float).ravel(), np.asarray(w, dtype=float).ravel()
    n, f = x.size, w.size
    out = np.zeros(max(n + f - 1, 0))
    for i in range(n):
        for k in range(f):
            out[i + k] += x[i] * w[k]
    return out
'''),
        ("flips w in place (w[:] = w[::-1]): the caller's kernel changes", '''
def true_convolve1d(x, w):
    x, w = np.asarray(x), np.asarray(w)
    for name, a in (("x", x), ("w", w)):
        if a.ndim != 1 or a.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-D array, got shape {a.shape}")
    f = w.size
    w[:] = w[::-1]
    padded = np.pad(x, f - 1)
    return np.array([np.sum(padded[i:i + f] * w) for i in range(x.size + f - 1)])
'''),
    ],
    "conv_single_step": [
        ("forgets the bias", '''
def conv_single_step(a_slice, W, b):
    a_slice, W = np.asarray(a_slice), np.asarray(W)
    if a_slice.shape != W.shape:
        raise ValueError(f"a_slice has shape {a_slice.shape} but W has shape {W.shape}")
    return float(np.sum(a_slice * W))
'''),
        ("mean instead of sum", '''
def conv_single_step(a_slice, W, b):
    a_slice, W = np.asarray(a_slice), np.asarray(W)
    if a_slice.shape != W.shape:
        raise ValueError(f"a_slice has shape {a_slice.shape} but W has shape {W.shape}")
    return float(np.mean(a_slice * W) + np.asarray(b).item())
'''),
        ("returns an array (b keeps its shape)", '''
def conv_single_step(a_slice, W, b):
    a_slice, W = np.asarray(a_slice), np.asarray(W)
    if a_slice.shape != W.shape:
        raise ValueError(f"a_slice has shape {a_slice.shape} but W has shape {W.shape}")
    return np.sum(a_slice * W) + b
'''),
        ("bias added to every element", '''
def conv_single_step(a_slice, W, b):
    a_slice, W = np.asarray(a_slice), np.asarray(W)
    if a_slice.shape != W.shape:
        raise ValueError(f"a_slice has shape {a_slice.shape} but W has shape {W.shape}")
    return float(np.sum(a_slice * W + np.asarray(b).item()))
'''),
        ("returns a NumPy 0-d array", '''
def conv_single_step(a_slice, W, b):
    a_slice, W = np.asarray(a_slice), np.asarray(W)
    if a_slice.shape != W.shape:
        raise ValueError(f"a_slice has shape {a_slice.shape} but W has shape {W.shape}")
    return np.asarray(np.sum(a_slice * W) + np.asarray(b).item())
'''),
        ("no shape check (broadcasting)", '''
def conv_single_step(a_slice, W, b):
    return float(np.sum(np.asarray(a_slice) * np.asarray(W)) + np.asarray(b).item())
'''),
        ("float(b) on the bias array (fails for shape (1, 1, 1))", '''
def conv_single_step(a_slice, W, b):
    a_slice, W = np.asarray(a_slice), np.asarray(W)
    if a_slice.shape != W.shape:
        raise ValueError(f"a_slice has shape {a_slice.shape} but W has shape {W.shape}")
    return float(np.sum(a_slice * W)) + float(b)
'''),
        ("returns a NumPy scalar (np.float32 for float32 inputs)", '''
def conv_single_step(a_slice, W, b):
    a_slice, W = np.asarray(a_slice), np.asarray(W)
    if a_slice.shape != W.shape:
        raise ValueError(f"a_slice has shape {a_slice.shape} but W has shape {W.shape}")
    return np.sum(a_slice * W) + np.asarray(b).item()
'''),
    ],
    "conv2d": [
        ("kernel flipped (true convolution)", '''
def conv2d(image, kernel, stride=1):
    image, kernel = np.asarray(image), np.asarray(kernel)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D, got shape {image.shape}")
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D, got shape {kernel.shape}")
    H, W = image.shape
    kh, kw = kernel.shape
    if kh > H or kw > W:
        raise ValueError(f"kernel of shape {kernel.shape} larger than image {image.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    kernel = np.flip(kernel)
    out = np.zeros(((H - kh) // stride + 1, (W - kw) // stride + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i * stride:i * stride + kh, j * stride:j * stride + kw] * kernel)
    return out
'''),
        ("H and W swapped in the output size", '''
def conv2d(image, kernel, stride=1):
    image, kernel = np.asarray(image), np.asarray(kernel)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D, got shape {image.shape}")
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D, got shape {kernel.shape}")
    H, W = image.shape
    kh, kw = kernel.shape
    if kh > H or kw > W:
        raise ValueError(f"kernel of shape {kernel.shape} larger than image {image.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    out = np.zeros(((W - kw) // stride + 1, (H - kh) // stride + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            window = image[i * stride:i * stride + kh, j * stride:j * stride + kw]
            if window.shape == kernel.shape:
                out[i, j] = np.sum(window * kernel)
    return out
'''),
        ("stride ignored", '''
def conv2d(image, kernel, stride=1):
    image, kernel = np.asarray(image), np.asarray(kernel)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D, got shape {image.shape}")
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D, got shape {kernel.shape}")
    H, W = image.shape
    kh, kw = kernel.shape
    if kh > H or kw > W:
        raise ValueError(f"kernel of shape {kernel.shape} larger than image {image.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    out = np.zeros((H - kh + 1, W - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out
'''),
        ("stride steps through the output grid but the size ignores it", '''
def conv2d(image, kernel, stride=1):
    image, kernel = np.asarray(image), np.asarray(kernel)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D, got shape {image.shape}")
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D, got shape {kernel.shape}")
    H, W = image.shape
    kh, kw = kernel.shape
    if kh > H or kw > W:
        raise ValueError(f"kernel of shape {kernel.shape} larger than image {image.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    out = np.zeros((H - kh + 1, W - kw + 1))
    for i in range(0, H - kh + 1, stride):
        for j in range(0, W - kw + 1, stride):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out
'''),
        ("off by one: H - kh rows and W - kw columns", '''
def conv2d(image, kernel, stride=1):
    image, kernel = np.asarray(image), np.asarray(kernel)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D, got shape {image.shape}")
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D, got shape {kernel.shape}")
    H, W = image.shape
    kh, kw = kernel.shape
    if kh > H or kw > W:
        raise ValueError(f"kernel of shape {kernel.shape} larger than image {image.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    out = np.zeros((max((H - kh) // stride, 1), max((W - kw) // stride, 1)))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i * stride:i * stride + kh, j * stride:j * stride + kw] * kernel)
    return out
'''),
        ("only square images and kernels work (uses H and kh for both axes)", '''
def conv2d(image, kernel, stride=1):
    image, kernel = np.asarray(image), np.asarray(kernel)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D, got shape {image.shape}")
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D, got shape {kernel.shape}")
    n, f = image.shape[0], kernel.shape[0]
    if f > n:
        raise ValueError(f"kernel of shape {kernel.shape} larger than image {image.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    m = (n - f) // stride + 1
    out = np.zeros((m, m))
    for i in range(m):
        for j in range(m):
            window = image[i * stride:i * stride + f, j * stride:j * stride + f]
            out[i, j] = np.sum(window * kernel[:window.shape[0], :window.shape[1]])
    return out
'''),
        ("no validation", '''
def conv2d(image, kernel, stride=1):
    image, kernel = np.asarray(image), np.asarray(kernel)
    H, W = image.shape[:2]
    kh, kw = kernel.shape[0], kernel.shape[-1]
    out = np.zeros((max((H - kh) // stride + 1, 0), max((W - kw) // stride + 1, 0)))
    for i in range(int(out.shape[0])):
        for j in range(int(out.shape[1])):
            out[i, j] = np.sum(image[i * stride:i * stride + kh, j * stride:j * stride + kw] * kernel)
    return out
'''),
        ("output has the image's dtype (uint8 wraps around)", '''
def conv2d(image, kernel, stride=1):
    image, kernel = np.asarray(image), np.asarray(kernel)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D, got shape {image.shape}")
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D, got shape {kernel.shape}")
    H, W = image.shape
    kh, kw = kernel.shape
    if kh > H or kw > W:
        raise ValueError(f"kernel of shape {kernel.shape} larger than image {image.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    out = np.zeros(((H - kh) // stride + 1, (W - kw) // stride + 1), dtype=image.dtype)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i * stride:i * stride + kh, j * stride:j * stride + kw] * kernel)
    return out
'''),
        ("kernel larger than the image: the message gives the image's shape, not the kernel's", '''
def conv2d(image, kernel, stride=1):
    image, kernel = np.asarray(image), np.asarray(kernel)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D, got shape {image.shape}")
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D, got shape {kernel.shape}")
    H, W = image.shape
    kh, kw = kernel.shape
    if kh > H or kw > W:
        raise ValueError(f"image of shape {image.shape} is smaller than the kernel")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    out = np.zeros(((H - kh) // stride + 1, (W - kw) // stride + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i * stride:i * stride + kh, j * stride:j * stride + kw] * kernel)
    return out
'''),
        ("stride message without the value seen", '''
def conv2d(image, kernel, stride=1):
    image, kernel = np.asarray(image), np.asarray(kernel)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D, got shape {image.shape}")
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D, got shape {kernel.shape}")
    H, W = image.shape
    kh, kw = kernel.shape
    if kh > H or kw > W:
        raise ValueError(f"kernel of shape {kernel.shape} larger than image {image.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError("stride must be a positive whole number")
    out = np.zeros(((H - kh) // stride + 1, (W - kw) // stride + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i * stride:i * stride + kh, j * stride:j * stride + kw] * kernel)
    return out
'''),
        ("an empty kernel accepted (returns zeros)", '''
def conv2d(image, kernel, stride=1):
    image, kernel = np.asarray(image), np.asarray(kernel)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D, got shape {image.shape}")
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D, got shape {kernel.shape}")
    H, W = image.shape
    kh, kw = kernel.shape
    if kh > H or kw > W:
        raise ValueError(f"kernel of shape {kernel.shape} larger than image {image.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    out = np.zeros(((H - kh) // stride + 1, (W - kw) // stride + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i * stride:i * stride + kh, j * stride:j * stride + kw] * kernel)
    return out
'''),
    ],
    "conv2d_multi": [
        ("forgets the bias", '''
def conv2d_multi(image, filters, biases):
    image, filters, biases = np.asarray(image), np.asarray(filters), np.asarray(biases)
    if image.ndim != 3:
        raise ValueError(f"image must be 3-D, got shape {image.shape}")
    if filters.ndim != 4:
        raise ValueError(f"filters must be 4-D, got shape {filters.shape}")
    f, _, c_in, K = filters.shape
    if c_in != image.shape[2]:
        raise ValueError(f"image has {image.shape[2]} channels but filters expect C_in = {c_in}")
    if biases.shape != (K,):
        raise ValueError(f"biases must have shape ({K},), got shape {biases.shape}")
    H, W, _ = image.shape
    out = np.zeros((H - f + 1, W - f + 1, K))
    for i in range(H - f + 1):
        for j in range(W - f + 1):
            out[i, j] = np.sum(image[i:i + f, j:j + f, :, None] * filters, axis=(0, 1, 2))
    return out
'''),
        ("uses only channel 0 of the image and the filters", '''
def conv2d_multi(image, filters, biases):
    image, filters, biases = np.asarray(image), np.asarray(filters), np.asarray(biases)
    if image.ndim != 3:
        raise ValueError(f"image must be 3-D, got shape {image.shape}")
    if filters.ndim != 4:
        raise ValueError(f"filters must be 4-D, got shape {filters.shape}")
    f, _, c_in, K = filters.shape
    if c_in != image.shape[2]:
        raise ValueError(f"image has {image.shape[2]} channels but filters expect C_in = {c_in}")
    if biases.shape != (K,):
        raise ValueError(f"biases must have shape ({K},), got shape {biases.shape}")
    H, W, _ = image.shape
    out = np.zeros((H - f + 1, W - f + 1, K))
    for i in range(H - f + 1):
        for j in range(W - f + 1):
            for k in range(K):
                out[i, j, k] = np.sum(image[i:i + f, j:j + f, 0] * filters[:, :, 0, k]) + biases[k]
    return out
'''),
        ("filter axes mismatched: window rows meet filter columns", '''
def conv2d_multi(image, filters, biases):
    image, filters, biases = np.asarray(image), np.asarray(filters), np.asarray(biases)
    if image.ndim != 3:
        raise ValueError(f"image must be 3-D, got shape {image.shape}")
    if filters.ndim != 4:
        raise ValueError(f"filters must be 4-D, got shape {filters.shape}")
    f, _, c_in, K = filters.shape
    if c_in != image.shape[2]:
        raise ValueError(f"image has {image.shape[2]} channels but filters expect C_in = {c_in}")
    if biases.shape != (K,):
        raise ValueError(f"biases must have shape ({K},), got shape {biases.shape}")
    H, W, _ = image.shape
    out = np.zeros((H - f + 1, W - f + 1, K))
    for i in range(H - f + 1):
        for j in range(W - f + 1):
            out[i, j] = np.tensordot(image[i:i + f, j:j + f, :], filters, axes=([0, 1, 2], [1, 0, 2])) + biases
    return out
'''),
        ("filters read as (f, f, K, C_in): channel and filter axes transposed", '''
def conv2d_multi(image, filters, biases):
    image, filters, biases = np.asarray(image), np.asarray(filters), np.asarray(biases)
    if image.ndim != 3:
        raise ValueError(f"image must be 3-D, got shape {image.shape}")
    if filters.ndim != 4:
        raise ValueError(f"filters must be 4-D, got shape {filters.shape}")
    f, _, c_in, K = filters.shape
    if c_in != image.shape[2]:
        raise ValueError(f"image has {image.shape[2]} channels but filters expect C_in = {c_in}")
    if biases.shape != (K,):
        raise ValueError(f"biases must have shape ({K},), got shape {biases.shape}")
    H, W, C = image.shape
    flat = filters.reshape(f, f, K, C)
    out = np.zeros((H - f + 1, W - f + 1, K))
    for i in range(H - f + 1):
        for j in range(W - f + 1):
            for k in range(K):
                out[i, j, k] = np.sum(image[i:i + f, j:j + f, :] * flat[:, :, k, :]) + biases[k]
    return out
'''),
        ("bias added per row (biases[:, None, None])", '''
def conv2d_multi(image, filters, biases):
    image, filters, biases = np.asarray(image), np.asarray(filters), np.asarray(biases)
    if image.ndim != 3:
        raise ValueError(f"image must be 3-D, got shape {image.shape}")
    if filters.ndim != 4:
        raise ValueError(f"filters must be 4-D, got shape {filters.shape}")
    f, _, c_in, K = filters.shape
    if c_in != image.shape[2]:
        raise ValueError(f"image has {image.shape[2]} channels but filters expect C_in = {c_in}")
    if biases.shape != (K,):
        raise ValueError(f"biases must have shape ({K},), got shape {biases.shape}")
    H, W, _ = image.shape
    out = np.zeros((H - f + 1, W - f + 1, K))
    for i in range(H - f + 1):
        for j in range(W - f + 1):
            out[i, j] = np.sum(image[i:i + f, j:j + f, :, None] * filters, axis=(0, 1, 2))
    return out + biases.reshape(-1, 1, 1)
'''),
        ("no channel check (broadcasting hides the mismatch)", '''
def conv2d_multi(image, filters, biases):
    image, filters, biases = np.asarray(image), np.asarray(filters), np.asarray(biases)
    if image.ndim != 3:
        raise ValueError(f"image must be 3-D, got shape {image.shape}")
    if filters.ndim != 4:
        raise ValueError(f"filters must be 4-D, got shape {filters.shape}")
    f, K = filters.shape[0], filters.shape[3]
    if biases.shape != (K,):
        raise ValueError(f"biases must have shape ({K},), got shape {biases.shape}")
    H, W, _ = image.shape
    out = np.zeros((H - f + 1, W - f + 1, K))
    for i in range(H - f + 1):
        for j in range(W - f + 1):
            out[i, j] = np.sum(image[i:i + f, j:j + f, :, None] * filters, axis=(0, 1, 2)) + biases
    return out
'''),
        ("no biases check (broadcasts any size)", '''
def conv2d_multi(image, filters, biases):
    image, filters, biases = np.asarray(image), np.asarray(filters), np.asarray(biases)
    if image.ndim != 3:
        raise ValueError(f"image must be 3-D, got shape {image.shape}")
    if filters.ndim != 4:
        raise ValueError(f"filters must be 4-D, got shape {filters.shape}")
    f, _, c_in, K = filters.shape
    if c_in != image.shape[2]:
        raise ValueError(f"image has {image.shape[2]} channels but filters expect C_in = {c_in}")
    H, W, _ = image.shape
    out = np.zeros((H - f + 1, W - f + 1, K))
    for i in range(H - f + 1):
        for j in range(W - f + 1):
            out[i, j] = np.sum(image[i:i + f, j:j + f, :, None] * filters, axis=(0, 1, 2)) + biases.ravel()[:K]
    return out
'''),
        ("output has the image's dtype (a uint8 image truncates and wraps)", '''
def conv2d_multi(image, filters, biases):
    image, filters, biases = np.asarray(image), np.asarray(filters), np.asarray(biases)
    if image.ndim != 3:
        raise ValueError(f"image must be 3-D, got shape {image.shape}")
    if filters.ndim != 4:
        raise ValueError(f"filters must be 4-D, got shape {filters.shape}")
    f, _, c_in, K = filters.shape
    if c_in != image.shape[2]:
        raise ValueError(f"image has {image.shape[2]} channels but filters expect C_in = {c_in}")
    if biases.shape != (K,):
        raise ValueError(f"biases must have shape ({K},), got shape {biases.shape}")
    H, W, _ = image.shape
    out = np.zeros((H - f + 1, W - f + 1, K), dtype=image.dtype)
    for i in range(H - f + 1):
        for j in range(W - f + 1):
            out[i, j] = np.sum(image[i:i + f, j:j + f, :, None] * filters, axis=(0, 1, 2)) + biases
    return out
'''),
        ("channel mismatch: the message gives both shapes but not the word 'channel'", '''
def conv2d_multi(image, filters, biases):
    image, filters, biases = np.asarray(image), np.asarray(filters), np.asarray(biases)
    if image.ndim != 3:
        raise ValueError(f"image must be 3-D, got shape {image.shape}")
    if filters.ndim != 4:
        raise ValueError(f"filters must be 4-D, got shape {filters.shape}")
    f, _, c_in, K = filters.shape
    if c_in != image.shape[2]:
        raise ValueError(f"filters of shape {filters.shape} do not fit image of shape {image.shape}")
    if biases.shape != (K,):
        raise ValueError(f"biases must have shape ({K},), got shape {biases.shape}")
    H, W, _ = image.shape
    out = np.zeros((H - f + 1, W - f + 1, K))
    for i in range(H - f + 1):
        for j in range(W - f + 1):
            out[i, j] = np.sum(image[i:i + f, j:j + f, :, None] * filters, axis=(0, 1, 2)) + biases
    return out
'''),
    ],
    "im2col": [
        ("channel-major order (c, i, j) inside a column", '''
def im2col(image, f, stride=1):
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[:, :, None]
    if image.ndim != 3:
        raise ValueError(f"image must be (H, W) or (H, W, C), got shape {image.shape}")
    H, W, C = image.shape
    if isinstance(f, bool) or not isinstance(f, (int, np.integer)) or not 1 <= f <= min(H, W):
        raise ValueError(f"f must be between 1 and {min(H, W)}, got f={f!r} for image shape {image.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    out_h, out_w = (H - f) // stride + 1, (W - f) // stride + 1
    cols = np.zeros((f * f * C, out_h * out_w), dtype=image.dtype)
    for r in range(out_h):
        for q in range(out_w):
            window = image[r * stride:r * stride + f, q * stride:q * stride + f, :]
            cols[:, r * out_w + q] = window.transpose(2, 0, 1).reshape(-1)
    return cols
'''),
        ("windows as rows: (out_h*out_w, f*f*C)", '''
def im2col(image, f, stride=1):
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[:, :, None]
    if image.ndim != 3:
        raise ValueError(f"image must be (H, W) or (H, W, C), got shape {image.shape}")
    H, W, C = image.shape
    if isinstance(f, bool) or not isinstance(f, (int, np.integer)) or not 1 <= f <= min(H, W):
        raise ValueError(f"f must be between 1 and {min(H, W)}, got f={f!r} for image shape {image.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    out_h, out_w = (H - f) // stride + 1, (W - f) // stride + 1
    rows = np.zeros((out_h * out_w, f * f * C), dtype=image.dtype)
    for r in range(out_h):
        for q in range(out_w):
            rows[r * out_w + q] = image[r * stride:r * stride + f, q * stride:q * stride + f, :].reshape(-1)
    return rows
'''),
        ("windows numbered column by column (q * out_h + r)", '''
def im2col(image, f, stride=1):
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[:, :, None]
    if image.ndim != 3:
        raise ValueError(f"image must be (H, W) or (H, W, C), got shape {image.shape}")
    H, W, C = image.shape
    if isinstance(f, bool) or not isinstance(f, (int, np.integer)) or not 1 <= f <= min(H, W):
        raise ValueError(f"f must be between 1 and {min(H, W)}, got f={f!r} for image shape {image.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    out_h, out_w = (H - f) // stride + 1, (W - f) // stride + 1
    cols = np.zeros((f * f * C, out_h * out_w), dtype=image.dtype)
    for r in range(out_h):
        for q in range(out_w):
            cols[:, q * out_h + r] = image[r * stride:r * stride + f, q * stride:q * stride + f, :].reshape(-1)
    return cols
'''),
        ("stride ignored", '''
def im2col(image, f, stride=1):
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[:, :, None]
    if image.ndim != 3:
        raise ValueError(f"image must be (H, W) or (H, W, C), got shape {image.shape}")
    H, W, C = image.shape
    if isinstance(f, bool) or not isinstance(f, (int, np.integer)) or not 1 <= f <= min(H, W):
        raise ValueError(f"f must be between 1 and {min(H, W)}, got f={f!r} for image shape {image.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    out_h, out_w = H - f + 1, W - f + 1
    cols = np.zeros((f * f * C, out_h * out_w), dtype=image.dtype)
    for r in range(out_h):
        for q in range(out_w):
            cols[:, r * out_w + q] = image[r:r + f, q:q + f, :].reshape(-1)
    return cols
'''),
        ("off by one: (H - f) // s windows per axis", '''
def im2col(image, f, stride=1):
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[:, :, None]
    if image.ndim != 3:
        raise ValueError(f"image must be (H, W) or (H, W, C), got shape {image.shape}")
    H, W, C = image.shape
    if isinstance(f, bool) or not isinstance(f, (int, np.integer)) or not 1 <= f <= min(H, W):
        raise ValueError(f"f must be between 1 and {min(H, W)}, got f={f!r} for image shape {image.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    out_h, out_w = max((H - f) // stride, 1), max((W - f) // stride, 1)
    cols = np.zeros((f * f * C, out_h * out_w), dtype=image.dtype)
    for r in range(out_h):
        for q in range(out_w):
            cols[:, r * out_w + q] = image[r * stride:r * stride + f, q * stride:q * stride + f, :].reshape(-1)
    return cols
'''),
        ("no validation of f and stride", '''
def im2col(image, f, stride=1):
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[:, :, None]
    H, W, C = image.shape[-3:]
    out_h, out_w = max((H - f) // stride + 1, 0), max((W - f) // stride + 1, 0)
    cols = np.zeros((f * f * C, int(out_h * out_w)), dtype=image.dtype)
    for r in range(int(out_h)):
        for q in range(int(out_w)):
            window = image[..., r * stride:r * stride + f, q * stride:q * stride + f, :]
            cols[:, r * int(out_w) + q] = window.reshape(-1)[:f * f * C]
    return cols
'''),
        ("f larger than the image: the message gives the limit, not the image's shape", '''
def im2col(image, f, stride=1):
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[:, :, None]
    if image.ndim != 3:
        raise ValueError(f"image must be (H, W) or (H, W, C), got shape {image.shape}")
    H, W, C = image.shape
    if isinstance(f, bool) or not isinstance(f, (int, np.integer)) or not 1 <= f <= min(H, W):
        raise ValueError(f"f must be between 1 and {min(H, W)}, got f={f!r}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    out_h, out_w = (H - f) // stride + 1, (W - f) // stride + 1
    cols = np.zeros((f * f * C, out_h * out_w), dtype=image.dtype)
    for r in range(out_h):
        for q in range(out_w):
            cols[:, r * out_w + q] = image[r * stride:r * stride + f, q * stride:q * stride + f, :].reshape(-1)
    return cols
'''),
        ("f = 0: the message gives f's value but not the image's shape", '''
def im2col(image, f, stride=1):
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[:, :, None]
    if image.ndim != 3:
        raise ValueError(f"image must be (H, W) or (H, W, C), got shape {image.shape}")
    H, W, C = image.shape
    if isinstance(f, bool) or not isinstance(f, (int, np.integer)):
        raise ValueError(f"f must be an int, got f={f!r} for image shape {image.shape}")
    if f < 1:
        raise ValueError(f"f must be at least 1, got f={f!r}")
    if f > H or f > W:
        raise ValueError(f"f={f!r} is larger than the image of shape {image.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    out_h, out_w = (H - f) // stride + 1, (W - f) // stride + 1
    cols = np.zeros((f * f * C, out_h * out_w), dtype=image.dtype)
    for r in range(out_h):
        for q in range(out_w):
            cols[:, r * out_w + q] = image[r * stride:r * stride + f, q * stride:q * stride + f, :].reshape(-1)
    return cols
'''),
        ("f wider than the image: the message gives W, not the image's shape", '''
def im2col(image, f, stride=1):
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[:, :, None]
    if image.ndim != 3:
        raise ValueError(f"image must be (H, W) or (H, W, C), got shape {image.shape}")
    H, W, C = image.shape
    if isinstance(f, bool) or not isinstance(f, (int, np.integer)):
        raise ValueError(f"f must be an int, got f={f!r} for image shape {image.shape}")
    if f < 1:
        raise ValueError(f"f must be at least 1, got f={f!r} for image shape {image.shape}")
    if f > H:
        raise ValueError(f"f={f!r} is taller than the image of shape {image.shape}")
    if f > W:
        raise ValueError(f"f={f!r} is wider than W={W}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    out_h, out_w = (H - f) // stride + 1, (W - f) // stride + 1
    cols = np.zeros((f * f * C, out_h * out_w), dtype=image.dtype)
    for r in range(out_h):
        for q in range(out_w):
            cols[:, r * out_w + q] = image[r * stride:r * stride + f, q * stride:q * stride + f, :].reshape(-1)
    return cols
'''),
        ("bad f: the message gives the image's shape but not f's value", '''
def im2col(image, f, stride=1):
    image = np.asarray(image)
    if image.ndim == 2:
        image = image[:, :, None]
    if image.ndim != 3:
        raise ValueError(f"image must be (H, W) or (H, W, C), got shape {image.shape}")
    H, W, C = image.shape
    if isinstance(f, bool) or not isinstance(f, (int, np.integer)):
        raise ValueError(f"f must be an int, got f={f!r} for image shape {image.shape}")
    if not 1 <= f <= min(H, W):
        raise ValueError(f"f does not fit the image of shape {image.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
    out_h, out_w = (H - f) // stride + 1, (W - f) // stride + 1
    cols = np.zeros((f * f * C, out_h * out_w), dtype=image.dtype)
    for r in range(out_h):
        for q in range(out_w):
            cols[:, r * out_w + q] = image[r * stride:r * stride + f, q * stride:q * stride + f, :].reshape(-1)
    return cols
'''),
    ],
    "conv2d_im2col": [
        ("forgets the bias", '''
def conv2d_im2col(image, filters, biases, stride=1):
    image, filters, biases = np.asarray(image), np.asarray(filters), np.asarray(biases)
    if image.ndim != 3:
        raise ValueError(f"image must be 3-D, got shape {image.shape}")
    if filters.ndim != 4:
        raise ValueError(f"filters must be 4-D, got shape {filters.shape}")
    f, _, c_in, K = filters.shape
    H, W, C = image.shape
    if c_in != C:
        raise ValueError(f"image has {C} channels but filters expect C_in = {c_in}")
    if biases.shape != (K,):
        raise ValueError(f"biases must have shape ({K},), got shape {biases.shape}")
    out = filters.reshape(f * f * C, K).T @ im2col(image, f, stride)
    return out.T.reshape((H - f) // stride + 1, (W - f) // stride + 1, K)
'''),
        ("(K, P) reshaped directly to (out_h, out_w, K)", '''
def conv2d_im2col(image, filters, biases, stride=1):
    image, filters, biases = np.asarray(image), np.asarray(filters), np.asarray(biases)
    if image.ndim != 3:
        raise ValueError(f"image must be 3-D, got shape {image.shape}")
    if filters.ndim != 4:
        raise ValueError(f"filters must be 4-D, got shape {filters.shape}")
    f, _, c_in, K = filters.shape
    H, W, C = image.shape
    if c_in != C:
        raise ValueError(f"image has {C} channels but filters expect C_in = {c_in}")
    if biases.shape != (K,):
        raise ValueError(f"biases must have shape ({K},), got shape {biases.shape}")
    out = filters.reshape(f * f * C, K).T @ im2col(image, f, stride) + biases[:, None]
    return out.reshape((H - f) // stride + 1, (W - f) // stride + 1, K)
'''),
        ("stride ignored", '''
def conv2d_im2col(image, filters, biases, stride=1):
    image, filters, biases = np.asarray(image), np.asarray(filters), np.asarray(biases)
    if image.ndim != 3:
        raise ValueError(f"image must be 3-D, got shape {image.shape}")
    if filters.ndim != 4:
        raise ValueError(f"filters must be 4-D, got shape {filters.shape}")
    f, _, c_in, K = filters.shape
    H, W, C = image.shape
    if c_in != C:
        raise ValueError(f"image has {C} channels but filters expect C_in = {c_in}")
    if biases.shape != (K,):
        raise ValueError(f"biases must have shape ({K},), got shape {biases.shape}")
    out = filters.reshape(f * f * C, K).T @ im2col(image, f) + biases[:, None]
    return out.T.reshape(H - f + 1, W - f + 1, K)
'''),
        ("filters flattened channel-major, rows do not match im2col", '''
def conv2d_im2col(image, filters, biases, stride=1):
    image, filters, biases = np.asarray(image), np.asarray(filters), np.asarray(biases)
    if image.ndim != 3:
        raise ValueError(f"image must be 3-D, got shape {image.shape}")
    if filters.ndim != 4:
        raise ValueError(f"filters must be 4-D, got shape {filters.shape}")
    f, _, c_in, K = filters.shape
    H, W, C = image.shape
    if c_in != C:
        raise ValueError(f"image has {C} channels but filters expect C_in = {c_in}")
    if biases.shape != (K,):
        raise ValueError(f"biases must have shape ({K},), got shape {biases.shape}")
    weights = filters.transpose(2, 0, 1, 3).reshape(f * f * C, K).T
    out = weights @ im2col(image, f, stride) + biases[:, None]
    return out.T.reshape((H - f) // stride + 1, (W - f) // stride + 1, K)
'''),
        ("folded as (out_w, out_h, K)", '''
def conv2d_im2col(image, filters, biases, stride=1):
    image, filters, biases = np.asarray(image), np.asarray(filters), np.asarray(biases)
    if image.ndim != 3:
        raise ValueError(f"image must be 3-D, got shape {image.shape}")
    if filters.ndim != 4:
        raise ValueError(f"filters must be 4-D, got shape {filters.shape}")
    f, _, c_in, K = filters.shape
    H, W, C = image.shape
    if c_in != C:
        raise ValueError(f"image has {C} channels but filters expect C_in = {c_in}")
    if biases.shape != (K,):
        raise ValueError(f"biases must have shape ({K},), got shape {biases.shape}")
    out = filters.reshape(f * f * C, K).T @ im2col(image, f, stride) + biases[:, None]
    return out.T.reshape((W - f) // stride + 1, (H - f) // stride + 1, K)
'''),
        ("no channel check (im2col and reshape trip on their own)", '''
def conv2d_im2col(image, filters, biases, stride=1):
    image, filters, biases = np.asarray(image), np.asarray(filters), np.asarray(biases)
    f, K = filters.shape[0], filters.shape[-1]
    H, W, C = image.shape
    out = filters.reshape(-1, K).T @ im2col(image, f, stride)[:filters.reshape(-1, K).shape[0]] + biases[:K, None]
    return out.T.reshape((H - f) // stride + 1, (W - f) // stride + 1, K)
'''),
        ("channel mismatch: the message gives both shapes but not the word 'channel'", '''
def conv2d_im2col(image, filters, biases, stride=1):
    image, filters, biases = np.asarray(image), np.asarray(filters), np.asarray(biases)
    if image.ndim != 3:
        raise ValueError(f"image must be 3-D, got shape {image.shape}")
    if filters.ndim != 4:
        raise ValueError(f"filters must be 4-D, got shape {filters.shape}")
    f, _, c_in, K = filters.shape
    H, W, C = image.shape
    if c_in != C:
        raise ValueError(f"filters of shape {filters.shape} do not fit image of shape {image.shape}")
    if biases.shape != (K,):
        raise ValueError(f"biases must have shape ({K},), got shape {biases.shape}")
    out = filters.reshape(f * f * C, K).T @ im2col(image, f, stride) + biases[:, None]
    return out.T.reshape((H - f) // stride + 1, (W - f) // stride + 1, K)
'''),
        ("image not checked to be 3-D (NumPy's unpacking error)", '''
def conv2d_im2col(image, filters, biases, stride=1):
    image, filters, biases = np.asarray(image), np.asarray(filters), np.asarray(biases)
    if filters.ndim != 4 or filters.shape[0] != filters.shape[1]:
        raise ValueError(f"filters must be 4-D (f, f, C, K), got shape {filters.shape}")
    f, _, c_in, K = filters.shape
    H, W, C = image.shape
    if c_in != C:
        raise ValueError(f"image has {C} channels but filters expect C_in = {c_in}")
    if biases.shape != (K,):
        raise ValueError(f"biases must have shape ({K},), got shape {biases.shape}")
    out = filters.reshape(f * f * C, K).T @ im2col(image, f, stride) + biases[:, None]
    return out.T.reshape((H - f) // stride + 1, (W - f) // stride + 1, K)
'''),
        ("filters not checked to be 4-D (NumPy's unpacking error)", '''
def conv2d_im2col(image, filters, biases, stride=1):
    image, filters, biases = np.asarray(image), np.asarray(filters), np.asarray(biases)
    if image.ndim != 3:
        raise ValueError(f"image must be 3-D, got shape {image.shape}")
    if filters.shape[0] != filters.shape[1]:
        raise ValueError(f"filters must have square windows, got shape {filters.shape}")
    f, _, c_in, K = filters.shape
    H, W, C = image.shape
    if c_in != C:
        raise ValueError(f"image has {C} channels but filters expect C_in = {c_in}")
    if biases.shape != (K,):
        raise ValueError(f"biases must have shape ({K},), got shape {biases.shape}")
    out = filters.reshape(f * f * C, K).T @ im2col(image, f, stride) + biases[:, None]
    return out.T.reshape((H - f) // stride + 1, (W - f) // stride + 1, K)
'''),
        ("non-square filter windows not rejected (the reshape fails)", '''
def conv2d_im2col(image, filters, biases, stride=1):
    image, filters, biases = np.asarray(image), np.asarray(filters), np.asarray(biases)
    if image.ndim != 3:
        raise ValueError(f"image must be 3-D, got shape {image.shape}")
    if filters.ndim != 4:
        raise ValueError(f"filters must be 4-D, got shape {filters.shape}")
    f, _, c_in, K = filters.shape
    H, W, C = image.shape
    if c_in != C:
        raise ValueError(f"image has {C} channels but filters expect C_in = {c_in}")
    if biases.shape != (K,):
        raise ValueError(f"biases must have shape ({K},), got shape {biases.shape}")
    out = filters.reshape(f * f * C, K).T @ im2col(image, f, stride) + biases[:, None]
    return out.T.reshape((H - f) // stride + 1, (W - f) // stride + 1, K)
'''),
    ],
}
