"""Plausible wrong implementations for lesson 05_batch_norm; each must lose its exercise's points."""

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "batchnorm_forward": [
        ("unbiased variance (ddof=1)", '''
def batchnorm_forward(x, gamma, beta, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[1],):
            raise ValueError(f"{name} must be ({x.shape[1]},), got shape {np.shape(value)}")
    mean = x.mean(axis=0)
    var = x.var(axis=0, ddof=1)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, mean, var
'''),
        ("statistics over axis=1 (one mean per example)", '''
def batchnorm_forward(x, gamma, beta, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[1],):
            raise ValueError(f"{name} must be ({x.shape[1]},), got shape {np.shape(value)}")
    mean = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, mean[:, 0], var[:, 0]
'''),
        ("statistics over all axes (one mean for the whole batch)", '''
def batchnorm_forward(x, gamma, beta, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[1],):
            raise ValueError(f"{name} must be ({x.shape[1]},), got shape {np.shape(value)}")
    mean = np.full(x.shape[1], x.mean())
    var = np.full(x.shape[1], x.var())
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, mean, var
'''),
        ("forgets gamma (the circulating formula x_hat + beta)", '''
def batchnorm_forward(x, gamma, beta, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[1],):
            raise ValueError(f"{name} must be ({x.shape[1]},), got shape {np.shape(value)}")
    mean, var = x.mean(axis=0), x.var(axis=0)
    return (x - mean) / np.sqrt(var + eps) + beta, mean, var
'''),
        ("forgets beta", '''
def batchnorm_forward(x, gamma, beta, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[1],):
            raise ValueError(f"{name} must be ({x.shape[1]},), got shape {np.shape(value)}")
    mean, var = x.mean(axis=0), x.var(axis=0)
    return gamma * (x - mean) / np.sqrt(var + eps), mean, var
'''),
        ("eps outside the square root", '''
def batchnorm_forward(x, gamma, beta, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[1],):
            raise ValueError(f"{name} must be ({x.shape[1]},), got shape {np.shape(value)}")
    mean, var = x.mean(axis=0), x.var(axis=0)
    return gamma * (x - mean) / (np.sqrt(var) + eps) + beta, mean, var
'''),
        ("eps omitted", '''
def batchnorm_forward(x, gamma, beta, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[1],):
            raise ValueError(f"{name} must be ({x.shape[1]},), got shape {np.shape(value)}")
    mean, var = x.mean(axis=0), x.var(axis=0)
    with np.errstate(all="ignore"):
        return gamma * (x - mean) / np.sqrt(var) + beta, mean, var
'''),
        ("returns the standard deviation instead of the variance", '''
def batchnorm_forward(x, gamma, beta, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[1],):
            raise ValueError(f"{name} must be ({x.shape[1]},), got shape {np.shape(value)}")
    mean, var = x.mean(axis=0), x.var(axis=0)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, mean, np.sqrt(var)
'''),
        ("ignores the eps argument (always 1e-3)", '''
def batchnorm_forward(x, gamma, beta, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[1],):
            raise ValueError(f"{name} must be ({x.shape[1]},), got shape {np.shape(value)}")
    mean, var = x.mean(axis=0), x.var(axis=0)
    return gamma * (x - mean) / np.sqrt(var + 1e-3) + beta, mean, var
'''),
        ("returns only out", '''
def batchnorm_forward(x, gamma, beta, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[1],):
            raise ValueError(f"{name} must be ({x.shape[1]},), got shape {np.shape(value)}")
    mean, var = x.mean(axis=0), x.var(axis=0)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta
'''),
        ("no validation of gamma and beta (a (1, D) beta broadcasts)", '''
def batchnorm_forward(x, gamma, beta, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    mean, var = x.mean(axis=0), x.var(axis=0)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, mean, var
'''),
        ("checks only the length of gamma and beta", '''
def batchnorm_forward(x, gamma, beta, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if len(value) != x.shape[1]:
            raise ValueError(f"{name} must have length {x.shape[1]}, got shape {np.shape(value)}")
    mean, var = x.mean(axis=0), x.var(axis=0)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, mean, var
'''),
        ("no check that x is 2-D", '''
def batchnorm_forward(x, gamma, beta, eps=1e-3):
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    mean, var = x.mean(axis=0), x.var(axis=0)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, mean, var
'''),
    ],
    "batchnorm_forward_conv": [
        ("statistics over H and W only (one mean per image: instance normalization)", '''
def batchnorm_forward_conv(x, gamma, beta, eps=1e-3):
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, mean[:, 0, 0], var[:, 0, 0]
'''),
        ("statistics over all axes", '''
def batchnorm_forward_conv(x, gamma, beta, eps=1e-3):
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    C = x.shape[-1]
    mean, var = np.full(C, x.mean()), np.full(C, x.var())
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, mean, var
'''),
        ("statistics over the batch axis only (one mean per position and channel)", '''
def batchnorm_forward_conv(x, gamma, beta, eps=1e-3):
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    mean, var = x.mean(axis=0), x.var(axis=0)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, mean, var
'''),
        ("unbiased variance (ddof=1)", '''
def batchnorm_forward_conv(x, gamma, beta, eps=1e-3):
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2), ddof=1)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, mean, var
'''),
        ("forgets gamma", '''
def batchnorm_forward_conv(x, gamma, beta, eps=1e-3):
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    return (x - mean) / np.sqrt(var + eps) + beta, mean, var
'''),
        ("forgets beta", '''
def batchnorm_forward_conv(x, gamma, beta, eps=1e-3):
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    return gamma * (x - mean) / np.sqrt(var + eps), mean, var
'''),
        ("eps outside the square root", '''
def batchnorm_forward_conv(x, gamma, beta, eps=1e-3):
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    return gamma * (x - mean) / (np.sqrt(var) + eps) + beta, mean, var
'''),
        ("eps omitted", '''
def batchnorm_forward_conv(x, gamma, beta, eps=1e-3):
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    return gamma * (x - mean) / np.sqrt(var) + beta, mean, var
'''),
        ("returns the standard deviation instead of the variance", '''
def batchnorm_forward_conv(x, gamma, beta, eps=1e-3):
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, mean, np.sqrt(var)
'''),
        ("returns only out", '''
def batchnorm_forward_conv(x, gamma, beta, eps=1e-3):
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    return gamma * (x - mean) / np.sqrt(var + eps) + beta
'''),
        ("channels-first thinking: statistics per axis 1 (rows)", '''
def batchnorm_forward_conv(x, gamma, beta, eps=1e-3):
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, mean.ravel(), var.ravel()
'''),
        ("no check that x is 4-D", '''
def batchnorm_forward_conv(x, gamma, beta, eps=1e-3):
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    axes = tuple(range(x.ndim - 1))
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, mean, var
'''),
        ("no validation of gamma and beta", '''
def batchnorm_forward_conv(x, gamma, beta, eps=1e-3):
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, H, W, C), got shape {x.shape}")
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, mean, var
'''),
        ("checks only the length of gamma and beta (a (C, 1) gamma passes)", '''
def batchnorm_forward_conv(x, gamma, beta, eps=1e-3):
    if x.ndim != 4:
        raise ValueError(f"x must be 4-D (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if len(value) != x.shape[-1]:
            raise ValueError(f"{name} must have length {x.shape[-1]}, got shape {np.shape(value)}")
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    return np.reshape(gamma, -1) * (x - mean) / np.sqrt(var + eps) + np.reshape(beta, -1), mean, var
'''),
    ],
    "update_moving": [
        ("momentum convention flipped: moving * (1 - m) + batch * m", '''
def update_moving(moving, batch_value, momentum=0.99):
    if not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be in [0, 1], got {momentum}")
    if np.shape(moving) != np.shape(batch_value):
        raise ValueError(f"moving {np.shape(moving)} and batch_value {np.shape(batch_value)} differ")
    return np.asarray(moving) * (1 - momentum) + np.asarray(batch_value) * momentum
'''),
        ("momentum ignored: keeps only the batch value", '''
def update_moving(moving, batch_value, momentum=0.99):
    if not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be in [0, 1], got {momentum}")
    if np.shape(moving) != np.shape(batch_value):
        raise ValueError(f"moving {np.shape(moving)} and batch_value {np.shape(batch_value)} differ")
    return np.array(batch_value, dtype=float)
'''),
        ("a plain average of the two", '''
def update_moving(moving, batch_value, momentum=0.99):
    if not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be in [0, 1], got {momentum}")
    if np.shape(moving) != np.shape(batch_value):
        raise ValueError(f"moving {np.shape(moving)} and batch_value {np.shape(batch_value)} differ")
    return (np.asarray(moving) + np.asarray(batch_value)) / 2
'''),
        ("updates moving in place", '''
def update_moving(moving, batch_value, momentum=0.99):
    if not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be in [0, 1], got {momentum}")
    if np.shape(moving) != np.shape(batch_value):
        raise ValueError(f"moving {np.shape(moving)} and batch_value {np.shape(batch_value)} differ")
    moving *= momentum
    moving += batch_value * (1 - momentum)
    return moving
'''),
        ("no momentum check", '''
def update_moving(moving, batch_value, momentum=0.99):
    if np.shape(moving) != np.shape(batch_value):
        raise ValueError(f"moving {np.shape(moving)} and batch_value {np.shape(batch_value)} differ")
    return np.asarray(moving) * momentum + np.asarray(batch_value) * (1 - momentum)
'''),
        ("rejects momentum 0 and 1 (open interval)", '''
def update_moving(moving, batch_value, momentum=0.99):
    if not 0 < momentum < 1:
        raise ValueError(f"momentum must be in (0, 1), got {momentum}")
    if np.shape(moving) != np.shape(batch_value):
        raise ValueError(f"moving {np.shape(moving)} and batch_value {np.shape(batch_value)} differ")
    return np.asarray(moving) * momentum + np.asarray(batch_value) * (1 - momentum)
'''),
        ("accepts a percentage: momentum up to 100", '''
def update_moving(moving, batch_value, momentum=0.99):
    if momentum > 1:
        momentum = momentum / 100
    if not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be in [0, 1], got {momentum}")
    if np.shape(moving) != np.shape(batch_value):
        raise ValueError(f"moving {np.shape(moving)} and batch_value {np.shape(batch_value)} differ")
    return np.asarray(moving) * momentum + np.asarray(batch_value) * (1 - momentum)
'''),
        ("no shape check (broadcasts)", '''
def update_moving(moving, batch_value, momentum=0.99):
    if not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be in [0, 1], got {momentum}")
    return np.asarray(moving) * momentum + np.asarray(batch_value) * (1 - momentum)
'''),
        ("shape message without the shapes", '''
def update_moving(moving, batch_value, momentum=0.99):
    if not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be in [0, 1], got {momentum}")
    if np.shape(moving) != np.shape(batch_value):
        raise ValueError("moving and batch_value must have the same shape")
    return np.asarray(moving) * momentum + np.asarray(batch_value) * (1 - momentum)
'''),
        ("returns moving itself when momentum == 1", '''
def update_moving(moving, batch_value, momentum=0.99):
    if not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be in [0, 1], got {momentum}")
    if np.shape(moving) != np.shape(batch_value):
        raise ValueError(f"moving {np.shape(moving)} and batch_value {np.shape(batch_value)} differ")
    if momentum == 1:
        return moving
    return np.asarray(moving) * momentum + np.asarray(batch_value) * (1 - momentum)
'''),
        ("returns batch_value itself when momentum == 0", '''
def update_moving(moving, batch_value, momentum=0.99):
    if not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be in [0, 1], got {momentum}")
    if np.shape(moving) != np.shape(batch_value):
        raise ValueError(f"moving {np.shape(moving)} and batch_value {np.shape(batch_value)} differ")
    if momentum == 0:
        return batch_value
    return np.asarray(moving) * momentum + np.asarray(batch_value) * (1 - momentum)
'''),
    ],
    "batchnorm_inference": [
        ("uses the batch statistics instead of the moving ones", '''
def batchnorm_inference(x, gamma, beta, moving_mean, moving_var, eps=1e-3):
    if x.ndim not in (2, 4):
        raise ValueError(f"x must be (N, D) or (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta), ("moving_mean", moving_mean), ("moving_var", moving_var)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    axes = tuple(range(x.ndim - 1))
    return gamma * (x - x.mean(axis=axes)) / np.sqrt(x.var(axis=axes) + eps) + beta
'''),
        ("eps outside the square root", '''
def batchnorm_inference(x, gamma, beta, moving_mean, moving_var, eps=1e-3):
    if x.ndim not in (2, 4):
        raise ValueError(f"x must be (N, D) or (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta), ("moving_mean", moving_mean), ("moving_var", moving_var)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    return gamma * (x - moving_mean) / (np.sqrt(moving_var) + eps) + beta
'''),
        ("eps omitted", '''
def batchnorm_inference(x, gamma, beta, moving_mean, moving_var, eps=1e-3):
    if x.ndim not in (2, 4):
        raise ValueError(f"x must be (N, D) or (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta), ("moving_mean", moving_mean), ("moving_var", moving_var)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    return gamma * (x - moving_mean) / np.sqrt(moving_var) + beta
'''),
        ("divides by the variance, not its square root", '''
def batchnorm_inference(x, gamma, beta, moving_mean, moving_var, eps=1e-3):
    if x.ndim not in (2, 4):
        raise ValueError(f"x must be (N, D) or (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta), ("moving_mean", moving_mean), ("moving_var", moving_var)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    return gamma * (x - moving_mean) / (moving_var + eps) + beta
'''),
        ("forgets gamma", '''
def batchnorm_inference(x, gamma, beta, moving_mean, moving_var, eps=1e-3):
    if x.ndim not in (2, 4):
        raise ValueError(f"x must be (N, D) or (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta), ("moving_mean", moving_mean), ("moving_var", moving_var)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    return (x - moving_mean) / np.sqrt(moving_var + eps) + beta
'''),
        ("forgets beta", '''
def batchnorm_inference(x, gamma, beta, moving_mean, moving_var, eps=1e-3):
    if x.ndim not in (2, 4):
        raise ValueError(f"x must be (N, D) or (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta), ("moving_mean", moving_mean), ("moving_var", moving_var)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    return gamma * (x - moving_mean) / np.sqrt(moving_var + eps)
'''),
        ("only works for (N, D): rejects feature maps", '''
def batchnorm_inference(x, gamma, beta, moving_mean, moving_var, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be (N, D), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta), ("moving_mean", moving_mean), ("moving_var", moving_var)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    return gamma * (x - moving_mean) / np.sqrt(moving_var + eps) + beta
'''),
        ("ignores the eps argument (always 1e-3)", '''
def batchnorm_inference(x, gamma, beta, moving_mean, moving_var, eps=1e-3):
    if x.ndim not in (2, 4):
        raise ValueError(f"x must be (N, D) or (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta), ("moving_mean", moving_mean), ("moving_var", moving_var)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    return gamma * (x - moving_mean) / np.sqrt(moving_var + 1e-3) + beta
'''),
        ("swaps moving_mean and moving_var", '''
def batchnorm_inference(x, gamma, beta, moving_mean, moving_var, eps=1e-3):
    if x.ndim not in (2, 4):
        raise ValueError(f"x must be (N, D) or (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta), ("moving_mean", moving_mean), ("moving_var", moving_var)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    with np.errstate(all="ignore"):
        return gamma * (x - moving_var) / np.sqrt(np.abs(moving_mean) + eps) + beta
'''),
        ("no validation of the (C,) arrays", '''
def batchnorm_inference(x, gamma, beta, moving_mean, moving_var, eps=1e-3):
    if x.ndim not in (2, 4):
        raise ValueError(f"x must be (N, D) or (N, H, W, C), got shape {x.shape}")
    return gamma * (x - moving_mean) / np.sqrt(moving_var + eps) + beta
'''),
        ("validates gamma and beta but not the moving statistics", '''
def batchnorm_inference(x, gamma, beta, moving_mean, moving_var, eps=1e-3):
    if x.ndim not in (2, 4):
        raise ValueError(f"x must be (N, D) or (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    return gamma * (x - moving_mean) / np.sqrt(moving_var + eps) + beta
'''),
        ("checks only that x has at least 2 axes (a 3-D or 5-D x passes)", '''
def batchnorm_inference(x, gamma, beta, moving_mean, moving_var, eps=1e-3):
    if x.ndim < 2:
        raise ValueError(f"x must be (N, D) or (N, H, W, C), got shape {x.shape}")
    for name, value in (("gamma", gamma), ("beta", beta), ("moving_mean", moving_mean), ("moving_var", moving_var)):
        if np.shape(value) != (x.shape[-1],):
            raise ValueError(f"{name} must be ({x.shape[-1]},), got shape {np.shape(value)}")
    return gamma * (x - moving_mean) / np.sqrt(moving_var + eps) + beta
'''),
    ],
    "batchnorm_backward": [
        ("dx missing the mean terms (only dout * gamma / sigma)", '''
def batchnorm_backward(dout, x, gamma, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    if dout.shape != x.shape:
        raise ValueError(f"dout must have the shape of x, got dout {dout.shape} and x {x.shape}")
    if np.shape(gamma) != (x.shape[1],):
        raise ValueError(f"gamma must be ({x.shape[1]},), got shape {np.shape(gamma)}")
    inv_std = 1 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    return dout * gamma * inv_std, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
        ("dx keeps the mean term but drops the variance term", '''
def batchnorm_backward(dout, x, gamma, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    if dout.shape != x.shape:
        raise ValueError(f"dout must have the shape of x, got dout {dout.shape} and x {x.shape}")
    if np.shape(gamma) != (x.shape[1],):
        raise ValueError(f"gamma must be ({x.shape[1]},), got shape {np.shape(gamma)}")
    inv_std = 1 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    g = dout * gamma
    return inv_std * (g - g.mean(axis=0)), (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
        ("dgamma without x_hat (sum of dout)", '''
def batchnorm_backward(dout, x, gamma, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    if dout.shape != x.shape:
        raise ValueError(f"dout must have the shape of x, got dout {dout.shape} and x {x.shape}")
    if np.shape(gamma) != (x.shape[1],):
        raise ValueError(f"gamma must be ({x.shape[1]},), got shape {np.shape(gamma)}")
    inv_std = 1 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    g = dout * gamma
    dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return dx, dout.sum(axis=0), dout.sum(axis=0)
'''),
        ("dgamma uses x instead of x_hat", '''
def batchnorm_backward(dout, x, gamma, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    if dout.shape != x.shape:
        raise ValueError(f"dout must have the shape of x, got dout {dout.shape} and x {x.shape}")
    if np.shape(gamma) != (x.shape[1],):
        raise ValueError(f"gamma must be ({x.shape[1]},), got shape {np.shape(gamma)}")
    inv_std = 1 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    g = dout * gamma
    dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return dx, (dout * x).sum(axis=0), dout.sum(axis=0)
'''),
        ("dbeta summed over the wrong axis (axis=1)", '''
def batchnorm_backward(dout, x, gamma, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    if dout.shape != x.shape:
        raise ValueError(f"dout must have the shape of x, got dout {dout.shape} and x {x.shape}")
    if np.shape(gamma) != (x.shape[1],):
        raise ValueError(f"gamma must be ({x.shape[1]},), got shape {np.shape(gamma)}")
    inv_std = 1 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    g = dout * gamma
    dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=1)
'''),
        ("dbeta and dgamma averaged instead of summed", '''
def batchnorm_backward(dout, x, gamma, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    if dout.shape != x.shape:
        raise ValueError(f"dout must have the shape of x, got dout {dout.shape} and x {x.shape}")
    if np.shape(gamma) != (x.shape[1],):
        raise ValueError(f"gamma must be ({x.shape[1]},), got shape {np.shape(gamma)}")
    inv_std = 1 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    g = dout * gamma
    dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return dx, (dout * x_hat).mean(axis=0), dout.mean(axis=0)
'''),
        ("dx without gamma", '''
def batchnorm_backward(dout, x, gamma, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    if dout.shape != x.shape:
        raise ValueError(f"dout must have the shape of x, got dout {dout.shape} and x {x.shape}")
    if np.shape(gamma) != (x.shape[1],):
        raise ValueError(f"gamma must be ({x.shape[1]},), got shape {np.shape(gamma)}")
    inv_std = 1 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    g = dout
    dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
        ("unbiased variance (ddof=1) in the recomputed statistics", '''
def batchnorm_backward(dout, x, gamma, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    if dout.shape != x.shape:
        raise ValueError(f"dout must have the shape of x, got dout {dout.shape} and x {x.shape}")
    if np.shape(gamma) != (x.shape[1],):
        raise ValueError(f"gamma must be ({x.shape[1]},), got shape {np.shape(gamma)}")
    inv_std = 1 / np.sqrt(x.var(axis=0, ddof=1) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    g = dout * gamma
    dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
        ("eps omitted", '''
def batchnorm_backward(dout, x, gamma, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    if dout.shape != x.shape:
        raise ValueError(f"dout must have the shape of x, got dout {dout.shape} and x {x.shape}")
    if np.shape(gamma) != (x.shape[1],):
        raise ValueError(f"gamma must be ({x.shape[1]},), got shape {np.shape(gamma)}")
    inv_std = 1 / np.sqrt(x.var(axis=0))
    x_hat = (x - x.mean(axis=0)) * inv_std
    g = dout * gamma
    dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
        ("returns (dx, dbeta, dgamma) in the wrong order", '''
def batchnorm_backward(dout, x, gamma, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    if dout.shape != x.shape:
        raise ValueError(f"dout must have the shape of x, got dout {dout.shape} and x {x.shape}")
    if np.shape(gamma) != (x.shape[1],):
        raise ValueError(f"gamma must be ({x.shape[1]},), got shape {np.shape(gamma)}")
    inv_std = 1 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    g = dout * gamma
    dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return dx, dout.sum(axis=0), (dout * x_hat).sum(axis=0)
'''),
        ("no check of the shape of dout", '''
def batchnorm_backward(dout, x, gamma, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    if np.shape(gamma) != (x.shape[1],):
        raise ValueError(f"gamma must be ({x.shape[1]},), got shape {np.shape(gamma)}")
    inv_std = 1 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    g = dout * gamma
    dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
        ("no check of the shape of gamma", '''
def batchnorm_backward(dout, x, gamma, eps=1e-3):
    if x.ndim != 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    if dout.shape != x.shape:
        raise ValueError(f"dout must have the shape of x, got dout {dout.shape} and x {x.shape}")
    inv_std = 1 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    g = dout * gamma
    dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
        ("checks dout before x (a 1-D x is reported as a bad dout, without naming x)", '''
def batchnorm_backward(dout, x, gamma, eps=1e-3):
    if dout.ndim != 2:
        raise ValueError(f"dout must be 2-D (N, D), got shape {dout.shape}")
    if x.shape != dout.shape:
        raise ValueError(f"the input must have the shape of dout {dout.shape}, got {x.shape}")
    if np.shape(gamma) != (x.shape[1],):
        raise ValueError(f"gamma must be ({x.shape[1]},), got shape {np.shape(gamma)}")
    inv_std = 1 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    g = dout * gamma
    dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
        ("checks only that x has at least 2 axes (a 3-D x passes)", '''
def batchnorm_backward(dout, x, gamma, eps=1e-3):
    if x.ndim < 2:
        raise ValueError(f"x must be 2-D (N, D), got shape {x.shape}")
    if dout.shape != x.shape:
        raise ValueError(f"dout must have the shape of x, got dout {dout.shape} and x {x.shape}")
    if np.shape(gamma) != (x.shape[-1],):
        raise ValueError(f"gamma must be ({x.shape[-1]},), got shape {np.shape(gamma)}")
    inv_std = 1 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - x.mean(axis=0)) * inv_std
    g = dout * gamma
    dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''),
    ],
}
