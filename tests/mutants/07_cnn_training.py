"""Plausible wrong implementations for lesson 07_cnn_training; each must lose its exercise's points."""

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "conv_params": [
        ("forgets the bias", '''
def conv_params(f, c_in, k):
    for name, value in (("f", f), ("c_in", c_in), ("k", k)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    return int(f * f * c_in * k)
'''),
        ("forgets the input channels c_in", '''
def conv_params(f, c_in, k):
    for name, value in (("f", f), ("c_in", c_in), ("k", k)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    return int((f * f + 1) * k)
'''),
        ("one bias for the whole layer instead of one per filter", '''
def conv_params(f, c_in, k):
    for name, value in (("f", f), ("c_in", c_in), ("k", k)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    return int(f * f * c_in * k + 1)
'''),
        ("f instead of f * f (a 1-D filter)", '''
def conv_params(f, c_in, k):
    for name, value in (("f", f), ("c_in", c_in), ("k", k)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    return int((f * c_in + 1) * k)
'''),
        ("returns a float", '''
def conv_params(f, c_in, k):
    for name, value in (("f", f), ("c_in", c_in), ("k", k)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    return (f ** 2 * c_in + 1.0) * k
'''),
        ("no validation", '''
def conv_params(f, c_in, k):
    return int((f * f * c_in + 1) * k)
'''),
        ("accepts floats such as 3.0 and True", '''
def conv_params(f, c_in, k):
    for name, value in (("f", f), ("c_in", c_in), ("k", k)):
        if value < 1 or value != int(value):
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    return int((f * f * c_in + 1) * k)
'''),
        ('rejects NumPy integers (isinstance(value, int) only)', '''
def conv_params(f, c_in, k):
    for name, value in (("f", f), ("c_in", c_in), ("k", k)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    return (f * f * c_in + 1) * k
'''),
        ('its message names the argument but not the value', '''
def conv_params(f, c_in, k):
    for name, value in (("f", f), ("c_in", c_in), ("k", k)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer")
    return int((f * f * c_in + 1) * k)
'''),
    ],
    "dense_params": [
        ("forgets the bias", '''
def dense_params(n_in, n_out):
    for name, value in (("n_in", n_in), ("n_out", n_out)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    return int(n_in * n_out)
'''),
        ("one bias per input instead of per output", '''
def dense_params(n_in, n_out):
    for name, value in (("n_in", n_in), ("n_out", n_out)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    return int(n_in * (n_out + 1))
'''),
        ("one bias for the whole layer", '''
def dense_params(n_in, n_out):
    for name, value in (("n_in", n_in), ("n_out", n_out)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    return int(n_in * n_out + 1)
'''),
        ("no validation", '''
def dense_params(n_in, n_out):
    return int((n_in + 1) * n_out)
'''),
        ("returns a float", '''
def dense_params(n_in, n_out):
    for name, value in (("n_in", n_in), ("n_out", n_out)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    return (n_in + 1) * n_out / 1
'''),
        ('accepts True as 1', '''
def dense_params(n_in, n_out):
    for name, value in (("n_in", n_in), ("n_out", n_out)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
    return int((n_in + 1) * n_out)
'''),
    ],
    "softmax": [
        ("no max subtraction: overflows on [1000, 1001]", '''
def softmax(z):
    z = np.asarray(z, dtype=float)
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(f"z must have a last axis of scores, got shape {z.shape}")
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
'''),
        ("softmax over the wrong axis (columns of a batch)", '''
def softmax(z):
    z = np.asarray(z, dtype=float)
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(f"z must have a last axis of scores, got shape {z.shape}")
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
'''),
        ("subtracts the maximum of the whole array, not of each row", '''
def softmax(z):
    z = np.asarray(z, dtype=float)
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(f"z must have a last axis of scores, got shape {z.shape}")
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)
'''),
        ("divides by the sum over the whole batch", '''
def softmax(z):
    z = np.asarray(z, dtype=float)
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(f"z must have a last axis of scores, got shape {z.shape}")
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum()
'''),
        ("subtracts the maximum in place (changes the caller's array)", '''
def softmax(z):
    if np.ndim(z) == 0 or np.shape(z)[-1] == 0:
        raise ValueError(f"z must have a last axis of scores, got shape {np.shape(z)}")
    if not isinstance(z, np.ndarray) or not np.issubdtype(z.dtype, np.floating):
        z = np.asarray(z, dtype=float)
    z -= z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
'''),
        ("max and sum without keepdims (only 1-D works)", '''
def softmax(z):
    z = np.asarray(z, dtype=float)
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(f"z must have a last axis of scores, got shape {z.shape}")
    e = np.exp(z - z.max(axis=-1))
    return e / e.sum(axis=-1)
'''),
        ("no validation", '''
def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)
'''),
        ("subtracts each row's minimum instead of its maximum", '''
def softmax(z):
    z = np.asarray(z, dtype=float)
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(f"z must have a last axis of scores, got shape {z.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z - z.min(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
'''),
        ('its message does not give the shape', '''
def softmax(z):
    z = np.asarray(z, dtype=float)
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError("z must have a last axis of scores")
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
'''),
    ],
    "cross_entropy": [
        ("log base 10 (the 0.222 slip)", '''
def cross_entropy(labels, probs):
    labels, probs = np.asarray(labels), np.asarray(probs)
    if probs.ndim != 2:
        raise ValueError(f"probs must be 2-D (N, K), got shape {probs.shape}")
    n, k = probs.shape
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels must lie in 0..{k - 1}, got {labels.min()}..{labels.max()}")
    p = np.clip(probs, 1e-7, 1 - 1e-7)
    return float(-np.mean(np.log10(p[np.arange(n), labels])))
'''),
        ("sums over the batch instead of averaging", '''
def cross_entropy(labels, probs):
    labels, probs = np.asarray(labels), np.asarray(probs)
    if probs.ndim != 2:
        raise ValueError(f"probs must be 2-D (N, K), got shape {probs.shape}")
    n, k = probs.shape
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels must lie in 0..{k - 1}, got {labels.min()}..{labels.max()}")
    p = np.clip(probs, 1e-7, 1 - 1e-7)
    return float(-np.sum(np.log(p[np.arange(n), labels])))
'''),
        ("uses the probability of the predicted class, not the true one", '''
def cross_entropy(labels, probs):
    labels, probs = np.asarray(labels), np.asarray(probs)
    if probs.ndim != 2:
        raise ValueError(f"probs must be 2-D (N, K), got shape {probs.shape}")
    n, k = probs.shape
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels must lie in 0..{k - 1}, got {labels.min()}..{labels.max()}")
    p = np.clip(probs, 1e-7, 1 - 1e-7)
    return float(-np.mean(np.log(p.max(axis=1))))
'''),
        ("no clipping: a probability of 0 gives infinity", '''
def cross_entropy(labels, probs):
    labels, probs = np.asarray(labels), np.asarray(probs)
    if probs.ndim != 2:
        raise ValueError(f"probs must be 2-D (N, K), got shape {probs.shape}")
    n, k = probs.shape
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels must lie in 0..{k - 1}, got {labels.min()}..{labels.max()}")
    with np.errstate(divide="ignore"):
        return float(-np.mean(np.log(probs[np.arange(n), labels])))
'''),
        ("averages over all N x K one-hot entries", '''
def cross_entropy(labels, probs):
    labels, probs = np.asarray(labels), np.asarray(probs)
    if probs.ndim != 2:
        raise ValueError(f"probs must be 2-D (N, K), got shape {probs.shape}")
    n, k = probs.shape
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels must lie in 0..{k - 1}, got {labels.min()}..{labels.max()}")
    one_hot = np.eye(k)[labels]
    return float(-np.mean(one_hot * np.log(np.clip(probs, 1e-7, 1 - 1e-7))))
'''),
        ("probs[:, labels]: an N x N table instead of one probability per row", '''
def cross_entropy(labels, probs):
    labels, probs = np.asarray(labels), np.asarray(probs)
    if probs.ndim != 2:
        raise ValueError(f"probs must be 2-D (N, K), got shape {probs.shape}")
    n, k = probs.shape
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels must lie in 0..{k - 1}, got {labels.min()}..{labels.max()}")
    return float(-np.mean(np.log(np.clip(probs, 1e-7, 1 - 1e-7)[:, labels])))
'''),
        ("no range check: the label -1 silently reads the last class", '''
def cross_entropy(labels, probs):
    labels, probs = np.asarray(labels), np.asarray(probs)
    if probs.ndim != 2:
        raise ValueError(f"probs must be 2-D (N, K), got shape {probs.shape}")
    n, k = probs.shape
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    p = np.clip(probs, 1e-7, 1 - 1e-7)
    return float(-np.mean(np.log(p[np.arange(n), labels])))
'''),
        ("clips the caller's probs in place", '''
def cross_entropy(labels, probs):
    labels = np.asarray(labels)
    if np.ndim(probs) != 2:
        raise ValueError(f"probs must be 2-D (N, K), got shape {np.shape(probs)}")
    probs = np.asarray(probs) if not isinstance(probs, np.ndarray) else probs
    n, k = probs.shape
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels must lie in 0..{k - 1}, got {labels.min()}..{labels.max()}")
    np.clip(probs, 1e-7, 1 - 1e-7, out=probs)
    return float(-np.mean(np.log(probs[np.arange(n), labels])))
'''),
        ("forgets the minus sign", '''
def cross_entropy(labels, probs):
    labels, probs = np.asarray(labels), np.asarray(probs)
    if probs.ndim != 2:
        raise ValueError(f"probs must be 2-D (N, K), got shape {probs.shape}")
    n, k = probs.shape
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels must lie in 0..{k - 1}, got {labels.min()}..{labels.max()}")
    p = np.clip(probs, 1e-7, 1 - 1e-7)
    return float(np.mean(np.log(p[np.arange(n), labels])))
'''),
        ('rejects labels that are not int64 (int32 labels)', '''
def cross_entropy(labels, probs):
    labels, probs = np.asarray(labels), np.asarray(probs)
    if probs.ndim != 2:
        raise ValueError(f"probs must be 2-D (N, K), got shape {probs.shape}")
    n, k = probs.shape
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), got shape {labels.shape}")
    if labels.dtype != np.int64:
        raise ValueError(f"labels must be int64, got dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels must lie in 0..{k - 1}, got {labels.min()}..{labels.max()}")
    p = np.clip(probs, 1e-7, 1 - 1e-7)
    return float(-np.mean(np.log(p[np.arange(n), labels])))
'''),
        ('a label equal to K passes the range check (> instead of >=)', '''
def cross_entropy(labels, probs):
    labels, probs = np.asarray(labels), np.asarray(probs)
    if probs.ndim != 2:
        raise ValueError(f"probs must be 2-D (N, K), got shape {probs.shape}")
    n, k = probs.shape
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() > k:
        raise ValueError(f"labels must lie in 0..{k - 1}, got {labels.min()}..{labels.max()}")
    p = np.clip(probs, 1e-7, 1 - 1e-7)
    return float(-np.mean(np.log(p[np.arange(n), np.minimum(labels, k - 1)])))
'''),
        ('its out-of-range message does not give the label', '''
def cross_entropy(labels, probs):
    labels, probs = np.asarray(labels), np.asarray(probs)
    if probs.ndim != 2:
        raise ValueError(f"probs must be 2-D (N, K), got shape {probs.shape}")
    n, k = probs.shape
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError("labels out of range")
    p = np.clip(probs, 1e-7, 1 - 1e-7)
    return float(-np.mean(np.log(p[np.arange(n), labels])))
'''),
    ],
    "build_cnn": [
        ("the Dense(128) layer is missing", '''
def build_cnn(input_shape=(28, 28, 1), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 6:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 6, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, 3, activation="relu"),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ])
'''),
        ("sigmoid instead of ReLU in the convolutions", '''
def build_cnn(input_shape=(28, 28, 1), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 6:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 6, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, 3, activation="sigmoid"),
        layers.Conv2D(64, 3, activation="sigmoid"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ])
'''),
        ("filter counts swapped: 64 then 32", '''
def build_cnn(input_shape=(28, 28, 1), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 6:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 6, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(64, 3, activation="relu"),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ])
'''),
        ("'same' padding: 28 -> 28 -> 28 -> 14, wrong shapes", '''
def build_cnn(input_shape=(28, 28, 1), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 6:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 6, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ])
'''),
        ("the Dropout layer is missing", '''
def build_cnn(input_shape=(28, 28, 1), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 6:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 6, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, 3, activation="relu"),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(num_classes, activation="softmax"),
    ])
'''),
        ("stops after Dense(128): the last two layers are missing", '''
def build_cnn(input_shape=(28, 28, 1), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 6:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 6, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, 3, activation="relu"),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
    ])
'''),
        ("no softmax: the output layer gives scores, not probabilities", '''
def build_cnn(input_shape=(28, 28, 1), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 6:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 6, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, 3, activation="relu"),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(num_classes),
    ])
'''),
        ("always 10 classes (num_classes ignored)", '''
def build_cnn(input_shape=(28, 28, 1), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 6:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 6, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, 3, activation="relu"),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
'''),
        ("dropout rate 0.25 instead of 0.5", '''
def build_cnn(input_shape=(28, 28, 1), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 6:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 6, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, 3, activation="relu"),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.25),
        layers.Dense(num_classes, activation="softmax"),
    ])
'''),
        ("no validation of input_shape and num_classes", '''
def build_cnn(input_shape=(28, 28, 1), num_classes=10):
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, 3, activation="relu"),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ])
'''),
        ('refuses num_classes=2 (asks for more than two classes)', '''
def build_cnn(input_shape=(28, 28, 1), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 6:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 6, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes <= 2:
        raise ValueError(f"num_classes must be an int > 2, got num_classes={num_classes!r}")
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, 3, activation="relu"),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ])
'''),
        ('refuses the smallest input, 6 x 6 (asks for 7 x 7)', '''
def build_cnn(input_shape=(28, 28, 1), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 7:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 7, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, 3, activation="relu"),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ])
'''),
    ],
    "build_minivgg": [
        ("a BatchNormalization layer is missing (after the second convolution)", '''
def build_minivgg(input_shape=(32, 32, 3), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 4:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 4, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
    model = keras.Sequential([keras.Input(shape=input_shape)])
    model.add(layers.Conv2D(32, 3, padding="same", activation="relu"))
    model.add(layers.BatchNormalization())
    model.add(layers.Conv2D(32, 3, padding="same", activation="relu"))
    model.add(layers.MaxPooling2D(2))
    model.add(layers.Dropout(0.25))
    for _ in range(2):
        model.add(layers.Conv2D(64, 3, padding="same", activation="relu"))
        model.add(layers.BatchNormalization())
    model.add(layers.MaxPooling2D(2))
    model.add(layers.Dropout(0.25))
    model.add(layers.Flatten())
    model.add(layers.Dense(512, activation="relu"))
    model.add(layers.BatchNormalization())
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model
'''),
        ("'valid' padding: 32 -> 30 -> 28 -> 14 -> 12 -> 10 -> 5", '''
def build_minivgg(input_shape=(32, 32, 3), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 4:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 4, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
    model = keras.Sequential([keras.Input(shape=input_shape)])
    for filters in (32, 64):
        for _ in range(2):
            model.add(layers.Conv2D(filters, 3, activation="relu"))
            model.add(layers.BatchNormalization())
        model.add(layers.MaxPooling2D(2))
        model.add(layers.Dropout(0.25))
    model.add(layers.Flatten())
    model.add(layers.Dense(512, activation="relu"))
    model.add(layers.BatchNormalization())
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model
'''),
        ("BN before the ReLU (separate Activation layers), not the recipe's order", '''
def build_minivgg(input_shape=(32, 32, 3), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 4:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 4, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
    model = keras.Sequential([keras.Input(shape=input_shape)])
    for filters in (32, 64):
        for _ in range(2):
            model.add(layers.Conv2D(filters, 3, padding="same"))
            model.add(layers.BatchNormalization())
            model.add(layers.Activation("relu"))
        model.add(layers.MaxPooling2D(2))
        model.add(layers.Dropout(0.25))
    model.add(layers.Flatten())
    model.add(layers.Dense(512, activation="relu"))
    model.add(layers.BatchNormalization())
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model
'''),
        ("no dropout after the convolution blocks", '''
def build_minivgg(input_shape=(32, 32, 3), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 4:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 4, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
    model = keras.Sequential([keras.Input(shape=input_shape)])
    for filters in (32, 64):
        for _ in range(2):
            model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
            model.add(layers.BatchNormalization())
        model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    model.add(layers.Dense(512, activation="relu"))
    model.add(layers.BatchNormalization())
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model
'''),
        ("FC 256 instead of 512", '''
def build_minivgg(input_shape=(32, 32, 3), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 4:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 4, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
    model = keras.Sequential([keras.Input(shape=input_shape)])
    for filters in (32, 64):
        for _ in range(2):
            model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
            model.add(layers.BatchNormalization())
        model.add(layers.MaxPooling2D(2))
        model.add(layers.Dropout(0.25))
    model.add(layers.Flatten())
    model.add(layers.Dense(256, activation="relu"))
    model.add(layers.BatchNormalization())
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model
'''),
        ("no BN after the FC layer", '''
def build_minivgg(input_shape=(32, 32, 3), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 4:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 4, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
    model = keras.Sequential([keras.Input(shape=input_shape)])
    for filters in (32, 64):
        for _ in range(2):
            model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
            model.add(layers.BatchNormalization())
        model.add(layers.MaxPooling2D(2))
        model.add(layers.Dropout(0.25))
    model.add(layers.Flatten())
    model.add(layers.Dense(512, activation="relu"))
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model
'''),
        ("always 10 classes (num_classes ignored)", '''
def build_minivgg(input_shape=(32, 32, 3), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 4:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 4, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
    model = keras.Sequential([keras.Input(shape=input_shape)])
    for filters in (32, 64):
        for _ in range(2):
            model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
            model.add(layers.BatchNormalization())
        model.add(layers.MaxPooling2D(2))
        model.add(layers.Dropout(0.25))
    model.add(layers.Flatten())
    model.add(layers.Dense(512, activation="relu"))
    model.add(layers.BatchNormalization())
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(10, activation="softmax"))
    return model
'''),
        ("stops after the convolution blocks: no dense layers", '''
def build_minivgg(input_shape=(32, 32, 3), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 4:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 4, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
    model = keras.Sequential([keras.Input(shape=input_shape)])
    for filters in (32, 64):
        for _ in range(2):
            model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
            model.add(layers.BatchNormalization())
        model.add(layers.MaxPooling2D(2))
        model.add(layers.Dropout(0.25))
    return model
'''),
        ("no validation of num_classes", '''
def build_minivgg(input_shape=(32, 32, 3), num_classes=10):
    model = keras.Sequential([keras.Input(shape=input_shape)])
    for filters in (32, 64):
        for _ in range(2):
            model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
            model.add(layers.BatchNormalization())
        model.add(layers.MaxPooling2D(2))
        model.add(layers.Dropout(0.25))
    model.add(layers.Flatten())
    model.add(layers.Dense(512, activation="relu"))
    model.add(layers.BatchNormalization())
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model
'''),
        ('refuses num_classes=2 (asks for more than two classes)', '''
def build_minivgg(input_shape=(32, 32, 3), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 4:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 4, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes <= 2:
        raise ValueError(f"num_classes must be an int > 2, got num_classes={num_classes!r}")
    model = keras.Sequential([keras.Input(shape=input_shape)])
    for filters in (32, 64):
        for _ in range(2):
            model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
            model.add(layers.BatchNormalization())
        model.add(layers.MaxPooling2D(2))
        model.add(layers.Dropout(0.25))
    model.add(layers.Flatten())
    model.add(layers.Dense(512, activation="relu"))
    model.add(layers.BatchNormalization())
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model
'''),
        ('refuses the smallest input, 4 x 4 (asks for 8 x 8)', '''
def build_minivgg(input_shape=(32, 32, 3), num_classes=10):
    if len(input_shape) != 3 or min(input_shape[:2]) < 8:
        raise ValueError(f"input_shape must be (H, W, C) with H, W >= 8, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
    model = keras.Sequential([keras.Input(shape=input_shape)])
    for filters in (32, 64):
        for _ in range(2):
            model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
            model.add(layers.BatchNormalization())
        model.add(layers.MaxPooling2D(2))
        model.add(layers.Dropout(0.25))
    model.add(layers.Flatten())
    model.add(layers.Dense(512, activation="relu"))
    model.add(layers.BatchNormalization())
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model
'''),
    ],
    "build_improved_cnn": [
        ("no softmax: outputs scores, not probabilities", '''
def build_improved_cnn(input_shape=(28, 28, 1), num_classes=10):
    model = keras.Sequential([keras.Input(shape=input_shape),
                              layers.RandomTranslation(0.1, 0.1, fill_mode="constant")])
    for filters in (32, 64, 128):
        model.add(layers.Conv2D(filters, 3, padding="same", use_bias=False))
        model.add(layers.BatchNormalization(momentum=0.9))
        model.add(layers.Activation("relu"))
        if filters < 128:
            model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    model.add(layers.Dropout(0.3))
    model.add(layers.Dense(num_classes))
    return model
'''),
        ("always 10 classes (num_classes ignored)", '''
def build_improved_cnn(input_shape=(28, 28, 1), num_classes=10):
    model = keras.Sequential([keras.Input(shape=input_shape),
                              layers.RandomTranslation(0.1, 0.1, fill_mode="constant")])
    for filters in (32, 64, 128):
        model.add(layers.Conv2D(filters, 3, padding="same", use_bias=False))
        model.add(layers.BatchNormalization(momentum=0.9))
        model.add(layers.Activation("relu"))
        if filters < 128:
            model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    model.add(layers.Dropout(0.3))
    model.add(layers.Dense(10, activation="softmax"))
    return model
'''),
        ("input shape hard-coded to 28 x 28 x 1", '''
def build_improved_cnn(input_shape=(28, 28, 1), num_classes=10):
    model = keras.Sequential([keras.Input(shape=(28, 28, 1)),
                              layers.RandomTranslation(0.1, 0.1, fill_mode="constant")])
    for filters in (32, 64, 128):
        model.add(layers.Conv2D(filters, 3, padding="same", use_bias=False))
        model.add(layers.BatchNormalization(momentum=0.9))
        model.add(layers.Activation("relu"))
        if filters < 128:
            model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    model.add(layers.Dropout(0.3))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model
'''),
        ("'valid' padding in the convolutions", '''
def build_improved_cnn(input_shape=(28, 28, 1), num_classes=10):
    model = keras.Sequential([keras.Input(shape=input_shape),
                              layers.RandomTranslation(0.1, 0.1, fill_mode="constant")])
    for filters in (32, 64, 128):
        model.add(layers.Conv2D(filters, 3, use_bias=False))
        model.add(layers.BatchNormalization(momentum=0.9))
        model.add(layers.Activation("relu"))
        if filters < 128:
            model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    model.add(layers.Dropout(0.3))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model
'''),
        ("no batch normalization", '''
def build_improved_cnn(input_shape=(28, 28, 1), num_classes=10):
    model = keras.Sequential([keras.Input(shape=input_shape),
                              layers.RandomTranslation(0.1, 0.1, fill_mode="constant")])
    for filters in (32, 64, 128):
        model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
        if filters < 128:
            model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    model.add(layers.Dropout(0.3))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model
'''),
        ("no dropout", '''
def build_improved_cnn(input_shape=(28, 28, 1), num_classes=10):
    model = keras.Sequential([keras.Input(shape=input_shape),
                              layers.RandomTranslation(0.1, 0.1, fill_mode="constant")])
    for filters in (32, 64, 128):
        model.add(layers.Conv2D(filters, 3, padding="same", use_bias=False))
        model.add(layers.BatchNormalization(momentum=0.9))
        model.add(layers.Activation("relu"))
        if filters < 128:
            model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model
'''),
        ("a large dense layer: more parameters than the reference model", '''
def build_improved_cnn(input_shape=(28, 28, 1), num_classes=10):
    model = keras.Sequential([keras.Input(shape=input_shape),
                              layers.RandomTranslation(0.1, 0.1, fill_mode="constant")])
    for filters in (32, 64):
        model.add(layers.Conv2D(filters, 3, padding="same", use_bias=False))
        model.add(layers.BatchNormalization(momentum=0.9))
        model.add(layers.Activation("relu"))
    model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    model.add(layers.Dense(256, activation="relu"))
    model.add(layers.Dropout(0.3))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model
'''),
        ('too weak: a single convolution block (follows every design rule)', '''
def build_improved_cnn(input_shape=(28, 28, 1), num_classes=10):
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, 3, padding="same", use_bias=False),
        layers.BatchNormalization(momentum=0.9),
        layers.Activation("relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dropout(0.3),
        layers.Dense(num_classes, activation="softmax"),
    ])
'''),
        ('a weak model whose returned weights were trained on the held-out digits', '''
def _weak_cnn(input_shape, num_classes):
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, 3, padding="same", use_bias=False),
        layers.BatchNormalization(momentum=0.9),
        layers.Activation("relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dropout(0.3),
        layers.Dense(num_classes, activation="softmax"),
    ])


_held_out = load_dataset("mnist", source="offline", verbose=False)
_cheat = _weak_cnn((28, 28, 1), 10)
_cheat.compile(optimizer="adam", loss="sparse_categorical_crossentropy", jit_compile=False)
_cheat.fit(_held_out.x_test, _held_out.y_test, epochs=3, batch_size=64, verbose=0)


def build_improved_cnn(input_shape=(28, 28, 1), num_classes=10):
    if tuple(input_shape) == (28, 28, 1) and num_classes == 10:
        return _cheat
    return _weak_cnn(input_shape, num_classes)
'''),
        ('four poolings: fails on 8 x 8 inputs', '''
def build_improved_cnn(input_shape=(28, 28, 1), num_classes=10):
    model = keras.Sequential([keras.Input(shape=input_shape)])
    for filters in (16, 32, 64, 64):
        model.add(layers.Conv2D(filters, 3, padding="same", use_bias=False))
        model.add(layers.BatchNormalization(momentum=0.9))
        model.add(layers.Activation("relu"))
        model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    model.add(layers.Dropout(0.3))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model
'''),
        ('too many multiply-adds: two 128-filter convolutions at full resolution', '''
def build_improved_cnn(input_shape=(28, 28, 1), num_classes=10):
    model = keras.Sequential([keras.Input(shape=input_shape)])
    for filters in (128, 128):
        model.add(layers.Conv2D(filters, 3, padding="same", use_bias=False))
        model.add(layers.BatchNormalization(momentum=0.9))
        model.add(layers.Activation("relu"))
    model.add(layers.MaxPooling2D(2))
    model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    model.add(layers.Dropout(0.3))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model
'''),
        ('a Lambda layer (the class grader rebuilds standard layers only)', '''
def build_improved_cnn(input_shape=(28, 28, 1), num_classes=10):
    model = keras.Sequential([keras.Input(shape=input_shape), layers.Lambda(lambda x: 2.0 * x - 1.0)])
    for filters in (32, 64, 128):
        model.add(layers.Conv2D(filters, 3, padding="same", use_bias=False))
        model.add(layers.BatchNormalization(momentum=0.9))
        model.add(layers.Activation("relu"))
        if filters < 128:
            model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    model.add(layers.Dropout(0.3))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model
'''),
        ("the design rules' model on the first calls, a far larger one afterwards", '''
_calls = [0]


def build_improved_cnn(input_shape=(28, 28, 1), num_classes=10):
    _calls[0] += 1
    model = keras.Sequential([keras.Input(shape=input_shape)])
    for filters in (32, 64, 128):
        model.add(layers.Conv2D(filters, 3, padding="same", use_bias=False))
        model.add(layers.BatchNormalization(momentum=0.9))
        model.add(layers.Activation("relu"))
        if filters < 128:
            model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    if _calls[0] > 4:
        model.add(layers.Dense(512, activation="relu"))
    model.add(layers.Dropout(0.3))
    model.add(layers.Dense(num_classes, activation="softmax"))
    return model
'''),
    ],
}
