"""Plausible wrong implementations for lesson 08_backprop, as edits of the solution; each must lose its points.

Each mutant is ``(description, edits)``: one ``(old, new)`` replacement in the solution cell that defines the
exercise's function, or a list of them applied in order (see ``tests/mutation_harness.py``).
"""

#: One ``(old, new)`` replacement, or several applied in order.
Edits = tuple[str, str] | list[tuple[str, str]]

MUTANTS: dict[str, list[tuple[str, Edits]]] = {
    "affine_backward": [
        ("dx = dout @ W, W not transposed", ("return dout @ W.T, x.T @ dout", "return dout @ W, x.T @ dout")),
        ("dW = dout.T @ x, transposed", ("x.T @ dout, dout.sum(axis=0)", "dout.T @ x, dout.sum(axis=0)")),
        ("db summed over the outputs instead of the batch", ("dout.sum(axis=0)", "dout.sum(axis=1)")),
        ("db as the mean over the batch", ("dout.sum(axis=0)", "dout.mean(axis=0)")),
        ("dW divided by the batch size",
         ("return dout @ W.T, x.T @ dout,", "return dout @ W.T, x.T @ dout / x.shape[0],")),
        ("x and W not checked against each other", ('''\
    if x.shape[1] != W.shape[0]:
        raise ValueError(f"x has shape {x.shape} but W has shape {W.shape}: x.shape[1] must equal W.shape[0]")
''', "")),
        ("dout's shape not checked", ('''\
    if dout.shape != (x.shape[0], W.shape[1]):
        raise ValueError(f"dout has shape {dout.shape}, but x @ W has shape {(x.shape[0], W.shape[1])}")
''', "")),
        ("db summed with keepdims: shape (1, M) instead of (M,)",
         ("dout.sum(axis=0)", "dout.sum(axis=0, keepdims=True)")),
        ("x's rank not checked (a 3-D x goes through)", ('''\
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
''', "")),
        ("dout compared by its size, not its shape (the transposed (M, N) passes the check)",
         ("if dout.shape != (x.shape[0], W.shape[1]):", "if dout.size != x.shape[0] * W.shape[1]:")),
    ],
    "relu_backward": [
        ("x >= 0: the gradient passes at x = 0", ("dout * (x > 0)", "dout * (x >= 0)")),
        ("the mask taken from dout instead of x", ("dout * (x > 0)", "dout * (dout > 0)")),
        ("the mask alone, dout ignored", ("return dout * (x > 0)", "return (x > 0).astype(float)")),
        ("dout changed in place", ("    return dout * (x > 0)", "    dout[x <= 0] = 0\n    return dout")),
        ("no shape check (NumPy broadcasts)", ('''\
    if dout.shape != x.shape:
        raise ValueError(f"dout has shape {dout.shape}, but x has shape {x.shape}: they must be equal")
''', "")),
        ("only the ranks compared (NumPy broadcasts (1, 3) against (2, 3))",
         ("if dout.shape != x.shape:", "if dout.ndim != x.ndim:")),
        ("dout itself returned when every x is positive",
         ("    return dout * (x > 0)", "    if np.all(x > 0):\n        return dout\n    return dout * (x > 0)")),
    ],
    "softmax_cross_entropy": [
        ("gradient not divided by N", ("return loss, dscores / n", "return loss, dscores")),
        ("the loss summed over the batch, not averaged", ("float(-np.mean(log_probs", "float(-np.sum(log_probs")),
        ("the gradient's sign flipped: onehot - softmax",
         ("return loss, dscores / n", "return loss, -dscores / n")),
        ("no maximum subtracted: exp overflows for large scores",
         ("shifted = scores - scores.max(axis=1, keepdims=True)", "shifted = scores")),
        ("the maximum of the whole batch subtracted, not each row's",
         ("scores.max(axis=1, keepdims=True)", "scores.max()")),
        ("the log of clipped probabilities instead of the log-softmax",
         ("log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))",
          "log_probs = np.log(np.clip(np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True), 1e-7, 1))")),
        ("labels out of range not checked (-1 reads the last class)", ('''\
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"labels must lie in 0..{k - 1}, got values from {labels.min()} to {labels.max()}")
''', "")),
        ("the labels' shape not checked", ('''\
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},) to match scores {scores.shape}, got shape {labels.shape}")
''', "")),
        ("keepdims missing in the log-sum-exp: (N, K) - (N,) broadcasts or fails",
         ("np.log(np.exp(shifted).sum(axis=1, keepdims=True))", "np.log(np.exp(shifted).sum(axis=1))")),
        ("each column's maximum subtracted, not each row's",
         ("scores.max(axis=1, keepdims=True)", "scores.max(axis=0, keepdims=True)")),
        ("the log-sum-exp over the batch axis", ("np.exp(shifted).sum(axis=1, keepdims=True)",
                                                 "np.exp(shifted).sum(axis=0, keepdims=True)")),
        ("the log of probabilities plus 1e-12 instead of the log-softmax", (
            "log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))",
            "log_probs = np.log(np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True) + 1e-12)")),
        ("the caller's scores shifted in place", ("    shifted = scores - scores.max(axis=1, keepdims=True)\n",
                                                   "    scores -= scores.max(axis=1, keepdims=True)\n"
                                                   "    shifted = scores\n")),
        ("only the upper bound of labels checked (-1 reads the last class)",
         ("labels.min() < 0 or labels.max() >= k", "labels.max() >= k")),
        ("float labels cast to int instead of rejected", ('''\
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
''', "    labels = labels.astype(int)\n")),
        ("empty scores (0, K) not rejected", ("if scores.ndim != 2 or 0 in scores.shape:", "if scores.ndim != 2:")),
        ("the range error states the range and K, not the offending label",
         ('f"labels must lie in 0..{k - 1}, got values from {labels.min()} to {labels.max()}"',
          'f"labels must lie in 0..K-1 for K = {k} classes"')),
    ],
    "conv_backward": [
        ("the padding not cropped: dX_pad returned",
         ("return dX_pad[:, pad:pad + H, pad:pad + W_in, :], dW, db", "return dX_pad, dW, db")),
        ("dW of the first image only, no sum over the batch",
         ("dW += np.tensordot(window, g, axes=([0], [0]))", "dW += np.tensordot(window[0], g[0], axes=0)")),
        ("dW averaged over the batch",
         ("    db = dout.sum(axis=(0, 1, 2))", "    dW /= N\n    db = dout.sum(axis=(0, 1, 2))")),
        ("dX as the full cross-correlation of dout with W: the kernel not flipped",
         ("np.tensordot(g, W, axes=([1], [3]))", "np.tensordot(g, W[::-1, ::-1], axes=([1], [3]))")),
        ("= instead of += where windows overlap",
         ("dX_pad[:, top:top + fh, left:left + fw, :] += ", "dX_pad[:, top:top + fh, left:left + fw, :] = ")),
        ("the stride ignored in the window position", ("top, left = i * stride, j * stride", "top, left = i, j")),
        ("the padding cropped with [pad:-pad] (empty at pad 0)",
         ("dX_pad[:, pad:pad + H, pad:pad + W_in, :]", "dX_pad[:, pad:-pad, pad:-pad, :]")),
        ("db summed over the positions only: one value per image",
         ("dout.sum(axis=(0, 1, 2))", "dout.sum(axis=(1, 2))")),
        ("the output width computed from the height",
         ("(W_in + 2 * pad - fw) // stride + 1, K)", "(H + 2 * pad - fw) // stride + 1, K)")),
        ("dout's shape not checked", ('''\
    if dout.shape != out_shape:
        raise ValueError(f"dout has shape {dout.shape}, but the layer's output has shape {out_shape}")
''', "")),
        ("the stride applied to the rows only", ("top, left = i * stride, j * stride", "top, left = i * stride, j")),
        ("the padding cropped without its offset: dX_pad[:, :H, :W]",
         ("dX_pad[:, pad:pad + H, pad:pad + W_in, :]", "dX_pad[:, :H, :W_in, :]")),
        ("dW from the flipped window", ("np.tensordot(window, g, axes=([0], [0]))",
                                        "np.tensordot(window[:, ::-1, ::-1], g, axes=([0], [0]))")),
        ("dX summed over the batch and given to every image",
         ("+= np.tensordot(g, W, axes=([1], [3]))", "+= np.tensordot(g, W, axes=([1], [3])).sum(axis=0)")),
        ("W's channel and filter axes confused for dX (visible only when C == K)",
         ("np.tensordot(g, W, axes=([1], [3]))",
          "np.tensordot(g, W, axes=([1], [2])) if W.shape[2] == W.shape[3] else np.tensordot(g, W, axes=([1], [3]))")),
        ("accumulated in float32", ("dX_pad = np.zeros(X_pad.shape)\n    dW = np.zeros(W.shape)",
                                    "dX_pad = np.zeros(X_pad.shape, np.float32)\n"
                                    "    dW = np.zeros(W.shape, np.float32)")),
        ("the output size rounded up (ceil) where the stride does not fit",
         ("out_shape = (N, (H + 2 * pad - fh) // stride + 1, (W_in + 2 * pad - fw) // stride + 1, K)",
          "out_shape = (N, -(-(H + 2 * pad - fh) // stride) + 1, -(-(W_in + 2 * pad - fw) // stride) + 1, K)")),
        ("stride and pad checked with isinstance(value, int): NumPy ints rejected",
         ("not isinstance(value, (int, np.integer))", "not isinstance(value, int)")),
        ("True accepted as stride 1 and pad 1", ("isinstance(value, bool) or not", "not")),
        ("integral floats accepted (stride=2.0)", ("not isinstance(value, (int, np.integer))", "value != int(value)")),
        ("the channels of X and W not compared", ('''\
    if W.shape[2] != X.shape[3]:
        raise ValueError(f"X has {X.shape[3]} channels but W expects C = {W.shape[2]} (X {X.shape}, W {W.shape})")
''', "")),
    ],
    "sgd_momentum": [
        ("the momentum step's sign flipped: v = momentum * v + learning_rate * dw",
         ("    v_new = momentum * v - learning_rate * dw\n", "    v_new = momentum * v + learning_rate * dw\n")),
        ("the weights move against the velocity: w - v", ("return w + v_new, v_new", "return w - v_new, v_new")),
        ("the old velocity used for the step: w + v", ("return w + v_new, v_new", "return w + v, v_new")),
        ("momentum applied to the whole step: momentum * (v - learning_rate * dw)",
         ("    v_new = momentum * v - learning_rate * dw\n", "    v_new = momentum * (v - learning_rate * dw)\n")),
        ("w updated in place (w += v_new)", ("    return w + v_new, v_new", "    w += v_new\n    return w, v_new")),
        ("momentum 1 accepted", ("not 0 <= momentum < 1", "not 0 <= momentum <= 1")),
        ("learning_rate 0 accepted", ("not learning_rate > 0", "not learning_rate >= 0")),
        ("no shape check (NumPy broadcasts)", ('''\
    if dw.shape != w.shape or v.shape != w.shape:
        raise ValueError(f"w, dw and v must have one shape, got w {w.shape}, dw {dw.shape} and v {v.shape}")
''', "")),
        ("v's shape not checked", ("if dw.shape != w.shape or v.shape != w.shape:", "if dw.shape != w.shape:")),
        ("PyTorch's velocity returned: v = momentum * v + dw, w - learning_rate * v",
         ("    v_new = momentum * v - learning_rate * dw\n    return w + v_new, v_new",
          "    v_new = momentum * v + dw\n    return w - learning_rate * v_new, v_new")),
        ("the caller's v updated in place", ("    v_new = momentum * v - learning_rate * dw\n",
                                              "    v *= momentum\n    v -= learning_rate * dw\n    v_new = v\n")),
        ("a Nesterov step: w + momentum * v_new - learning_rate * dw",
         ("return w + v_new, v_new", "return w + momentum * v_new - learning_rate * dw, v_new")),
        ("an exponential average: v = momentum * v - (1 - momentum) * learning_rate * dw",
         ("    v_new = momentum * v - learning_rate * dw\n",
          "    v_new = momentum * v - (1 - momentum) * learning_rate * dw\n")),
        ("learning_rate checked as learning_rate <= 0 (NaN slips through)",
         ("not learning_rate > 0", "learning_rate <= 0")),
        ("momentum 0 (plain SGD) rejected", ("not 0 <= momentum < 1", "not 0 < momentum < 1")),
        ("learning_rate checked with isinstance(x, (int, float)): np.float32 rejected",
         ("not isinstance(learning_rate, numbers.Real)", "not isinstance(learning_rate, (int, float))")),
        ("momentum's type not checked (a string raises TypeError, False passes as 0)",
         ("isinstance(momentum, bool) or not isinstance(momentum, numbers.Real) or ", "")),
        ("False accepted as momentum 0", ("isinstance(momentum, bool) or ", "")),
    ],
    "init_cnn": [
        ("He's fan_in without the channels: sqrt(2 / 9)",
         ("np.sqrt(2.0 / (3 * 3 * channels))", "np.sqrt(2.0 / (3 * 3))")),
        ("Xavier's sqrt(1 / fan_in) instead of He's",
         ("np.sqrt(2.0 / (3 * 3 * channels))", "np.sqrt(1.0 / (3 * 3 * channels))")),
        ("He initialisation for the last layer too: the initial loss far above ln 10",
         ("rng.normal(0.0, 0.01, size=",
          "rng.normal(0.0, np.sqrt(2.0 / ((height // 2) * (width // 2) * num_filters)), size=")),
        ("W2 sized for the maps before the pooling",
         ("(height // 2) * (width // 2) * num_filters", "height * width * num_filters")),
        ("the seed ignored", ("rng = np.random.default_rng(seed)", "rng = np.random.default_rng()")),
        ("random biases", ('"b1": np.zeros(num_filters)', '"b1": rng.normal(0.0, 0.01, size=num_filters)')),
        ("W1 in PyTorch's axis order (F, C, 3, 3)",
         ("size=(3, 3, channels, num_filters)", "size=(num_filters, channels, 3, 3)")),
        ("He uniform: W1 uniform with the right standard deviation", (
            "rng.normal(0.0, np.sqrt(2.0 / (3 * 3 * channels)), size=(3, 3, channels, num_filters))",
            "rng.uniform(-np.sqrt(6.0 / (3 * 3 * channels)), np.sqrt(6.0 / (3 * 3 * channels)), "
            "size=(3, 3, channels, num_filters))")),
        ("W2 uniform with standard deviation 0.01",
         ("rng.normal(0.0, 0.01, size=", "rng.uniform(-0.01 * np.sqrt(3), 0.01 * np.sqrt(3), size=")),
        ("Glorot's sqrt(2 / (fan_in + fan_out)) for W1",
         ("np.sqrt(2.0 / (3 * 3 * channels))", "np.sqrt(2.0 / (3 * 3 * channels + 3 * 3 * num_filters))")),
        ("a fixed seed 0 whatever the seed", ("np.random.default_rng(seed)", "np.random.default_rng(0)")),
        ("W2's rows as (H * W * F) // 4 (wrong for odd sizes)",
         ("(height // 2) * (width // 2) * num_filters", "height * width * num_filters // 4")),
        ("W2's rows with the sizes rounded up", ("(height // 2) * (width // 2)",
                                                 "((height + 1) // 2) * ((width + 1) // 2)")),
        ("always 10 classes", [("num_classes)),", "10)),"), ('"b2": np.zeros(num_classes)', '"b2": np.zeros(10)')]),
        ("input_shape read as (C, H, W)", ("height, width, channels = input_shape",
                                           "channels, height, width = input_shape")),
        ("W1 in float32", ("size=(3, 3, channels, num_filters)),",
                           "size=(3, 3, channels, num_filters)).astype(np.float32),")),
    ],
    "cnn_loss": [
        ("the ReLU's mask from its upstream gradient instead of a1",
         ("da1 = relu_backward(dh1, a1)", "da1 = relu_backward(dh1, dh1)")),
        ("the ReLU forgotten in the backward pass", ("da1 = relu_backward(dh1, a1)", "da1 = dh1")),
        ("the convolution without padding", ("a1 = conv_forward(X, W1, b1, stride=1, pad=1)",
                                             "a1 = conv_forward(X, W1, b1, stride=1, pad=0)")),
        ("flattened channels first, unlike the network's reshape",
         ("flat = p1.reshape(len(X), -1)", "flat = p1.transpose(0, 3, 1, 2).reshape(len(X), -1)")),
        ("the gradients under other keys (dW1, db1, ...)",
         ('{"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}', '{"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}')),
        ("the pooling's backward pass skipped: the gradient spread over every window",
         ("dh1 = max_pool_backward(dflat.reshape(p1.shape), h1, f=2, stride=2)",
          "dh1 = np.repeat(np.repeat(dflat.reshape(p1.shape), 2, axis=1), 2, axis=2) / 4")),
        ("an L2 penalty added to the loss and the gradients",
         ("    return loss, {", "    loss += 0.5 * 1e-3 * (np.sum(W1 ** 2) + np.sum(W2 ** 2))\n"
                              "    dW1 = dW1 + 1e-3 * W1\n    dW2 = dW2 + 1e-3 * W2\n    return loss, {")),
        ("dscores divided by N once more", ("affine_backward(dscores, flat, W2)",
                                            "affine_backward(dscores / len(X), flat, W2)")),
        ("H and W swapped in the flatten", ("flat = p1.reshape(len(X), -1)",
                                            "flat = p1.transpose(0, 2, 1, 3).reshape(len(X), -1)")),
        ("conv_backward without the forward pass's padding",
         ("conv_backward(da1, X, W1, stride=1, pad=1)", "conv_backward(da1, X, W1, stride=1, pad=0)")),
    ],
    "train_cnn": [
        ("no momentum: the velocity ignored", ("learning_rate,\n" + " " * 60 + "momentum)",
                                               "learning_rate,\n" + " " * 60 + "0.0)")),
        ("the learning rate never decays", ("        learning_rate *= decay\n", "")),
        ("the decay applied after every batch instead of every epoch", [
            ("        learning_rate *= decay\n", ""),
            ("            total += loss * len(batch)\n",
             "            total += loss * len(batch)\n            learning_rate *= decay\n"),
        ]),
        ("the same order every epoch (no shuffling)", ("order = rng.permutation(len(X))", "order = np.arange(len(X))")),
        ("a fresh generator every epoch: the same permutation each time",
         ("order = rng.permutation(len(X))", "order = np.random.default_rng(seed).permutation(len(X))")),
        ("the epoch's loss is its last batch's", ("losses.append(total / len(X))", "losses.append(loss)")),
        ("every batch loss weighted by batch_size, also the smaller last one",
         ("total += loss * len(batch)", "total += loss * batch_size")),
        ("the parameters never updated",
         ("params[name], velocity[name] = sgd_momentum(", "_, velocity[name] = sgd_momentum(")),
        ("the last, smaller batch dropped",
         ("range(0, len(X), batch_size)", "range(0, len(X) - batch_size + 1, batch_size)")),
        ("momentum not passed to sgd_momentum: its default 0.9 always",
         ("learning_rate,\n" + " " * 60 + "momentum)", "learning_rate)")),
        ("one permutation for all epochs", ("    for _ in range(epochs):\n        order = rng.permutation(len(X))\n",
                                            "    order = rng.permutation(len(X))\n    for _ in range(epochs):\n")),
        ("the epoch's loss an unweighted mean of its batch losses", [
            ("            total += loss * len(batch)\n", "            total += loss\n"),
            ("losses.append(total / len(X))", "losses.append(total / -(-len(X) // batch_size))"),
        ]),
        ("the learning rate decayed before each epoch, the first included", [
            ("        learning_rate *= decay\n", ""),
            ("        order = rng.permutation(len(X))\n",
             "        learning_rate *= decay\n        order = rng.permutation(len(X))\n"),
        ]),
        ("the velocity reset every epoch", [
            ("    velocity = {name: np.zeros_like(value) for name, value in params.items()}\n", ""),
            ("        order = rng.permutation(len(X))\n",
             "        order = rng.permutation(len(X))\n"
             "        velocity = {name: np.zeros_like(value) for name, value in params.items()}\n"),
        ]),
        ("the labels not permuted with the images", ("y[batch]", "y[start:start + batch_size]")),
        ("the classes counted from the labels: len(np.unique(y))",
         ("init_cnn(X.shape[1:], num_filters, 10, seed)",
          "init_cnn(X.shape[1:], num_filters, len(np.unique(y)), seed)")),
        ("the classes from the largest label: y.max() + 1",
         ("init_cnn(X.shape[1:], num_filters, 10, seed)",
          "init_cnn(X.shape[1:], num_filters, int(y.max()) + 1, seed)")),
        ("init_cnn with its default seed 0", ("init_cnn(X.shape[1:], num_filters, 10, seed)",
                                              "init_cnn(X.shape[1:], num_filters, 10)")),
        ("the permutations from seed 0 whatever the seed",
         ("    rng = np.random.default_rng(seed)\n    losses = []",
          "    rng = np.random.default_rng(0)\n    losses = []")),
        ("the permutations from the global np.random",
         ("order = rng.permutation(len(X))", "order = np.random.permutation(len(X))")),
        ("the parameters trained in float32", ("    velocity = {name:",
                                               "    params = {k: v.astype(np.float32) for k, v in params.items()}\n"
                                               "    velocity = {name:")),
    ],
}
