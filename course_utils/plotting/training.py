"""What training produced: learning curves, a confusion matrix, the most confidently wrong images, first-layer
filters, and the relative errors of a gradient check."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import offset_copy

from course_utils.gradcheck import GRADIENT_TOLERANCE, RELATIVE_ERROR_FLOOR
from course_utils.plotting.primitives import centred_norm, grid, show_image, to_numpy

__all__ = [
    "show_confusion_matrix",
    "show_filters",
    "show_gradient_errors",
    "show_misclassified",
    "show_training_curves",
]


def _history_dict(run: str, history: Any) -> Mapping[str, Any]:
    """The dict of per-epoch lists inside a keras History (``.history``), or the dict itself."""
    data = getattr(history, "history", history)
    if not isinstance(data, Mapping):
        raise ValueError(
            f"histories[{run!r}] must be a keras History (what model.fit returns) or a dict of lists such as "
            f"{{'loss': [...], 'val_loss': [...]}}, got {type(history).__name__}"
        )
    return data


def _curve(run: str, data: Mapping[str, Any], key: str) -> np.ndarray:
    values = to_numpy(data[key], f"histories[{run!r}][{key!r}]").astype(float).ravel()
    if values.size == 0:
        raise ValueError(f"histories[{run!r}][{key!r}] is empty: train for at least one epoch")
    return values


def _format_metric(metric: str, value: float) -> str:
    """Accuracies as percentages (0.912 -> 91.2%), everything else with 3 significant digits."""
    if "acc" in metric and 0.0 <= value <= 1.0:
        return f"{value:.1%}"
    return f"{value:.3g}"


def _epoch_ticks(epochs: int) -> list[int]:
    """Epoch 1, then round numbers up to the last epoch (1, 2, ..., 10 or 1, 5, 10, 15, 20, ...)."""
    step = max(1, int(MaxNLocator(nbins=8, integer=True, steps=[1, 2, 5, 10]).tick_values(0, epochs)[1]))
    return [1] + [t for t in range(step, epochs + 1, step) if t - 1 >= step / 2]


def _spread(values: list[float], gap: float, low: float, high: float) -> list[float]:
    """Label heights near ``values``, at least ``gap`` apart and inside [low, high], in the original order."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    placed: list[float] = []
    for i in order:
        placed.append(max(values[i], placed[-1] + gap) if placed else values[i])
    overflow = placed[-1] - high if placed else 0.0
    if overflow > 0:
        placed = [max(y - overflow, low) for y in placed]
    result = [0.0] * len(values)
    for i, y in zip(order, placed):
        result[i] = y
    return result


