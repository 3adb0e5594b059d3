"""Plausible wrong implementations for lesson 02_convolution; each must lose its exercise's points.

Each mutant is an edit of the solution cell that defines the exercise: one ``(old, new)`` replacement or a list of
them, applied in order; every ``old`` occurs exactly once in that cell.
"""

#: One ``(old, new)`` replacement, or several applied in order.
Edits = tuple[str, str] | list[tuple[str, str]]

MUTANTS: dict[str, list[tuple[str, Edits]]] = {
    "conv1d": [
        ("stride ignored", [
            ("(n - f) // stride + 1", "n - f + 1"),
            ("start = i * stride", "start = i"),
        ]),
        ("off by one: n - f outputs", ("(n - f) // stride + 1", "(n - f) // stride")),
        ("kernel flipped (true convolution)", ("* w)", "* w[::-1])")),
        ("no validation at all", ('''\
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D (n,), got shape {x.shape}")
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"w must be a non-empty 1-D kernel (f,), got shape {w.shape}")
    if w.size > x.size:
        raise ValueError(f"w of shape {w.shape} is longer than x of shape {x.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
''', "")),
        ("stride accepted as float or bool", [
            ("isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1", "stride < 1"),
            ("    n, f = x.size, w.size", "    stride = int(stride)\n    n, f = x.size, w.size"),
        ]),
        ("output length n // stride", ("(n - f) // stride + 1", "n // stride")),
        ("message does not name the argument", [
            ('f"x must be 1-D (n,), got shape {x.shape}"', '"bad input"'),
            ('f"w must be a non-empty 1-D kernel (f,), got shape {w.shape}"', '"bad input"'),
            ('f"w of shape {w.shape} is longer than x of shape {x.shape}"', '"bad input"'),
            ('f"stride must be a positive int, got {stride!r}"', '"bad input"'),
        ]),
        ("output takes x's dtype (integer input truncates the halves)",
         ("np.zeros((n - f) // stride + 1)", "np.zeros((n - f) // stride + 1, dtype=x.dtype)")),
        ("stride message without the value seen",
         ('f"stride must be a positive int, got {stride!r}"', '"stride must be a positive int"')),
        ("w longer than x: the message gives x's shape, not w's", ("w of shape {w.shape} is longer", "w is longer")),
    ],
    "true_convolve1d": [
        ("no flip (full cross-correlation)", ("flipped = w[::-1]", "flipped = w")),
        ("valid instead of full", [
            ("padded = np.pad(x, f - 1)", "padded = x"),
            ("np.zeros(n + f - 1)", "np.zeros(n - f + 1)"),
        ]),
        ("off by one: n + f - 2 outputs (padding f - 2)", [
            ("np.pad(x, f - 1)", "np.pad(x, f - 2)"),
            ("np.zeros(n + f - 1)", "np.zeros(n + f - 2)"),
        ]),
        ("off by one: n + f outputs (an extra zero)", [
            ("np.pad(x, f - 1)", "np.pad(x, f)"),
            ("np.zeros(n + f - 1)", "np.zeros(n + f)"),
        ]),
        ("no validation", ('''\
    for name, array in (("x", x), ("w", w)):
        if array.ndim != 1 or array.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-D array, got shape {array.shape}")
''', "")),
        ("flips w in place (w[:] = w[::-1]): the caller's kernel changes",
         ("flipped = w[::-1]", "w[:] = w[::-1]\n    flipped = w")),
    ],
    "conv_single_step": [
        ("forgets the bias", ("np.sum(a_slice * W) + b.item()", "np.sum(a_slice * W)")),
        ("mean instead of sum", ("np.sum(a_slice * W)", "np.mean(a_slice * W)")),
        ("returns an array (b keeps its shape)",
         ("float(np.sum(a_slice * W) + b.item())", "np.sum(a_slice * W) + b")),
        ("bias added to every element", ("np.sum(a_slice * W) + b.item()", "np.sum(a_slice * W + b.item())")),
        ("returns a NumPy 0-d array",
         ("float(np.sum(a_slice * W) + b.item())", "np.asarray(np.sum(a_slice * W) + b.item())")),
        ("no shape check (broadcasting)", ('''\
    if a_slice.shape != W.shape:
        raise ValueError(f"a_slice has shape {a_slice.shape} but W has shape {W.shape}: they must be equal")
''', "")),
        ("float(b) on the bias array (fails for shape (1, 1, 1))",
         ("float(np.sum(a_slice * W) + b.item())", "float(np.sum(a_slice * W)) + float(b)")),
        ("returns a NumPy scalar (np.float32 for float32 inputs)",
         ("float(np.sum(a_slice * W) + b.item())", "np.sum(a_slice * W) + b.item()")),
    ],
    "conv2d": [
        ("kernel flipped (true convolution)", ("left:left + kw] * kernel", "left:left + kw] * np.flip(kernel)")),
        ("H and W swapped in the output size", [
            ("out_h = (H - kh) // stride + 1\n    out_w = (W - kw) // stride + 1",
             "out_h = (W - kw) // stride + 1\n    out_w = (H - kh) // stride + 1"),
            ("            out[i, j] = np.sum(image[top:top + kh, left:left + kw] * kernel)", '''\
            window = image[top:top + kh, left:left + kw]
            if window.shape == kernel.shape:
                out[i, j] = np.sum(window * kernel)'''),
        ]),
        ("stride ignored", [
            ("out_h = (H - kh) // stride + 1", "out_h = H - kh + 1"),
            ("out_w = (W - kw) // stride + 1", "out_w = W - kw + 1"),
            ("top, left = i * stride, j * stride", "top, left = i, j"),
        ]),
        ("stride steps through the output grid but the size ignores it", [
            ("out_h = (H - kh) // stride + 1", "out_h = H - kh + 1"),
            ("out_w = (W - kw) // stride + 1", "out_w = W - kw + 1"),
            ("for i in range(out_h):", "for i in range(0, out_h, stride):"),
            ("for j in range(out_w):", "for j in range(0, out_w, stride):"),
            ("top, left = i * stride, j * stride", "top, left = i, j"),
        ]),
        ("off by one: H - kh rows and W - kw columns", [
            ("out_h = (H - kh) // stride + 1", "out_h = max((H - kh) // stride, 1)"),
            ("out_w = (W - kw) // stride + 1", "out_w = max((W - kw) // stride, 1)"),
        ]),
        ("only square images and kernels work (uses H and kh for both axes)", [
            ("out_w = (W - kw) // stride + 1", "out_w = (H - kh) // stride + 1"),
            ("left:left + kw]", "left:left + kh]"),
        ]),
        ("no validation", [
            ('''\
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D (H, W), got shape {image.shape}")
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D (kh, kw), got shape {kernel.shape}")
''', ""),
            ('''\
    if kh < 1 or kw < 1 or kh > H or kw > W:
        raise ValueError(f"kernel of shape {kernel.shape} does not fit inside the image of shape {image.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
''', ""),
        ]),
        ("output has the image's dtype (uint8 wraps around)",
         ("np.zeros((out_h, out_w))", "np.zeros((out_h, out_w), dtype=image.dtype)")),
        ("kernel larger than the image: the message gives the image's shape, not the kernel's",
         ('f"kernel of shape {kernel.shape} does not fit inside the image of shape {image.shape}"',
          'f"image of shape {image.shape} is smaller than the kernel"')),
        ("stride message without the value seen",
         ('f"stride must be a positive int, got {stride!r}"', '"stride must be a positive whole number"')),
        ("an empty kernel accepted (returns zeros)", ("kh < 1 or kw < 1 or kh > H", "kh > H")),
    ],
    "conv2d_multi": [
        ("forgets the bias", ("axis=(0, 1, 2)) + biases", "axis=(0, 1, 2))")),
        ("uses only channel 0 of the image and the filters",
         ("window[..., None] * filters,", "window[..., :1, None] * filters[:, :, :1],")),
        ("filter axes mismatched: window rows meet filter columns",
         ("* filters,", "* filters.transpose(1, 0, 2, 3),")),
        ("filters read as (f, f, K, C_in): channel and filter axes transposed",
         ("* filters,", "* filters.reshape(fh, fw, K, C).transpose(0, 1, 3, 2),")),
        ("bias added per row (biases[:, None, None])", [
            ("axis=(0, 1, 2)) + biases", "axis=(0, 1, 2))"),
            ("    return out\n", "    return out + biases[:, None, None]\n"),
        ]),
        ("no channel check (broadcasting hides the mismatch)", ('''\
    if c_in != C:
        raise ValueError(f"image has {C} channels but filters expect C_in = {c_in} (filters shape {filters.shape})")
''', "")),
        ("no biases check (broadcasts any size)", [
            ('''\
    if biases.shape != (K,):
        raise ValueError(f"biases must have shape (K,) = ({K},), got shape {biases.shape}")
''', ""),
            ("axis=(0, 1, 2)) + biases", "axis=(0, 1, 2)) + biases.ravel()[:K]"),
        ]),
        ("output has the image's dtype (a uint8 image truncates and wraps)",
         ("np.zeros((H - fh + 1, W - fw + 1, K))", "np.zeros((H - fh + 1, W - fw + 1, K), dtype=image.dtype)")),
        ("channel mismatch: the message gives both shapes but not the word 'channel'",
         ('f"image has {C} channels but filters expect C_in = {c_in} (filters shape {filters.shape})"',
          'f"filters of shape {filters.shape} do not fit image of shape {image.shape}"')),
    ],
    "im2col": [
        ("channel-major order (c, i, j) inside a column",
         ("left:left + f, :].reshape(-1)", "left:left + f, :].transpose(2, 0, 1).reshape(-1)")),
        ("windows as rows: (out_h*out_w, f*f*C)", [
            ("np.zeros((f * f * C, out_h * out_w)", "np.zeros((out_h * out_w, f * f * C)"),
            ("cols[:, r * out_w + q] = image[top", "cols[r * out_w + q] = image[top"),
        ]),
        ("windows numbered column by column (q * out_h + r)",
         ("cols[:, r * out_w + q] = image[top", "cols[:, q * out_h + r] = image[top")),
        ("stride ignored", [
            ("out_h = (H - f) // stride + 1", "out_h = H - f + 1"),
            ("out_w = (W - f) // stride + 1", "out_w = W - f + 1"),
            ("top, left = r * stride, q * stride", "top, left = r, q"),
        ]),
        ("off by one: (H - f) // s windows per axis", [
            ("out_h = (H - f) // stride + 1", "out_h = max((H - f) // stride, 1)"),
            ("out_w = (W - f) // stride + 1", "out_w = max((W - f) // stride, 1)"),
        ]),
        ("no validation of f and stride", ('''\
    if isinstance(f, bool) or not isinstance(f, (int, np.integer)) or not 1 <= f <= min(H, W):
        raise ValueError(f"f must be an int between 1 and min(H, W) = {min(H, W)}, got f={f!r} "
                         f"for image shape {image.shape}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a positive int, got {stride!r}")
''', "")),
        ("f larger than the image: the message gives the limit, not the image's shape", ('''\
got f={f!r} "
                         f"for image shape {image.shape}")''', 'got f={f!r}")')),
        ("f = 0: the message gives f's value but not the image's shape", [
            ("or not 1 <= f <= min(H, W):", "or f > min(H, W):"),
            ("    if isinstance(stride, bool)", '''\
    if f < 1:
        raise ValueError(f"f must be at least 1, got f={f!r}")
    if isinstance(stride, bool)'''),
        ]),
        ("f wider than the image: the message gives W, not the image's shape", [
            ("not 1 <= f <= min(H, W):", "not 1 <= f <= H:"),
            ("    if isinstance(stride, bool)", '''\
    if f > W:
        raise ValueError(f"f={f!r} is wider than W={W}")
    if isinstance(stride, bool)'''),
        ]),
        ("bad f: the message gives the image's shape but not f's value", ("got f={f!r} ", "")),
    ],
    "conv2d_im2col": [
        ("forgets the bias", ("out = weights @ cols + biases[:, None]", "out = weights @ cols")),
        ("(K, P) reshaped directly to (out_h, out_w, K)", ("return out.T.reshape(", "return out.reshape(")),
        ("stride ignored", [
            ("im2col(image, f, stride)", "im2col(image, f)"),
            ("out_h = (H - f) // stride + 1", "out_h = H - f + 1"),
            ("out_w = (W - f) // stride + 1", "out_w = W - f + 1"),
        ]),
        ("filters flattened channel-major, rows do not match im2col",
         ("filters.reshape(f * f * C, K).T", "filters.transpose(2, 0, 1, 3).reshape(f * f * C, K).T")),
        ("folded as (out_w, out_h, K)", ("out.T.reshape(out_h, out_w, K)", "out.T.reshape(out_w, out_h, K)")),
        ("no channel check (im2col and reshape trip on their own)", ('''\
    if c_in != C:
        raise ValueError(f"image has {C} channels but filters expect C_in = {c_in} (filters shape {filters.shape})")
''', "")),
        ("channel mismatch: the message gives both shapes but not the word 'channel'",
         ('f"image has {C} channels but filters expect C_in = {c_in} (filters shape {filters.shape})"',
          'f"filters of shape {filters.shape} do not fit image of shape {image.shape}"')),
        ("image not checked to be 3-D (NumPy's unpacking error)", ('''\
    if image.ndim != 3:
        raise ValueError(f"image must be 3-D (H, W, C), got shape {image.shape}")
''', "")),
        ("filters not checked to be 4-D (NumPy's unpacking error)",
         ("filters.ndim != 4 or filters.shape[0]", "filters.shape[0]")),
        ("non-square filter windows not rejected (the reshape fails)",
         ("filters.ndim != 4 or filters.shape[0] != filters.shape[1]:", "filters.ndim != 4:")),
    ],
}
