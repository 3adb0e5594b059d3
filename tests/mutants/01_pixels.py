"""Plausible wrong implementations for lesson 01_pixels, as edits of the solution; each must lose its points."""

#: One ``(old, new)`` replacement in the solution's answer cell, or several applied in order.
Edits = tuple[str, str] | list[tuple[str, str]]

MUTANTS: dict[str, list[tuple[str, Edits]]] = {
    "to_float": [
        ("divides by 256 instead of 255", ("np.float32(255)", "np.float32(256)")),
        ("returns float64", ("return image.astype(np.float32) / np.float32(255)", "return image / 255")),
        ("no dtype check", ('''    if image.dtype != np.uint8:
        raise ValueError(f"image must be a uint8 array (values 0..255), got dtype {image.dtype}")
''', "")),
        ("converts the dtype without scaling", (" / np.float32(255)", "")),
        ("accepts a float image and divides it again",
         ("if image.dtype != np.uint8:", 'if image.dtype != np.uint8 and image.dtype.kind != "f":')),
        ("accepts any integer dtype", ("image.dtype != np.uint8:", "not np.issubdtype(image.dtype, np.integer):")),
        ("error message without the dtype", (", got dtype {image.dtype}", "")),
        ("error message without the argument's name `image`",
         ('"image must be a uint8 array', '"expected a uint8 array')),
    ],
    "to_grayscale": [
        ("equal weights (plain mean)",
         ("image.astype(np.float32) @ weights", "image.astype(np.float32).mean(axis=-1)")),
        ("weights in BGR order", ("[0.2989, 0.5870, 0.1140]", "[0.1140, 0.5870, 0.2989]")),
        ("keeps the channel axis (H, W, 1)",
         ("image.astype(np.float32) @ weights", "(image.astype(np.float32) * weights).sum(axis=-1, keepdims=True)")),
        ("rounds to uint8",
         ("return image.astype(np.float32) @ weights",
          "return np.round(image.astype(np.float32) @ weights).astype(np.uint8)")),
        ("rounds but keeps float32",
         ("return image.astype(np.float32) @ weights", "return np.round(image.astype(np.float32) @ weights)")),
        ("image[:, :, c] indexing: only (H, W, 3) works, batches break",
         ("return image.astype(np.float32) @ weights", '''x = image.astype(np.float32)
    return 0.2989 * x[:, :, 0] + 0.5870 * x[:, :, 1] + 0.1140 * x[:, :, 2]''')),
        ("no validation", ('''    if image.ndim < 3 or image.shape[-1] != 3:
        raise ValueError(f"image must have shape (..., 3) with R, G, B last, got shape {image.shape}")
''', "")),
        ("checks only the last axis (a 2-D (H, 3) image passes)", ("image.ndim < 3 or ", "")),
        ("rounded weights 0.299, 0.587, 0.114", ("[0.2989, 0.5870, 0.1140]", "[0.299, 0.587, 0.114]")),
        ("converts to [0, 1] first (changes the scale of uint8 input)",
         ("return image.astype(np.float32) @ weights", '''x = image.astype(np.float32)
    if image.dtype == np.uint8:
        x = x / 255
    return x @ weights''')),
        ("returns float64", [(", dtype=np.float32)", ")"), ("image.astype(np.float32) @ weights", "image @ weights")]),
    ],
    "crop": [
        ("swaps top and left",
         ("return image[top:top + height, left:left + width]", "return image[left:left + height, top:top + width]")),
        ("swaps height and width",
         ("return image[top:top + height, left:left + width]", "return image[top:top + width, left:left + height]")),
        ("returns a copy", ("return image[top:top + height, left:left + width]",
                            "return image[top:top + height, left:left + width].copy()")),
        ("no bounds check (negative indices wrap)", ('''    if top < 0 or left < 0:
        raise ValueError(f"top and left must be >= 0, got top={top}, left={left} for image shape {image.shape}")
    if height < 1 or width < 1:
        raise ValueError(f"height and width must be >= 1, got height={height}, width={width} "
                         f"for image shape {image.shape}")
    if top + height > H:
        raise ValueError(f"top + height = {top + height} is past the image height {H}: image shape {image.shape}")
    if left + width > W:
        raise ValueError(f"left + width = {left + width} is past the image width {W}: image shape {image.shape}")
''', "")),
        ("checks only negative top/left, not the far edges", ('''    if top + height > H:
        raise ValueError(f"top + height = {top + height} is past the image height {H}: image shape {image.shape}")
    if left + width > W:
        raise ValueError(f"left + width = {left + width} is past the image width {W}: image shape {image.shape}")
''', "")),
        ("checks the far edges but not negative top/left", ('''    if top < 0 or left < 0:
        raise ValueError(f"top and left must be >= 0, got top={top}, left={left} for image shape {image.shape}")
''', "")),
        ("off by one: height + 1 and width + 1", ("return image[top:top + height, left:left + width]",
                                                  "return image[top:top + height + 1, left:left + width + 1]")),
        ("rejects a box that touches the bottom or right edge (>= instead of >)",
         [("if top + height > H:", "if top + height >= H:"), ("if left + width > W:", "if left + width >= W:")]),
        ("only works for 3-D images", ("H, W = image.shape[:2]", "H, W, C = image.shape")),
        ("compares the box with the wrong sides (top + height against W)",
         [("if top + height > H:", "if top + height > W:"), ("if left + width > W:", "if left + width > H:")]),
        ("error message without the image shape", [
            (" for image shape {image.shape}", ""),
            ('''width={width} "
                         f"for image shape {image.shape}")''', 'width={width}")'),
            ("height {H}: image shape {image.shape}", "height {H}"),
            ("width {W}: image shape {image.shape}", "width {W}"),
        ]),
        ("a box past the bottom edge blamed on `top` (the text asks for `height`)",
         ("top + height = {top + height} is past the image height {H}", "top={top} puts the box outside the rows")),
        ("message gives the image's (H, W), not its whole shape (H, W, C)", [
            ("left={left} for image shape {image.shape}", "left={left} for image shape {(H, W)}"),
            ('f"for image shape {image.shape}"', 'f"for image shape {(H, W)}"'),
            ("height {H}: image shape {image.shape}", "height {H}: image shape {(H, W)}"),
            ("width {W}: image shape {image.shape}", "width {W}: image shape {(H, W)}"),
        ]),
    ],
    "make_batch": [
        ("forgets the channel axis for gray images",
         ('''    if batch.ndim == 3:  # grayscale (N, H, W): add the channel axis
        batch = batch[..., np.newaxis]
''', "")),
        ("rescales by 1/255", ("np.stack(images).astype(np.float32)", "np.stack(images).astype(np.float32) / 255")),
        ("returns float64", ("astype(np.float32)", "astype(np.float64)")),
        ("keeps the input dtype", ("np.stack(images).astype(np.float32)", "np.stack(images)")),
        ("no shape check (NumPy's own error)", ('''    first = np.shape(images[0])
    for i, image in enumerate(images):
        if np.shape(image) != first:
            raise ValueError(f"images[{i}] has shape {np.shape(image)}, but images[0] has shape {first}")
''', "")),
        ("no empty check", ('''    if len(images) == 0:
        raise ValueError("images must hold at least one image, got an empty sequence")
''', "")),
        ("returns the list", ("return batch", "return [np.asarray(image, dtype=np.float32) for image in images]")),
        ("channel axis added first (N, 1, H, W)", ("batch[..., np.newaxis]", "batch[:, np.newaxis]")),
        ("np.asarray may share memory with an array input",
         ("np.stack(images).astype(np.float32)", "np.asarray(images, dtype=np.float32)")),
        ("mismatch message without the index",
         ('f"images[{i}] has shape {np.shape(image)}, but images[0] has shape {first}"',
          'f"shapes differ: {np.shape(image)} and {first}"')),
        ("`if not images` (fails on one array of images)", ("if len(images) == 0:", "if not images:")),
        ("accepts only a list or a tuple (rejects one array of images)",
         ("    if len(images) == 0:", '''    if not isinstance(images, (list, tuple)):
        raise TypeError(f"images must be a list or a tuple, got {type(images).__name__}")
    if len(images) == 0:''')),
    ],
    "channel_means": [
        ("mean over all axes", ("batch.mean(axis=(0, 1, 2))", "batch.mean()")),
        ("mean over H and W only (one mean per image)", ("axis=(0, 1, 2)", "axis=(1, 2)")),
        ("axis order wrong: mean over axes 1, 2, 3", ("axis=(0, 1, 2)", "axis=(1, 2, 3)")),
        ("mean over N and H only", ("axis=(0, 1, 2)", "axis=(0, 1)")),
        ("no ndim check", ('''    if batch.ndim != 4:
        raise ValueError(f"batch must be 4-D (N, H, W, C), got shape {batch.shape}")
''', "")),
        ("only the first image", ("batch.mean(axis=(0, 1, 2))", "batch[0].mean(axis=(0, 1))")),
        ("divides the sum by N * H * W * C", ("batch.mean(axis=(0, 1, 2))", "batch.sum(axis=(0, 1, 2)) / batch.size")),
        ("rescales uint8 by 1/255", ("return batch.mean(axis=(0, 1, 2))", '''means = batch.mean(axis=(0, 1, 2))
    return means / 255 if batch.dtype == np.uint8 else means''')),
        ("adds uint8 values up in uint8 (the sums wrap around at 256)",
         ("return batch.mean(axis=(0, 1, 2))", '''N, H, W, C = batch.shape
    return batch.sum(axis=(0, 1, 2), dtype=batch.dtype) / (N * H * W)''')),
        ("ndim check without the shape in the message", (", got shape {batch.shape}", "")),
    ],
}