def show_training_curves(
    histories: Mapping[str, Any],
    metrics: Sequence[str] = ("loss", "accuracy"),
    title: str | None = None,
) -> Figure:
    """Learning curves of one or more training runs, one panel per metric.

    ``histories`` maps a run name to what ``model.fit`` returned (a keras History) or to a dict of per-epoch
    lists such as ``{"loss": [...], "val_loss": [...]}``. Each run has one colour: training solid, validation
    (``val_<metric>``, when recorded) dashed, epochs numbered from 1. The legend reads "<run> · train" and
    "<run> · validation"; the last validation value is written at the end of each dashed curve.
    """
    if not histories:
        raise ValueError("histories is empty: pass a dict such as {'baseline': model.fit(...)}")
    if isinstance(metrics, str):
        metrics = (metrics,)
    if not metrics:
        raise ValueError("metrics is empty: name at least one, e.g. metrics=('loss',)")
    runs = {run: _history_dict(run, history) for run, history in histories.items()}
    curves: dict[str, dict[str, tuple[np.ndarray, np.ndarray | None]]] = {}
    for run, data in runs.items():
        curves[run] = {}
        for metric in metrics:
            if metric not in data:
                raise ValueError(
                    f"histories[{run!r}] has no {metric!r}; it has {sorted(data)}: compile the model with "
                    f"metrics=[{metric!r}] or pass metrics= with names from that list"
                )
            train = _curve(run, data, metric)
            val = _curve(run, data, f"val_{metric}") if f"val_{metric}" in data else None
            if val is not None and val.size != train.size:
                raise ValueError(
                    f"histories[{run!r}]: {metric!r} has {train.size} epochs but 'val_{metric}' has {val.size}"
                )
            curves[run][metric] = (train, val)
    fig, axes = plt.subplots(
        1, len(metrics), figsize=(5.0 * len(metrics) + 0.5, 4.3), squeeze=False, layout="constrained"
    )
    handles = []
    for column, metric in enumerate(metrics):
        ax = axes[0, column]
        finals = []
        longest = 1
        for index, run in enumerate(runs):
            train, val = curves[run][metric]
            epochs = np.arange(1, train.size + 1)
            longest = max(longest, train.size)
            marker = "o" if train.size <= 30 else None
            colour = f"C{index % 10}"
            style = {"color": colour, "linewidth": 2, "marker": marker, "markersize": 3.5}
            (line,) = ax.plot(epochs, train, linestyle="-", label=f"{run} · train", **style)
            if column == 0:
                handles.append(line)
            if val is not None:
                (dashed,) = ax.plot(epochs, val, linestyle="--", label=f"{run} · validation", **style)
                if column == 0:
                    handles.append(dashed)
                finals.append((float(epochs[-1]), float(val[-1]), colour))
        ax.set_title(metric)
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_xticks(_epoch_ticks(longest))
        ax.grid(alpha=0.3)
        span = max(longest - 1, 1)
        ax.set_xlim(1 - 0.04 * span, longest + (0.2 if finals else 0.04) * span)
        if finals:
            low, high = ax.get_ylim()
            heights = _spread([y for _, y, _ in finals], 0.07 * (high - low), low, high)
            shifted = offset_copy(ax.transData, fig=fig, x=6, y=0, units="points")
            for (x_end, value, colour), height in zip(finals, heights):
                ax.text(
                    x_end,
                    height,
                    _format_metric(metric, value),
                    transform=shifted,
                    color=colour,
                    fontsize=9,
                    fontweight="bold",
                    ha="left",
                    va="center",
                )
            ax.set_ylim(low, high)
    paired = len(handles) == 2 * len(runs)  # every run has a validation curve: one column per run
    fig.legend(
        handles=handles, loc="outside lower center", ncols=max(len(runs), 2) if paired else len(handles), frameon=False
    )
    if title is not None:
        fig.suptitle(title)
    return fig


def _class_labels(values: Any, name: str) -> np.ndarray:
    """(N,) integer class labels; (N, K) probabilities or one-hot rows are refused with the fix."""
    array = to_numpy(values, name)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim == 2:
        raise ValueError(
            f"{name} has shape {array.shape}: pass one class label per example, shape (N,), "
            f"e.g. {name} = probs.argmax(axis=1)"
        )
    if array.ndim != 1:
        raise ValueError(f"{name} must be class labels of shape (N,), got shape {array.shape}")
    if array.dtype.kind == "f" and not np.all(array == np.round(array)):
        raise ValueError(f"{name} holds non-integer values such as {array[array != np.round(array)][0]!r}")
    return array.astype(int)


def _class_name(label: int, class_names: Sequence[str] | None) -> str:
    return str(label) if class_names is None else str(class_names[label])


def _check_names_cover(labels: np.ndarray, name: str, class_names: Sequence[str] | None) -> None:
    if class_names is None or labels.size == 0:
        return
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or high >= len(class_names):
        bad = low if low < 0 else high
        raise ValueError(
            f"{name} holds the label {bad}, but class_names has {len(class_names)} names (0 to {len(class_names) - 1})"
        )


