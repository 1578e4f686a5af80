"""Figures in one consistent style: image grids, latent scatter plots, training curves (a Keras
history or a GAN's record, empty records included), 2-D densities, and latent sliders.

Every plotting function draws with a title and axis labels and returns the matplotlib Figure,
so a notebook can save it or add to it; ``latent_sliders`` returns an ipywidgets box instead
when a widget frontend is present.
"""

from __future__ import annotations

import os
from typing import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

STYLE = {
    "figure.dpi": 90,
    "figure.figsize": (6.0, 4.0),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "legend.frameon": False,
    "image.cmap": "viridis",
}


def set_style() -> None:
    """Apply the course's figure style (``setup()`` calls this)."""
    plt.rcParams.update(STYLE)


def _as_image_batch(images, argument: str = "images") -> np.ndarray:
    x = np.asarray(images)
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim not in (3, 4) or (x.ndim == 4 and x.shape[-1] != 3) or len(x) == 0:
        raise ValueError(f"{argument}: expected a non-empty batch shaped (N, H, W), (N, H, W, 1) "
                         f"or (N, H, W, 3), got shape {np.shape(images)}")
    return x


def show_images(images, labels: Sequence | None = None, ncols: int = 10, title: str = "",
                cmap: str = "gray", size: float = 1.0, vmin: float | None = 0.0,
                vmax: float | None = 1.0):
    """A grid of images, ``ncols`` per row, each captioned with its label if given."""
    x = _as_image_batch(images)
    if isinstance(ncols, bool) or not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"ncols={ncols!r}: expected a positive whole number")
    if labels is not None and len(labels) != len(x):
        raise ValueError(f"labels: expected {len(x)} labels (one per image), got {len(labels)}")
    ncols = min(ncols, len(x))
    nrows = int(np.ceil(len(x) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.5),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i < len(x):
            ax.imshow(x[i], cmap=cmap, vmin=vmin, vmax=vmax)
            if labels is not None:
                ax.set_title(str(labels[i]), fontsize=8, fontweight="normal")
    fig.suptitle(title or f"{len(x)} images", fontweight="bold")
    fig.tight_layout()
    return fig


def plot_latent(z, labels=None, title: str = "Latent space", xlabel: str = "$z_1$",
                ylabel: str = "$z_2$", ax=None):
    """Scatter of 2-D codes ``z`` (N, 2), coloured by ``labels`` if given."""
    z = np.asarray(z)
    if z.ndim != 2 or z.shape[1] != 2:
        raise ValueError(f"z: expected 2-D codes shaped (N, 2), got shape {z.shape}")
    if labels is not None and len(labels) != len(z):
        raise ValueError(f"labels: expected {len(z)} labels (one per point), got {len(labels)}")
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(5.5, 4.5))
    if labels is None:
        ax.scatter(z[:, 0], z[:, 1], s=4, alpha=0.6)
    else:
        points = ax.scatter(z[:, 0], z[:, 1], c=labels, s=4, alpha=0.7, cmap="tab10")
        fig.colorbar(points, ax=ax, label="label")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return fig


def plot_history(history, keys: Sequence[str] | None = None, title: str = "Training",
                 xlabel: str = "epoch", ylabel: str = "value", ax=None):
    """Curves from a Keras ``History`` or a dict of lists; ``keys`` picks which to draw.

    A run of 0 epochs (an empty ``History``, as the negative control's runs give) draws empty
    axes that say so."""
    values = getattr(history, "history", history)
    if not isinstance(values, Mapping):
        raise ValueError("history: expected a keras History or a dict of lists")
    keys = list(values) if keys is None else [keys] if isinstance(keys, str) else list(keys)
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots()
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if not values or not any(len(v) for v in values.values()):
        _no_record(ax)
        return fig
    missing = [k for k in keys if k not in values]
    if missing:
        raise KeyError(f"keys {missing} are not in the history; it has {sorted(values)}")
    for key in keys:
        ax.plot(np.arange(1, len(values[key]) + 1), values[key], label=key)
    ax.legend()
    return fig


