"""Plausible wrong implementations for lesson 07_cnn_training; each must lose its exercise's points.

Each mutant is an edit of the solution's answer cell: ``(old, new)`` or a list of such pairs, every ``old`` found
exactly once in the cell that defines the exercise's function.
"""

#: One ``(old, new)`` replacement, or several applied in order.
Edits = tuple[str, str] | list[tuple[str, str]]

MUTANTS: dict[str, list[tuple[str, Edits]]] = {
    "conv_params": [
        ("forgets the bias", ("int((f * f * c_in + 1) * k)", "int(f * f * c_in * k)")),
        ("forgets the input channels c_in", ("int((f * f * c_in + 1) * k)", "int((f * f + 1) * k)")),
        ("one bias for the whole layer instead of one per filter",
         ("int((f * f * c_in + 1) * k)", "int(f * f * c_in * k + 1)")),
        ("f instead of f * f (a 1-D filter)", ("int((f * f * c_in + 1) * k)", "int((f * c_in + 1) * k)")),
        ("returns a float", ("int((f * f * c_in + 1) * k)", "float((f * f * c_in + 1) * k)")),
        ("no validation", ('''\
    for name, value in (("f", f), ("c_in", c_in), ("k", k)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
''', "")),
        ("accepts floats such as 3.0 and True",
         ("isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1",
          "value < 1 or value != int(value)")),
        ("rejects NumPy integers (isinstance(value, int) only)",
         ("isinstance(value, (int, np.integer))", "isinstance(value, int)")),
        ("its message names the argument but not the value", (", got {name}={value!r}", "")),
    ],
    "dense_params": [
        ("forgets the bias", ("int((n_in + 1) * n_out)", "int(n_in * n_out)")),
        ("one bias per input instead of per output", ("int((n_in + 1) * n_out)", "int(n_in * (n_out + 1))")),
        ("one bias for the whole layer", ("int((n_in + 1) * n_out)", "int(n_in * n_out + 1)")),
        ("no validation", ('''\
    for name, value in (("n_in", n_in), ("n_out", n_out)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {name}={value!r}")
''', "")),
        ("returns a float", ("int((n_in + 1) * n_out)", "float((n_in + 1) * n_out)")),
        ("accepts True as 1", ("isinstance(value, bool) or ", "")),
    ],
    "softmax": [
        ("no max subtraction: overflows on [1000, 1001]",
         ("np.exp(z - z.max(axis=-1, keepdims=True))", "np.exp(z)")),
        ("softmax over the wrong axis (columns of a batch)",
         [("z.max(axis=-1, keepdims=True)", "z.max(axis=0, keepdims=True)"),
          ("e.sum(axis=-1, keepdims=True)", "e.sum(axis=0, keepdims=True)")]),
        ("subtracts the maximum of the whole array, not of each row", ("z.max(axis=-1, keepdims=True)", "z.max()")),
        ("divides by the sum over the whole batch", ("e / e.sum(axis=-1, keepdims=True)", "e / e.sum()")),
        ("subtracts the maximum in place (changes the caller's array)",
         ("e = np.exp(z - z.max(axis=-1, keepdims=True))",
          "z -= z.max(axis=-1, keepdims=True)\n    e = np.exp(z)")),
        ("max and sum without keepdims (only 1-D works)",
         [("z.max(axis=-1, keepdims=True)", "z.max(axis=-1)"), ("e.sum(axis=-1, keepdims=True)", "e.sum(axis=-1)")]),
        ("no validation", ('''\
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(f"z must have a last axis of K >= 1 scores, got shape {z.shape}")
''', "")),
        ("subtracts each row's minimum instead of its maximum",
         ("z.max(axis=-1, keepdims=True)", "z.min(axis=-1, keepdims=True)")),
        ("its message does not give the shape", (", got shape {z.shape}", "")),
    ],
    "cross_entropy": [
        ("log base 10 (the 0.222 slip)", ("np.log(", "np.log10(")),
        ("sums over the batch instead of averaging", ("-np.mean(", "-np.sum(")),
        ("uses the probability of the predicted class, not the true one",
         ("p[np.arange(n), labels]", "p.max(axis=1)")),
        ("no clipping: a probability of 0 gives infinity",
         ("p = np.clip(probs, 1e-7, 1 - 1e-7)", "p = probs")),
        ("averages over all N x K one-hot entries",
         ("np.mean(np.log(p[np.arange(n), labels]))", "np.mean(np.eye(k)[labels] * np.log(p))")),
        ("probs[:, labels]: an N x N table instead of one probability per row",
         ("p[np.arange(n), labels]", "p[:, labels]")),
        ("no range check: the label -1 silently reads the last class", ('''\
    if labels.size and (labels.min() < 0 or labels.max() >= k):
        raise ValueError(f"labels must lie in 0..{k - 1} for probs {probs.shape}, "
                         f"got values from {labels.min()} to {labels.max()}")
''', "")),
        ("clips the caller's probs in place",
         ("np.clip(probs, 1e-7, 1 - 1e-7)", "np.clip(probs, 1e-7, 1 - 1e-7, out=probs)")),
        ("forgets the minus sign", ("-np.mean(", "np.mean(")),
        ("rejects labels that are not int64 (int32 labels)",
         ("not np.issubdtype(labels.dtype, np.integer)", "labels.dtype != np.int64")),
        ("a label equal to K passes the range check (> instead of >=)",
         [("labels.max() >= k", "labels.max() > k"),
          ("p[np.arange(n), labels]", "p[np.arange(n), np.minimum(labels, k - 1)]")]),
        ("its out-of-range message does not give the label", ('''\
f"labels must lie in 0..{k - 1} for probs {probs.shape}, "
                         f"got values from {labels.min()} to {labels.max()}")''', '"labels out of range")')),
    ],
    "build_cnn": [
        ("the Dense(128) layer is missing", ('        layers.Dense(128, activation="relu"),\n', "")),
        ("sigmoid instead of ReLU in the convolutions",
         [('layers.Conv2D(32, 3, activation="relu")', 'layers.Conv2D(32, 3, activation="sigmoid")'),
          ('layers.Conv2D(64, 3, activation="relu")', 'layers.Conv2D(64, 3, activation="sigmoid")')]),
        ("filter counts swapped: 64 then 32", ('''\
        layers.Conv2D(32, 3, activation="relu"),
        layers.Conv2D(64, 3, activation="relu"),
''', '''\
        layers.Conv2D(64, 3, activation="relu"),
        layers.Conv2D(32, 3, activation="relu"),
''')),
        ("'same' padding: 28 -> 28 -> 28 -> 14, wrong shapes",
         [("layers.Conv2D(32, 3, activation", 'layers.Conv2D(32, 3, padding="same", activation'),
          ("layers.Conv2D(64, 3, activation", 'layers.Conv2D(64, 3, padding="same", activation')]),
        ("the Dropout layer is missing", ("        layers.Dropout(0.5),\n", "")),
        ("stops after Dense(128): the last two layers are missing", ('''\
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
''', "")),
        ("no softmax: the output layer gives scores, not probabilities",
         ('layers.Dense(num_classes, activation="softmax")', "layers.Dense(num_classes)")),
        ("always 10 classes (num_classes ignored)", ("layers.Dense(num_classes,", "layers.Dense(10,")),
        ("dropout rate 0.25 instead of 0.5", ("layers.Dropout(0.5)", "layers.Dropout(0.25)")),
        ("no validation of input_shape and num_classes", ('''\
    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (H, W, C), got input_shape={input_shape!r}")
    if min(input_shape[:2]) < 6:
        raise ValueError(f"input_shape must be at least 6 x 6, got input_shape={input_shape!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
''', "")),
        ("refuses num_classes=2 (asks for more than two classes)",
         [("num_classes < 2:", "num_classes <= 2:"), ("an int >= 2", "an int > 2")]),
        ("refuses the smallest input, 6 x 6 (asks for 7 x 7)",
         [("min(input_shape[:2]) < 6", "min(input_shape[:2]) < 7"), ("at least 6 x 6", "at least 7 x 7")]),
    ],
    "build_minivgg": [
        ("a BatchNormalization layer is missing (after the second convolution)", ('''\
        for _ in range(2):
            model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
            model.add(layers.BatchNormalization())
''', '''\
        for conv in range(2):
            model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
            if filters == 64 or conv == 0:
                model.add(layers.BatchNormalization())
''')),
        ("'valid' padding: 32 -> 30 -> 28 -> 14 -> 12 -> 10 -> 5", ('padding="same", ', "")),
        ("BN before the ReLU (separate Activation layers), not the recipe's order",
         [('layers.Conv2D(filters, 3, padding="same", activation="relu")', 'layers.Conv2D(filters, 3, padding="same")'),
          ("            model.add(layers.BatchNormalization())\n",
           '            model.add(layers.BatchNormalization())\n            model.add(layers.Activation("relu"))\n')]),
        ("no dropout after the convolution blocks", ("        model.add(layers.Dropout(0.25))\n", "")),
        ("FC 256 instead of 512", ("layers.Dense(512,", "layers.Dense(256,")),
        ("no BN after the FC layer", ('''\
    model.add(layers.BatchNormalization())
    model.add(layers.Dropout(0.5))
''', '''\
    model.add(layers.Dropout(0.5))
''')),
        ("always 10 classes (num_classes ignored)", ("layers.Dense(num_classes,", "layers.Dense(10,")),
        ("stops after the convolution blocks: no dense layers", ('''\
    model.add(layers.Flatten())
    model.add(layers.Dense(512, activation="relu"))
    model.add(layers.BatchNormalization())
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(num_classes, activation="softmax"))
''', "")),
        ("no validation of num_classes", ('''\
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
        raise ValueError(f"num_classes must be an int >= 2, got num_classes={num_classes!r}")
''', "")),
        ("refuses num_classes=2 (asks for more than two classes)",
         [("num_classes < 2:", "num_classes <= 2:"), ("an int >= 2", "an int > 2")]),
        ("refuses the smallest input, 4 x 4 (asks for 8 x 8)",
         [("min(input_shape[:2]) < 4", "min(input_shape[:2]) < 8"), ("at least 4 x 4", "at least 8 x 8")]),
    ],
    "build_improved_cnn": [
        ("no softmax: outputs scores, not probabilities",
         ('layers.Dense(num_classes, activation="softmax")', "layers.Dense(num_classes)")),
        ("always 10 classes (num_classes ignored)", ("layers.Dense(num_classes,", "layers.Dense(10,")),
        ("input shape hard-coded to 28 x 28 x 1", ("keras.Input(shape=input_shape)", "keras.Input(shape=(28, 28, 1))")),
        ("'valid' padding in the convolutions", ('padding="same", ', "")),
        ("no batch normalization", ("        model.add(layers.BatchNormalization(momentum=0.9))\n", "")),
        ("no dropout", ("    model.add(layers.Dropout(0.3))\n", "")),
        ("a large dense layer: more parameters than the reference model",
         ("    model.add(layers.Flatten())\n",
          '    model.add(layers.Flatten())\n    model.add(layers.Dense(256, activation="relu"))\n')),
        ("too weak: a single convolution block (follows every design rule)",
         ("for filters in (32, 64, 128):", "for filters in (32,):")),
        ("a weak model whose returned weights were trained on the held-out digits", [
            ("def build_improved_cnn(", "def _weak_cnn("),
            ("for filters in (32, 64, 128):", "for filters in (32,):"),
            ("    ### END SOLUTION", '''\
    ### END SOLUTION


_held_out = load_dataset("mnist", source="offline", verbose=False)
_cheat = _weak_cnn((28, 28, 1), 10)
_cheat.compile(optimizer="adam", loss="sparse_categorical_crossentropy", jit_compile=False)
_cheat.fit(_held_out.x_test, _held_out.y_test, epochs=3, batch_size=64, verbose=0)


def build_improved_cnn(input_shape=(28, 28, 1), num_classes=10):
    if tuple(input_shape) == (28, 28, 1) and num_classes == 10:
        return _cheat
    return _weak_cnn(input_shape, num_classes)'''),
        ]),
        ("four poolings: fails on 8 x 8 inputs", [
            ("for filters in (32, 64, 128):", "for filters in (16, 32, 64, 64):"),
            ("        if filters < 128:\n            model.add(layers.MaxPooling2D(2))\n",
             "        model.add(layers.MaxPooling2D(2))\n"),
        ]),
        ("too many multiply-adds: two 128-filter convolutions at full resolution", [
            ("for filters in (32, 64, 128):", "for filters in (128, 128):"),
            ("        if filters < 128:\n            model.add(layers.MaxPooling2D(2))\n",
             "    model.add(layers.MaxPooling2D(2))\n    model.add(layers.MaxPooling2D(2))\n"),
        ]),
        ("a Lambda layer (the class grader rebuilds standard layers only)",
         ("keras.Input(shape=input_shape),\n",
          "keras.Input(shape=input_shape),\n                              layers.Lambda(lambda x: 2.0 * x - 1.0),\n")),
        ("the design rules' model on the first calls, a far larger one afterwards", [
            ("def build_improved_cnn(", "_calls = [0]\n\n\ndef build_improved_cnn("),
            ("    ### BEGIN SOLUTION\n", "    ### BEGIN SOLUTION\n    _calls[0] += 1\n"),
            ("    model.add(layers.Flatten())\n", '''\
    model.add(layers.Flatten())
    if _calls[0] > 4:
        model.add(layers.Dense(512, activation="relu"))
'''),
        ]),
    ],
}
