"""Plausible wrong implementations for lesson 05_batch_norm; each must lose its exercise's points.

Each mutant is ``(description, edits)``: one ``(old, new)`` replacement in the solution cell that defines the
exercise's function, or a list of them applied in order (see ``tests/mutation_harness.py``).
"""

#: One ``(old, new)`` replacement, or several applied in order.
Edits = tuple[str, str] | list[tuple[str, str]]

MUTANTS: dict[str, list[tuple[str, Edits]]] = {
    "batchnorm_forward": [
        ("unbiased variance (ddof=1)",
         ("batch_var = ((x - batch_mean) ** 2).mean(axis=0)", "batch_var = x.var(axis=0, ddof=1)")),
        ("statistics over axis=1 (one mean per example)", [
            ("batch_mean = x.mean(axis=0)", "batch_mean = x.mean(axis=1, keepdims=True)"),
            ("** 2).mean(axis=0)", "** 2).mean(axis=1, keepdims=True)"),
            ("return out, batch_mean, batch_var", "return out, batch_mean[:, 0], batch_var[:, 0]"),
        ]),
        ("statistics over all axes (one mean for the whole batch)", [
            ("batch_mean = x.mean(axis=0)", "batch_mean = np.full(D, x.mean())"),
            ("batch_var = ((x - batch_mean) ** 2).mean(axis=0)", "batch_var = np.full(D, x.var())"),
        ]),
        ("forgets gamma (the circulating formula x_hat + beta)",
         ("out = gamma * x_hat + beta", "out = x_hat + beta")),
        ("forgets beta", ("out = gamma * x_hat + beta", "out = gamma * x_hat")),
        ("eps outside the square root", ("np.sqrt(batch_var + eps)", "(np.sqrt(batch_var) + eps)")),
        ("eps omitted", ("""
    x_hat = (x - batch_mean) / np.sqrt(batch_var + eps)""", """
    with np.errstate(all="ignore"):
        x_hat = (x - batch_mean) / np.sqrt(batch_var)""")),
        ("returns the standard deviation instead of the variance",
         ("return out, batch_mean, batch_var", "return out, batch_mean, np.sqrt(batch_var)")),
        ("ignores the eps argument (always 1e-3)", ("np.sqrt(batch_var + eps)", "np.sqrt(batch_var + 1e-3)")),
        ("returns only out", ("return out, batch_mean, batch_var", "return out")),
        ("no validation of gamma and beta (a (1, D) beta broadcasts)", ("""
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (D,):
            raise ValueError(f"{name} must have shape ({D},) for x of shape {x.shape}, got shape {np.shape(value)}")""",
                                                                         "")),
        ("checks only the length of gamma and beta", ("if np.shape(value) != (D,):", "if len(value) != D:")),
        ("no check that x is 2-D", [
            ("""
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")""", ""),
            ("D = x.shape[1]", "D = x.shape[-1]"),
        ]),
    ],
    "batchnorm_forward_conv": [
        ("statistics over H and W only (one mean per image: instance normalization)", [
            ("batch_mean = x.mean(axis=(0, 1, 2))", "batch_mean = x.mean(axis=(1, 2), keepdims=True)"),
            ("** 2).mean(axis=(0, 1, 2))", "** 2).mean(axis=(1, 2), keepdims=True)"),
            ("return out, batch_mean, batch_var", "return out, batch_mean[:, 0, 0], batch_var[:, 0, 0]"),
        ]),
        ("statistics over all axes", [
            ("batch_mean = x.mean(axis=(0, 1, 2))", "batch_mean = np.full(C, x.mean())"),
            ("batch_var = ((x - batch_mean) ** 2).mean(axis=(0, 1, 2))", "batch_var = np.full(C, x.var())"),
        ]),
        ("statistics over the batch axis only (one mean per position and channel)", [
            ("batch_mean = x.mean(axis=(0, 1, 2))", "batch_mean = x.mean(axis=0)"),
            ("** 2).mean(axis=(0, 1, 2))", "** 2).mean(axis=0)"),
        ]),
        ("unbiased variance (ddof=1)",
         ("batch_var = ((x - batch_mean) ** 2).mean(axis=(0, 1, 2))", "batch_var = x.var(axis=(0, 1, 2), ddof=1)")),
        ("forgets gamma", ("out = gamma * (x - batch_mean)", "out = (x - batch_mean)")),
        ("forgets beta", ("np.sqrt(batch_var + eps) + beta", "np.sqrt(batch_var + eps)")),
        ("eps outside the square root", ("np.sqrt(batch_var + eps)", "(np.sqrt(batch_var) + eps)")),
        ("eps omitted", ("np.sqrt(batch_var + eps)", "np.sqrt(batch_var)")),
        ("returns the standard deviation instead of the variance",
         ("return out, batch_mean, batch_var", "return out, batch_mean, np.sqrt(batch_var)")),
        ("returns only out", ("return out, batch_mean, batch_var", "return out")),
        ("channels-first thinking: statistics per axis 1 (rows)", [
            ("batch_mean = x.mean(axis=(0, 1, 2))", "batch_mean = x.mean(axis=(0, 2, 3), keepdims=True)"),
            ("** 2).mean(axis=(0, 1, 2))", "** 2).mean(axis=(0, 2, 3), keepdims=True)"),
            ("return out, batch_mean, batch_var", "return out, batch_mean.ravel(), batch_var.ravel()"),
        ]),
        ("no check that x is 4-D", [
            ("""
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, H, W, C), got shape {x.shape}")""", """
    axes = tuple(range(x.ndim - 1))"""),
            ("batch_mean = x.mean(axis=(0, 1, 2))", "batch_mean = x.mean(axis=axes)"),
            ("** 2).mean(axis=(0, 1, 2))", "** 2).mean(axis=axes)"),
        ]),
        ("no validation of gamma and beta", ("""
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (C,):
            raise ValueError(f"{name} must have shape ({C},) for x of shape {x.shape}, got shape {np.shape(value)}")""",
                                             "")),
        ("checks only the length of gamma and beta (a (C, 1) gamma passes)", [
            ("if np.shape(value) != (C,):", "if len(value) != C:"),
            ("out = gamma * (x - batch_mean) / np.sqrt(batch_var + eps) + beta",
             "out = np.reshape(gamma, -1) * (x - batch_mean) / np.sqrt(batch_var + eps) + np.reshape(beta, -1)"),
        ]),
    ],
    "update_moving": [
        ("momentum convention flipped: moving * (1 - m) + batch * m",
         ("return np.asarray(moving) * momentum + np.asarray(batch_value) * (1.0 - momentum)",
          "return np.asarray(moving) * (1.0 - momentum) + np.asarray(batch_value) * momentum")),
        ("momentum ignored: keeps only the batch value",
         ("return np.asarray(moving) * momentum + np.asarray(batch_value) * (1.0 - momentum)",
          "return np.array(batch_value, dtype=float)")),
        ("a plain average of the two",
         ("return np.asarray(moving) * momentum + np.asarray(batch_value) * (1.0 - momentum)",
          "return (np.asarray(moving) + np.asarray(batch_value)) / 2")),
        ("updates moving in place", ("""
    return np.asarray(moving) * momentum + np.asarray(batch_value) * (1.0 - momentum)""", """
    moving *= momentum
    moving += batch_value * (1.0 - momentum)
    return moving""")),
        ("no momentum check", ("""
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f"momentum must be in [0, 1], got momentum={momentum!r}")""", "")),
        ("rejects momentum 0 and 1 (open interval)", ("0.0 <= momentum <= 1.0", "0.0 < momentum < 1.0")),
        ("accepts a percentage: momentum up to 100", ("""
    if not 0.0 <= momentum <= 1.0:""", """
    if momentum > 1:
        momentum = momentum / 100
    if not 0.0 <= momentum <= 1.0:""")),
        ("no shape check (broadcasts)", ("""
    if np.shape(moving) != np.shape(batch_value):
        raise ValueError(f"moving and batch_value must have the same shape, got moving {np.shape(moving)} "
                         f"and batch_value {np.shape(batch_value)}")""", "")),
        ("shape message without the shapes", ("""
        raise ValueError(f"moving and batch_value must have the same shape, got moving {np.shape(moving)} "
                         f"and batch_value {np.shape(batch_value)}")""", """
        raise ValueError("moving and batch_value must have the same shape")""")),
        ("returns moving itself when momentum == 1", ("""
    return np.asarray(moving) * momentum""", """
    if momentum == 1:
        return moving
    return np.asarray(moving) * momentum""")),
        ("returns batch_value itself when momentum == 0", ("""
    return np.asarray(moving) * momentum""", """
    if momentum == 0:
        return batch_value
    return np.asarray(moving) * momentum""")),
    ],
    "batchnorm_inference": [
        ("uses the batch statistics instead of the moving ones", ("""
    return gamma * (x - moving_mean) / np.sqrt(moving_var + eps) + beta""", """
    axes = tuple(range(x.ndim - 1))
    return gamma * (x - x.mean(axis=axes)) / np.sqrt(x.var(axis=axes) + eps) + beta""")),
        ("eps outside the square root", ("np.sqrt(moving_var + eps)", "(np.sqrt(moving_var) + eps)")),
        ("eps omitted", ("np.sqrt(moving_var + eps)", "np.sqrt(moving_var)")),
        ("divides by the variance, not its square root", ("np.sqrt(moving_var + eps)", "(moving_var + eps)")),
        ("forgets gamma", ("return gamma * (x - moving_mean)", "return (x - moving_mean)")),
        ("forgets beta", ("np.sqrt(moving_var + eps) + beta", "np.sqrt(moving_var + eps)")),
        ("only works for (N, D): rejects feature maps", ("if x.ndim not in (2, 4):", "if x.ndim != 2:")),
        ("ignores the eps argument (always 1e-3)", ("np.sqrt(moving_var + eps)", "np.sqrt(moving_var + 1e-3)")),
        ("swaps moving_mean and moving_var",
         ("(x - moving_mean) / np.sqrt(moving_var + eps)", "(x - moving_var) / np.sqrt(np.abs(moving_mean) + eps)")),
        ("no validation of the (C,) arrays", ("""
    arguments = {"gamma": gamma, "beta": beta, "moving_mean": moving_mean, "moving_var": moving_var}
    for name, value in arguments.items():
        if np.shape(value) != (C,):
            raise ValueError(f"{name} must have shape ({C},) for x of shape {x.shape}, got shape {np.shape(value)}")""",
                                              "")),
        ("validates gamma and beta but not the moving statistics",
         (', "moving_mean": moving_mean, "moving_var": moving_var}', "}")),
        ("checks only that x has at least 2 axes (a 3-D or 5-D x passes)",
         ("if x.ndim not in (2, 4):", "if x.ndim < 2:")),
    ],
    "batchnorm_backward": [
        ("dx missing the mean terms (only dout * gamma / sigma)",
         ("dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))", "dx = inv_std * g")),
        ("dx keeps the mean term but drops the variance term", (" - x_hat * (g * x_hat).mean(axis=0)", "")),
        ("dgamma without x_hat (sum of dout)",
         ("dgamma = (dout * x_hat).sum(axis=0)", "dgamma = dout.sum(axis=0)")),
        ("dgamma uses x instead of x_hat", ("dgamma = (dout * x_hat)", "dgamma = (dout * x)")),
        ("dbeta summed over the wrong axis (axis=1)", ("dbeta = dout.sum(axis=0)", "dbeta = dout.sum(axis=1)")),
        ("dbeta and dgamma averaged instead of summed", [
            ("dbeta = dout.sum(axis=0)", "dbeta = dout.mean(axis=0)"),
            ("dgamma = (dout * x_hat).sum(axis=0)", "dgamma = (dout * x_hat).mean(axis=0)"),
        ]),
        ("dx without gamma", ("g = dout * gamma\n", "g = dout\n")),
        ("unbiased variance (ddof=1) in the recomputed statistics",
         ("np.sqrt(((x - mu) ** 2).mean(axis=0) + eps)", "np.sqrt(x.var(axis=0, ddof=1) + eps)")),
        ("eps omitted", ("** 2).mean(axis=0) + eps)", "** 2).mean(axis=0))")),
        ("returns (dx, dbeta, dgamma) in the wrong order", ("return dx, dgamma, dbeta", "return dx, dbeta, dgamma")),
        ("no check of the shape of dout", ("""
    if dout.shape != x.shape:
        raise ValueError(f"dout must have the shape of x, got dout {dout.shape} and x {x.shape}")""", "")),
        ("no check of the shape of gamma", (
            "\n    if np.shape(gamma) != (x.shape[1],):"
            '\n        raise ValueError(f"gamma must have shape ({x.shape[1]},) for x of shape {x.shape}, '
            'got shape {np.shape(gamma)}")', "")),
        ("checks dout before x (a 1-D x is reported as a bad dout, without naming x)", ("""
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    if dout.shape != x.shape:
        raise ValueError(f"dout must have the shape of x, got dout {dout.shape} and x {x.shape}")""", """
    if dout.ndim != 2:
        raise ValueError(f"dout must be 2-D (N, D), got shape {dout.shape}")
    if x.shape != dout.shape:
        raise ValueError(f"the input must have the shape of dout {dout.shape}, got {x.shape}")""")),
        ("checks only that x has at least 2 axes (a 3-D x passes)", ("if x.ndim != 2:", "if x.ndim < 2:")),
    ],
}