def show_confusion_matrix(
    y_true: Any,
    y_pred: Any,
    class_names: Sequence[str] | None = None,
    normalize: bool = False,
    title: str | None = None,
) -> Figure:
    """Confusion matrix of class labels (rows: true class, columns: predicted class), counts in the cells.

    ``y_true`` and ``y_pred`` are (N,) integer labels (use ``probs.argmax(axis=1)`` for predictions).
    With ``class_names`` the classes are 0 .. len(class_names) - 1, otherwise those that occur. With
    ``normalize=True`` each row is divided by its count: the cells show the percentage of each true class.
    The title gives the accuracy, the diagonal's share of all examples.
    """
    from sklearn.metrics import confusion_matrix  # imported here: sklearn is slow to import

    true = _class_labels(y_true, "y_true")
    pred = _class_labels(y_pred, "y_pred")
    if true.size != pred.size:
        raise ValueError(f"y_true has {true.size} labels but y_pred has {pred.size}: pass one of each per example")
    if true.size == 0:
        raise ValueError("y_true and y_pred are empty")
    _check_names_cover(true, "y_true", class_names)
    _check_names_cover(pred, "y_pred", class_names)
    labels = np.arange(len(class_names)) if class_names is not None else np.union1d(true, pred)
    counts = confusion_matrix(true, pred, labels=labels)
    k = labels.size
    if normalize:
        totals = counts.sum(axis=1, keepdims=True)
        shown = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
        norm = Normalize(vmin=0.0, vmax=1.0)
        texts = [[_percent(v) for v in row] for row in shown]
    else:
        shown = counts
        norm = Normalize(vmin=0.0, vmax=max(int(counts.max()), 1))
        texts = [[str(int(v)) for v in row] for row in counts]
    side = float(np.clip(0.55 * k + 2.2, 4.0, 11.0))
    fig, ax = plt.subplots(figsize=(side, side), layout="constrained")
    colormap = plt.get_cmap("Blues")
    ax.imshow(shown, cmap=colormap, norm=norm, interpolation="nearest")
    cell_pt = 72 * (side - 1.6) / k
    longest = max(len(t) for row in texts for t in row)
    fontsize = float(np.clip(min(0.42 * cell_pt, 0.85 * cell_pt / (0.62 * longest)), 5.0, 12.0))
    rgba = colormap(norm(shown))
    for row in range(k):
        for col in range(k):
            red, green, blue, _ = rgba[row, col]
            light = 0.299 * red + 0.587 * green + 0.114 * blue > 0.55
            colour = ("black" if light else "white") if counts[row, col] else "0.6"
            ax.text(
                col,
                row,
                texts[row][col],
                ha="center",
                va="center",
                fontsize=fontsize,
                color=colour,
                fontweight="bold" if row == col else "normal",
            )
    names = [_class_name(int(label), class_names) for label in labels]
    slanted = max(len(name) for name in names) > 3
    ax.set_xticks(range(k), names, rotation=45 if slanted else 0, ha="right" if slanted else "center")
    ax.set_yticks(range(k), names)
    ax.set_xticks(np.arange(-0.5, k), minor=True)
    ax.set_yticks(np.arange(-0.5, k), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.0)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    correct = int(np.trace(counts))
    summary = f"accuracy {correct / true.size:.1%} ({correct} of {true.size} correct)"
    if normalize:
        summary += "; cells: % of the true class"
    ax.set_title(summary if title is None else f"{title}\n{summary}")
    return fig


def _percent(fraction: float) -> str:
    if fraction == 0:
        return "0"
    if fraction < 0.005:
        return "<1%"
    return f"{fraction:.0%}"