def _no_record(ax) -> None:
    ax.text(0.5, 0.5, "no training record (0 epochs or steps)", ha="center", va="center",
            transform=ax.transAxes, color="gray")


# Legend labels for the history keys of models.train_gan; other keys are shown as they are.
_GAN_LABELS = {"d_loss": "D's loss", "g_loss": "G's loss", "d_real_accuracy": "D on real samples",
               "d_fake_accuracy": "D on generated samples"}


def plot_gan_history(history: Mapping[str, Sequence[float]], title: str = "GAN training",
                     window: int = 10):
    """A GAN's training record per step, as moving averages over ``window`` steps: the losses
    on the left, the discriminator's accuracies (keys containing "accuracy") on the right.
    ``history`` is a dict of per-step lists, such as ``models.train_gan`` returns; with 0 steps
    (the negative control's runs) the panels are drawn empty and say so. (Notebook 07.)"""
    if not isinstance(history, Mapping) or not history:
        raise ValueError("history: expected a non-empty dict of per-step lists, e.g. what train_gan returns")
    values = {key: np.asarray(v, dtype=float) for key, v in history.items()}
    lengths = {key: v.shape for key, v in values.items()}
    if any(len(shape) != 1 for shape in lengths.values()):
        raise ValueError(f"history: expected a list of numbers per key, got shapes {lengths}")
    if len({v.size for v in values.values()}) != 1:
        raise ValueError(f"history: expected lists of one length (one number per step), got shapes {lengths}")
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"window={window!r}: expected a whole number of steps >= 1")
    window = max(1, min(int(window), min(v.size for v in values.values())))
    kernel = np.ones(window) / window
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(12, 3.8))
    for key, v in values.items():
        ax = ax_acc if "accuracy" in key.lower() else ax_loss
        smooth = np.convolve(v, kernel, mode="valid") if v.size else v
        ax.plot(np.arange(window, window + smooth.size), smooth, label=_GAN_LABELS.get(key, key))
    ax_loss.axhline(np.log(4), color="gray", linestyle=":", label="log 4 (D cannot tell)")
    ax_acc.axhline(0.5, color="gray", linestyle=":", label="chance")
    ax_loss.set(title="Losses", xlabel="training step", ylabel=f"loss ({window}-step average)")
    ax_acc.set(title="The discriminator's accuracy", xlabel="training step",
               ylabel=f"fraction right ({window}-step average)", ylim=(0, 1.05))
    for ax in (ax_loss, ax_acc):
        ax.legend(fontsize=8)
        if not next(iter(values.values())).size:
            _no_record(ax)
    fig.suptitle(title, fontweight="bold")
    fig.tight_layout()
    return fig


def plot_density_2d(log_prob: Callable[[np.ndarray], np.ndarray], extent=(-4, 4, -4, 4),
                    points=None, title: str = "log-density", resolution: int = 120, ax=None):
    """Heat map of a 2-D log-density ``log_prob`` (maps (N, 2) -> (N,)), with ``points`` on top."""
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) or resolution < 2:
        raise ValueError(f"resolution={resolution!r}: expected a whole number of grid points >= 2")
    if len(extent) != 4 or not (extent[0] < extent[1] and extent[2] < extent[3]):
        raise ValueError(f"extent={extent!r}: expected (xmin, xmax, ymin, ymax) with min < max")
    xs = np.linspace(extent[0], extent[1], resolution)
    ys = np.linspace(extent[2], extent[3], resolution)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2).astype(np.float32)
    values = np.asarray(log_prob(grid), dtype=np.float64).reshape(resolution, resolution)
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(5.5, 4.5))
    image = ax.imshow(np.maximum(values, values.max() - 12), origin="lower", extent=extent,
                      aspect="auto", cmap="magma")
    fig.colorbar(image, ax=ax, label="log p(x)")
    if points is not None:
        points = np.asarray(points)
        ax.scatter(points[:, 0], points[:, 1], s=2, c="white", alpha=0.4)
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$", xlim=extent[:2], ylim=extent[2:])
    ax.grid(False)
    return fig


