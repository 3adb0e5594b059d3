"""Plausible wrong implementations for lesson 01_pixels; each must lose its exercise's points."""

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "to_float": [
        ("divides by 256 instead of 255", '''
def to_float(image):
    if image.dtype != np.uint8:
        raise ValueError(f"image must be uint8, got {image.dtype}")
    return image.astype(np.float32) / 256
'''),
        ("returns float64", '''
def to_float(image):
    if image.dtype != np.uint8:
        raise ValueError(f"image must be uint8, got {image.dtype}")
    return image / 255
'''),
        ("no dtype check", '''
def to_float(image):
    return image.astype(np.float32) / 255
'''),
        ("converts the dtype without scaling", '''
def to_float(image):
    if image.dtype != np.uint8:
        raise ValueError(f"image must be uint8, got {image.dtype}")
    return image.astype(np.float32)
'''),
        ("accepts a float image and divides it again", '''
def to_float(image):
    if image.dtype != np.uint8 and image.dtype.kind != "f":
        raise ValueError(f"image must be uint8, got {image.dtype}")
    return image.astype(np.float32) / 255
'''),
        ("accepts any integer dtype", '''
def to_float(image):
    if not np.issubdtype(image.dtype, np.integer):
        raise ValueError(f"image must be uint8, got {image.dtype}")
    return image.astype(np.float32) / 255
'''),
        ("error message without the dtype", '''
def to_float(image):
    if image.dtype != np.uint8:
        raise ValueError("image must be uint8")
    return image.astype(np.float32) / 255
'''),
        ("error message without the argument's name `image`", '''
def to_float(image):
    if image.dtype != np.uint8:
        raise ValueError(f"expected uint8, got {image.dtype}")
    return image.astype(np.float32) / 255
'''),
    ],
    "to_grayscale": [
        ("equal weights (plain mean)", '''
def to_grayscale(image):
    if image.ndim < 3 or image.shape[-1] != 3:
        raise ValueError(f"image must be (..., 3), got shape {image.shape}")
    return image.astype(np.float32).mean(axis=-1)
'''),
        ("weights in BGR order", '''
def to_grayscale(image):
    if image.ndim < 3 or image.shape[-1] != 3:
        raise ValueError(f"image must be (..., 3), got shape {image.shape}")
    return image.astype(np.float32) @ np.array([0.1140, 0.5870, 0.2989], dtype=np.float32)
'''),
        ("keeps the channel axis (H, W, 1)", '''
def to_grayscale(image):
    if image.ndim < 3 or image.shape[-1] != 3:
        raise ValueError(f"image must be (..., 3), got shape {image.shape}")
    weights = np.array([0.2989, 0.5870, 0.1140], dtype=np.float32)
    return (image.astype(np.float32) * weights).sum(axis=-1, keepdims=True)
'''),
        ("rounds to uint8", '''
def to_grayscale(image):
    if image.ndim < 3 or image.shape[-1] != 3:
        raise ValueError(f"image must be (..., 3), got shape {image.shape}")
    weights = np.array([0.2989, 0.5870, 0.1140], dtype=np.float32)
    return np.round(image.astype(np.float32) @ weights).astype(np.uint8)
'''),
        ("rounds but keeps float32", '''
def to_grayscale(image):
    if image.ndim < 3 or image.shape[-1] != 3:
        raise ValueError(f"image must be (..., 3), got shape {image.shape}")
    weights = np.array([0.2989, 0.5870, 0.1140], dtype=np.float32)
    return np.round(image.astype(np.float32) @ weights)
'''),
        ("image[:, :, c] indexing: only (H, W, 3) works, batches break", '''
def to_grayscale(image):
    if image.ndim < 3 or image.shape[-1] != 3:
        raise ValueError(f"image must be (..., 3), got shape {image.shape}")
    x = image.astype(np.float32)
    return 0.2989 * x[:, :, 0] + 0.5870 * x[:, :, 1] + 0.1140 * x[:, :, 2]
'''),
        ("no validation", '''
def to_grayscale(image):
    return image.astype(np.float32) @ np.array([0.2989, 0.5870, 0.1140], dtype=np.float32)
'''),
        ("checks only the last axis (a 2-D (H, 3) image passes)", '''
def to_grayscale(image):
    if image.shape[-1] != 3:
        raise ValueError(f"image must be (..., 3), got shape {image.shape}")
    return image.astype(np.float32) @ np.array([0.2989, 0.5870, 0.1140], dtype=np.float32)
'''),
        ("rounded weights 0.299, 0.587, 0.114", '''
def to_grayscale(image):
    if image.ndim < 3 or image.shape[-1] != 3:
        raise ValueError(f"image must be (..., 3), got shape {image.shape}")
    return image.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
'''),
        ("converts to [0, 1] first (changes the scale of uint8 input)", '''
def to_grayscale(image):
    if image.ndim < 3 or image.shape[-1] != 3:
        raise ValueError(f"image must be (..., 3), got shape {image.shape}")
    x = image.astype(np.float32)
    if image.dtype == np.uint8:
        x = x / 255
    return x @ np.array([0.2989, 0.5870, 0.1140], dtype=np.float32)
'''),
        ("returns float64", '''
def to_grayscale(image):
    if image.ndim < 3 or image.shape[-1] != 3:
        raise ValueError(f"image must be (..., 3), got shape {image.shape}")
    return image @ np.array([0.2989, 0.5870, 0.1140])
'''),
    ],
    "crop": [
        ("swaps top and left", '''
def crop(image, top, left, height, width):
    H, W = image.shape[:2]
    if top < 0 or left < 0 or height < 1 or width < 1 or top + height > H or left + width > W:
        raise ValueError(f"bad box top={top}, left={left}, height={height}, width={width}, "
                         f"image shape {image.shape}")
    return image[left:left + height, top:top + width]
'''),
        ("swaps height and width", '''
def crop(image, top, left, height, width):
    H, W = image.shape[:2]
    if top < 0 or left < 0 or height < 1 or width < 1 or top + height > H or left + width > W:
        raise ValueError(f"bad box top={top}, left={left}, height={height}, width={width}, "
                         f"image shape {image.shape}")
    return image[top:top + width, left:left + height]
'''),
        ("returns a copy", '''
def crop(image, top, left, height, width):
    H, W = image.shape[:2]
    if top < 0 or left < 0 or height < 1 or width < 1 or top + height > H or left + width > W:
        raise ValueError(f"bad box top={top}, left={left}, height={height}, width={width}, "
                         f"image shape {image.shape}")
    return image[top:top + height, left:left + width].copy()
'''),
        ("no bounds check (negative indices wrap)", '''
def crop(image, top, left, height, width):
    return image[top:top + height, left:left + width]
'''),
        ("checks only negative top/left, not the far edges", '''
def crop(image, top, left, height, width):
    if top < 0 or left < 0 or height < 1 or width < 1:
        raise ValueError(f"bad box top={top}, left={left}, height={height}, width={width}, "
                         f"image shape {image.shape}")
    return image[top:top + height, left:left + width]
'''),
        ("checks the far edges but not negative top/left", '''
def crop(image, top, left, height, width):
    H, W = image.shape[:2]
    if height < 1 or width < 1 or top + height > H or left + width > W:
        raise ValueError(f"bad box top={top}, left={left}, height={height}, width={width}, "
                         f"image shape {image.shape}")
    return image[top:top + height, left:left + width]
'''),
        ("off by one: height + 1 and width + 1", '''
def crop(image, top, left, height, width):
    H, W = image.shape[:2]
    if top < 0 or left < 0 or height < 1 or width < 1 or top + height > H or left + width > W:
        raise ValueError(f"bad box top={top}, left={left}, height={height}, width={width}, "
                         f"image shape {image.shape}")
    return image[top:top + height + 1, left:left + width + 1]
'''),
        ("rejects a box that touches the bottom or right edge (>= instead of >)", '''
def crop(image, top, left, height, width):
    H, W = image.shape[:2]
    if top < 0 or left < 0 or height < 1 or width < 1 or top + height >= H or left + width >= W:
        raise ValueError(f"bad box top={top}, left={left}, height={height}, width={width}, "
                         f"image shape {image.shape}")
    return image[top:top + height, left:left + width]
'''),
        ("only works for 3-D images", '''
def crop(image, top, left, height, width):
    H, W, C = image.shape
    if top < 0 or left < 0 or height < 1 or width < 1 or top + height > H or left + width > W:
        raise ValueError(f"bad box top={top}, left={left}, height={height}, width={width}, "
                         f"image shape {image.shape}")
    return image[top:top + height, left:left + width, :]
'''),
        ("compares the box with the wrong sides (top + height against W)", '''
def crop(image, top, left, height, width):
    H, W = image.shape[:2]
    if top < 0 or left < 0 or height < 1 or width < 1 or top + height > W or left + width > H:
        raise ValueError(f"bad box top={top}, left={left}, height={height}, width={width}, "
                         f"image shape {image.shape}")
    return image[top:top + height, left:left + width]
'''),
        ("error message without the image shape", '''
def crop(image, top, left, height, width):
    H, W = image.shape[:2]
    if top < 0 or left < 0 or height < 1 or width < 1 or top + height > H or left + width > W:
        raise ValueError(f"bad box top={top}, left={left}, height={height}, width={width}")
    return image[top:top + height, left:left + width]
'''),
        ("a box past the bottom edge blamed on `top` (the text asks for `height`)", '''
def crop(image, top, left, height, width):
    H, W = image.shape[:2]
    if top < 0 or top + height > H:
        raise ValueError(f"top={top} puts the box outside the rows of image shape {image.shape}")
    if left < 0 or left + width > W:
        raise ValueError(f"left={left} puts the box outside the columns of image shape {image.shape}")
    if height < 1 or width < 1:
        raise ValueError(f"height and width must be >= 1, got {height} and {width}, image shape {image.shape}")
    return image[top:top + height, left:left + width]
'''),
        ("message gives the image's (H, W), not its whole shape (H, W, C)", '''
def crop(image, top, left, height, width):
    H, W = image.shape[:2]
    if top < 0 or left < 0:
        raise ValueError(f"top={top} and left={left} must be >= 0 (image shape {(H, W)})")
    if height < 1 or width < 1:
        raise ValueError(f"height={height} and width={width} must be >= 1 (image shape {(H, W)})")
    if top + height > H:
        raise ValueError(f"height={height} from top={top} is past the bottom of the image shape {(H, W)}")
    if left + width > W:
        raise ValueError(f"width={width} from left={left} is past the right edge of the image shape {(H, W)}")
    return image[top:top + height, left:left + width]
'''),
    ],
    "make_batch": [
        ("forgets the channel axis for gray images", '''
def make_batch(images):
    if len(images) == 0:
        raise ValueError("images is empty")
    for i, im in enumerate(images):
        if im.shape != images[0].shape:
            raise ValueError(f"images[{i}] has shape {im.shape}, images[0] has shape {images[0].shape}")
    return np.stack(images).astype(np.float32)
'''),
        ("rescales by 1/255", '''
def make_batch(images):
    if len(images) == 0:
        raise ValueError("images is empty")
    for i, im in enumerate(images):
        if im.shape != images[0].shape:
            raise ValueError(f"images[{i}] has shape {im.shape}, images[0] has shape {images[0].shape}")
    batch = np.stack(images).astype(np.float32) / 255
    return batch[..., np.newaxis] if batch.ndim == 3 else batch
'''),
        ("returns float64", '''
def make_batch(images):
    if len(images) == 0:
        raise ValueError("images is empty")
    for i, im in enumerate(images):
        if im.shape != images[0].shape:
            raise ValueError(f"images[{i}] has shape {im.shape}, images[0] has shape {images[0].shape}")
    batch = np.stack(images).astype(np.float64)
    return batch[..., np.newaxis] if batch.ndim == 3 else batch
'''),
        ("keeps the input dtype", '''
def make_batch(images):
    if len(images) == 0:
        raise ValueError("images is empty")
    for i, im in enumerate(images):
        if im.shape != images[0].shape:
            raise ValueError(f"images[{i}] has shape {im.shape}, images[0] has shape {images[0].shape}")
    batch = np.stack(images)
    return batch[..., np.newaxis] if batch.ndim == 3 else batch
'''),
        ("no shape check (NumPy's own error)", '''
def make_batch(images):
    if len(images) == 0:
        raise ValueError("images is empty")
    batch = np.stack(images).astype(np.float32)
    return batch[..., np.newaxis] if batch.ndim == 3 else batch
'''),
        ("no empty check", '''
def make_batch(images):
    for i, im in enumerate(images):
        if im.shape != images[0].shape:
            raise ValueError(f"images[{i}] has shape {im.shape}, images[0] has shape {images[0].shape}")
    batch = np.array(images, dtype=np.float32)
    return batch[..., np.newaxis] if batch.ndim == 3 else batch
'''),
        ("returns the list", '''
def make_batch(images):
    if len(images) == 0:
        raise ValueError("images is empty")
    for i, im in enumerate(images):
        if im.shape != images[0].shape:
            raise ValueError(f"images[{i}] has shape {im.shape}, images[0] has shape {images[0].shape}")
    return [np.asarray(im, dtype=np.float32) for im in images]
'''),
        ("channel axis added first (N, 1, H, W)", '''
def make_batch(images):
    if len(images) == 0:
        raise ValueError("images is empty")
    for i, im in enumerate(images):
        if im.shape != images[0].shape:
            raise ValueError(f"images[{i}] has shape {im.shape}, images[0] has shape {images[0].shape}")
    batch = np.stack(images).astype(np.float32)
    return batch[:, np.newaxis] if batch.ndim == 3 else batch
'''),
        ("np.asarray may share memory with an array input", '''
def make_batch(images):
    if len(images) == 0:
        raise ValueError("images is empty")
    for i, im in enumerate(images):
        if im.shape != images[0].shape:
            raise ValueError(f"images[{i}] has shape {im.shape}, images[0] has shape {images[0].shape}")
    batch = np.asarray(images, dtype=np.float32)
    return batch[..., np.newaxis] if batch.ndim == 3 else batch
'''),
        ("mismatch message without the index", '''
def make_batch(images):
    if len(images) == 0:
        raise ValueError("images is empty")
    for im in images:
        if im.shape != images[0].shape:
            raise ValueError(f"shapes differ: {im.shape} and {images[0].shape}")
    batch = np.stack(images).astype(np.float32)
    return batch[..., np.newaxis] if batch.ndim == 3 else batch
'''),
        ("`if not images` (fails on one array of images)", '''
def make_batch(images):
    if not images:
        raise ValueError("images is empty")
    for i, im in enumerate(images):
        if im.shape != images[0].shape:
            raise ValueError(f"images[{i}] has shape {im.shape}, images[0] has shape {images[0].shape}")
    batch = np.stack(images).astype(np.float32)
    return batch[..., np.newaxis] if batch.ndim == 3 else batch
'''),
        ("accepts only a list or a tuple (rejects one array of images)", '''
def make_batch(images):
    if not isinstance(images, (list, tuple)):
        raise TypeError(f"images must be a list or a tuple, got {type(images).__name__}")
    if len(images) == 0:
        raise ValueError("images is empty")
    for i, im in enumerate(images):
        if im.shape != images[0].shape:
            raise ValueError(f"images[{i}] has shape {im.shape}, images[0] has shape {images[0].shape}")
    batch = np.stack(images).astype(np.float32)
    return batch[..., np.newaxis] if batch.ndim == 3 else batch
'''),
    ],
    "channel_means": [
        ("mean over all axes", '''
def channel_means(batch):
    if batch.ndim != 4:
        raise ValueError(f"batch must be 4-D, got shape {batch.shape}")
    return batch.mean()
'''),
        ("mean over H and W only (one mean per image)", '''
def channel_means(batch):
    if batch.ndim != 4:
        raise ValueError(f"batch must be 4-D, got shape {batch.shape}")
    return batch.mean(axis=(1, 2))
'''),
        ("axis order wrong: mean over axes 1, 2, 3", '''
def channel_means(batch):
    if batch.ndim != 4:
        raise ValueError(f"batch must be 4-D, got shape {batch.shape}")
    return batch.mean(axis=(1, 2, 3))
'''),
        ("mean over N and H only", '''
def channel_means(batch):
    if batch.ndim != 4:
        raise ValueError(f"batch must be 4-D, got shape {batch.shape}")
    return batch.mean(axis=(0, 1))
'''),
        ("no ndim check", '''
def channel_means(batch):
    return batch.mean(axis=(0, 1, 2))
'''),
        ("only the first image", '''
def channel_means(batch):
    if batch.ndim != 4:
        raise ValueError(f"batch must be 4-D, got shape {batch.shape}")
    return batch[0].mean(axis=(0, 1))
'''),
        ("divides the sum by N * H * W * C", '''
def channel_means(batch):
    if batch.ndim != 4:
        raise ValueError(f"batch must be 4-D, got shape {batch.shape}")
    return batch.sum(axis=(0, 1, 2)) / batch.size
'''),
        ("rescales uint8 by 1/255", '''
def channel_means(batch):
    if batch.ndim != 4:
        raise ValueError(f"batch must be 4-D, got shape {batch.shape}")
    means = batch.mean(axis=(0, 1, 2))
    return means / 255 if batch.dtype == np.uint8 else means
'''),
        ("adds uint8 values up in uint8 (the sums wrap around at 256)", '''
def channel_means(batch):
    if batch.ndim != 4:
        raise ValueError(f"batch must be 4-D, got shape {batch.shape}")
    N, H, W, C = batch.shape
    return batch.sum(axis=(0, 1, 2), dtype=batch.dtype) / (N * H * W)
'''),
        ("ndim check without the shape in the message", '''
def channel_means(batch):
    if batch.ndim != 4:
        raise ValueError("batch must be 4-D (N, H, W, C)")
    return batch.mean(axis=(0, 1, 2))
'''),
    ],
}