def show_misclassified(
    images: Any,
    y_true: Any,
    y_pred: Any,
    probs: Any | None = None,
    n: int = 12,
    class_names: Sequence[str] | None = None,
    ncols: int = 6,
) -> Figure:
    """Up to ``n`` misclassified images, titled "true 7 · predicted 1 (0.98)".

    ``images`` is (N, H, W), (N, H, W, 1) or (N, H, W, 3); ``y_true`` and ``y_pred`` are (N,) labels. With
    ``probs`` (N, K), the model's class probabilities, the images are the most confidently wrong ones: sorted
    by the probability given to the predicted class, highest first, which the title shows. Without ``probs``
    they are the first misclassified images in order.
    """
    pictures = to_numpy(images, "images")
    if pictures.ndim == 4 and pictures.shape[-1] == 1:
        pictures = pictures[..., 0]
    if pictures.ndim not in (3, 4) or (pictures.ndim == 4 and pictures.shape[-1] not in (3, 4)):
        raise ValueError(
            f"images must be a batch (N, H, W), (N, H, W, 1) or (N, H, W, 3), got shape {np.shape(images)}"
        )
    true = _class_labels(y_true, "y_true")
    pred = _class_labels(y_pred, "y_pred")
    count = pictures.shape[0]
    if true.size != count or pred.size != count:
        single = pictures.ndim == 3 and np.shape(images)[-1] in (1, 3)
        raise ValueError(
            f"images has {count} examples, y_true {true.size} and y_pred {pred.size}: pass one label of each per image"
            + (f" (images of shape {np.shape(images)} looks like a single image: pass the batch)" if single else "")
        )
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got n={n!r}")
    _check_names_cover(true, "y_true", class_names)
    _check_names_cover(pred, "y_pred", class_names)
    wrong = np.flatnonzero(true != pred)
    confidence = None
    if probs is not None:
        confidence = to_numpy(probs, "probs").astype(float)
        if confidence.ndim != 2 or confidence.shape[0] != count:
            raise ValueError(f"probs must have shape (N, K) with N = {count} images, got shape {confidence.shape}")
        outside = pred[(pred < 0) | (pred >= confidence.shape[1])]
        if outside.size:
            raise ValueError(f"y_pred holds the label {int(outside[0])}, but probs has {confidence.shape[1]} classes")
        wrong = wrong[np.argsort(-confidence[wrong, pred[wrong]], kind="stable")]
    chosen = wrong[:n]
    if chosen.size == 0:
        fig, ax = plt.subplots(figsize=(5, 1.2), layout="constrained")
        ax.set_axis_off()
        ax.text(0.5, 0.5, f"no misclassified images: all {count} predictions are correct", ha="center", va="center")
        return fig
    fig, axes = grid(chosen.size, ncols, 2.0)
    for ax, index in zip(axes.flat, chosen):
        label = f"true {_class_name(true[index], class_names)} · predicted {_class_name(pred[index], class_names)}"
        if confidence is not None:
            label += f" ({confidence[index, pred[index]]:.2f})"
        show_image(pictures[index], ax=ax, cmap="gray")
        ax.set_title(label, fontsize=8 if len(label) <= 30 else 6.5)
    for ax in list(axes.flat)[chosen.size :]:
        ax.set_axis_off()
    which = "most confidently wrong" if confidence is not None else "first misclassified"
    fig.suptitle(f"the {chosen.size} {which} of {wrong.size} misclassified images (out of {count})")
    return fig


def show_filters(weights: Any, ncols: int = 8, title: str | None = None) -> Figure:
    """First-layer convolution weights (f, f, C_in, K), e.g. ``model.layers[0].get_weights()[0]``: one panel per filter.

    C_in = 1: each filter in a diverging colormap centred at 0 (red positive, blue negative), one scale for all.
    C_in = 3: each filter as a colour picture, after min–max scaling of all weights together to [0, 1], so weak
    filters look weak (gray).
    """
    if isinstance(weights, (list, tuple)):
        raise ValueError(
            f"weights is a {type(weights).__name__} of {len(weights)} arrays (kernel and bias, as get_weights() "
            "returns): pass only the kernel, e.g. layer.get_weights()[0]"
        )
    array = to_numpy(weights, "weights").astype(float)
    if array.ndim != 4:
        raise ValueError(f"weights must have shape (f, f, C_in, K), got shape {array.shape}")
    height, width, channels, count = array.shape
    if channels not in (1, 3):
        raise ValueError(
            f"weights has C_in = {channels} input channels (shape {array.shape}): show_filters draws first-layer "
            "filters (C_in 1 or 3); for a deeper layer show one input channel, e.g. weights[:, :, c:c+1, :]"
        )
    if count == 0:
        raise ValueError(f"weights has no filters (shape {array.shape})")
    fig, axes = grid(count, ncols, 1.25)
    image = None
    if channels == 1:
        norm = centred_norm(array)
        for k, ax in enumerate(axes.flat[:count]):
            image = ax.imshow(array[:, :, 0, k], cmap="RdBu_r", norm=norm, interpolation="nearest")
    else:
        low, high = float(array.min()), float(array.max())
        scaled = (array - low) / (high - low) if high > low else np.full(array.shape, 0.5)
        for k, ax in enumerate(axes.flat[:count]):
            ax.imshow(scaled[..., k], interpolation="nearest")
    for k, ax in enumerate(axes.flat):
        if k < count:
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"#{k}", fontsize=8)
        else:
            ax.set_axis_off()
    if image is not None:
        fig.colorbar(image, ax=axes, shrink=0.8, label="weight", fraction=0.04)
    kind = "red positive, blue negative" if channels == 1 else "colours min–max scaled"
    fig.suptitle(title if title is not None else f"{count} filters of {height}×{width}×{channels} ({kind})")
    return fig