def widget_frontend_present() -> bool:
    """Whether widgets can be shown: ipywidgets is installed and the kernel was started by a
    Jupyter server (JupyterLab, Notebook) or VS Code. Plain nbclient/nbmake runs (CI) have none."""
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return bool(os.environ.get("JPY_SESSION_NAME") or os.environ.get("VSCODE_PID"))


def latent_sliders(decode: Callable[[np.ndarray], np.ndarray], z0, value_range=(-3.0, 3.0),
                   names: Sequence[str] | None = None, interactive: bool | None = None,
                   steps: int = 7, title: str = "Moving one latent variable at a time"):
    """Sliders that move each latent variable of ``z0`` and redraw ``decode(z)``, for live demos.

    ``decode`` maps codes (N, d) to images (N, H, W) or (N, H, W, 1) in [0, 1]. With a widget
    frontend (or ``interactive=True``) this returns an ipywidgets box: one slider per latent
    variable and the decoded image. Without one (``interactive=False``, or CI) it returns a static
    Figure instead: one row per variable, ``steps`` values across ``value_range``, the others held
    at ``z0``. Introduced in notebook 06 (latent perturbation).
    """
    z0 = np.asarray(z0, dtype=np.float32)
    if z0.ndim != 1 or len(z0) < 1:
        raise ValueError(f"z0: expected one code shaped (d,), got shape {z0.shape}")
    if not callable(decode):
        raise TypeError("decode: expected a function mapping codes (N, d) to images")
    if len(value_range) != 2 or not value_range[0] < value_range[1]:
        raise ValueError(f"value_range={value_range!r}: expected (low, high) with low < high")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"steps={steps!r}: expected a whole number >= 2")
    names = [f"$z_{{{i + 1}}}$" for i in range(len(z0))] if names is None else list(names)
    if len(names) != len(z0):
        raise ValueError(f"names: expected {len(z0)} names (one per latent variable), got {len(names)}")
    interactive = widget_frontend_present() if interactive is None else interactive
    if interactive:
        return _slider_widget(decode, z0, value_range, names, title)
    values = np.linspace(*value_range, steps, dtype=np.float32)
    codes = np.repeat(z0[None, None, :], len(z0), axis=0).repeat(steps, axis=1)  # (d, steps, d)
    for dim in range(len(z0)):
        codes[dim, :, dim] = values
    images = _as_image_batch(np.asarray(decode(codes.reshape(-1, len(z0)))), "decode(z)")
    fig, axes = plt.subplots(len(z0), steps, figsize=(0.9 * steps + 0.8, 0.9 * len(z0) + 0.6),
                             squeeze=False)
    for (dim, step), ax in np.ndenumerate(np.array(axes, dtype=object)):
        ax.imshow(images[dim * steps + step], cmap="gray", vmin=0, vmax=1)
        ax.set_xticks([]), ax.set_yticks([])
        if dim == len(z0) - 1:
            ax.set_xlabel(f"{values[step]:+.1f}", fontsize=8)
        if step == 0:
            ax.set_ylabel(names[dim], rotation=0, ha="right", va="center", fontsize=9)
    fig.suptitle(f"{title} (static: no widget frontend)", fontweight="bold")
    fig.tight_layout()
    return fig


def _slider_widget(decode, z0, value_range, names, title):
    import ipywidgets as widgets

    sliders = [widgets.FloatSlider(value=float(v), min=value_range[0], max=value_range[1],
                                   step=0.05, description=f"z{i + 1}", continuous_update=True)
               for i, v in enumerate(z0)]
    for slider, name in zip(sliders, names):
        slider.tooltip = name
    output = widgets.Output()

    def redraw(*_):
        z = np.array([[s.value for s in sliders]], dtype=np.float32)
        image = _as_image_batch(np.asarray(decode(z)), "decode(z)")[0]
        with output:
            output.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(3, 3))
            ax.imshow(image, cmap="gray", vmin=0, vmax=1)
            ax.set(title=title, xticks=[], yticks=[])
            plt.show()
        return image

    for slider in sliders:
        slider.observe(redraw, names="value")
    box = widgets.HBox([widgets.VBox(sliders), output])
    box.redraw = redraw
    redraw()
    return box