#: Relative errors below this are drawn at it, on the log scale of :func:`show_gradient_errors` (0 included).
SMALLEST_SHOWN_ERROR = 1e-16


def show_gradient_errors(
    gradients: Mapping[str, tuple[Any, Any]],
    tolerance: float = GRADIENT_TOLERANCE,
    wrong: float = 1e-3,
    title: str | None = None,
) -> Figure:
    """The elementwise relative errors of gradient checks on a log scale, one row of dots per gradient.

    ``gradients`` maps a name (``"dW1"``) to a pair ``(analytic, numeric)`` of arrays of the same shape, e.g. a
    backward pass's gradient and ``GradientCheck.numeric_gradient``. Each element is one dot at
    |a - n| / max(1e-8, |a| + |n|), the error :func:`course_utils.gradcheck.relative_error` takes the largest
    of; errors below 1e-16, exact agreement included, are drawn at 1e-16. The largest error of each row is
    written beside it. Three bands: up to ``tolerance`` right (green), from ``wrong`` on wrong (red), suspect in
    between (a kink of ReLU or max, or a small bug).
    """
    if not gradients:
        raise ValueError("gradients is empty: pass a dict such as {'dW': (analytic, numeric)}")
    if not 0 < tolerance < wrong < 1:
        raise ValueError(f"need 0 < tolerance < wrong < 1, got tolerance={tolerance!r}, wrong={wrong!r}")
    rows = []
    for name, pair in gradients.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"gradients[{name!r}] must be a pair (analytic, numeric), got {type(pair).__name__}")
        analytic = to_numpy(pair[0], f"gradients[{name!r}][0]").astype(float)
        numeric = to_numpy(pair[1], f"gradients[{name!r}][1]").astype(float)
        if analytic.shape != numeric.shape:
            raise ValueError(
                f"gradients[{name!r}]: the analytic gradient has shape {analytic.shape}, the numeric one "
                f"{numeric.shape}: they must be equal"
            )
        if analytic.size == 0:
            raise ValueError(f"gradients[{name!r}] holds empty arrays")
        with np.errstate(all="ignore"):
            errors = np.abs(analytic - numeric) / np.maximum(RELATIVE_ERROR_FLOOR, np.abs(analytic) + np.abs(numeric))
        rows.append((name, np.nan_to_num(errors.ravel(), nan=1.0)))
    fig, ax = plt.subplots(figsize=(8.5, 0.8 + 0.55 * len(rows)), layout="constrained")
    low = SMALLEST_SHOWN_ERROR / 10
    ax.axvspan(low, tolerance, color="tab:green", alpha=0.12, lw=0)
    ax.axvspan(tolerance, wrong, color="tab:orange", alpha=0.12, lw=0)
    ax.axvspan(wrong, 10.0, color="tab:red", alpha=0.12, lw=0)
    jitter = np.random.default_rng(0)
    for row, (_, errors) in enumerate(rows):
        shown = np.maximum(errors, SMALLEST_SHOWN_ERROR)
        ax.scatter(shown, row + jitter.uniform(-0.18, 0.18, size=shown.size), s=9, color=f"C{row % 10}", alpha=0.6)
        worst = float(errors.max())
        ax.text(10.0, row, f"  max {worst:.1e}" if worst else "  max 0", va="center", ha="left", fontsize=9)
    ax.set_xscale("log")
    ax.set_xlim(low, 10.0)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_yticks(range(len(rows)), [name for name, _ in rows])
    ax.set_xlabel("relative error |a - n| / (|a| + |n|) of each element")
    for x, label in ((np.sqrt(low * tolerance), "right"), (np.sqrt(tolerance * wrong), "suspect"),
                     (np.sqrt(wrong * 10.0), "wrong")):
        ax.text(x, -0.45, label, ha="center", va="top", fontsize=9, color="0.3")
    ax.set_title(title if title is not None else f"gradient checks (tolerance {tolerance:g})")
    return fig
