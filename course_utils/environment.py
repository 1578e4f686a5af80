"""``setup()``: the one call at the top of every notebook.

It checks Keras and its backend, turns on GPU memory growth (TensorFlow), seeds every random
number generator, sets the figure style, and prints what a student or instructor needs to know:
versions, backend, device, tier and where the data comes from.
"""

from __future__ import annotations

import numbers
import os
import platform
import warnings
from dataclasses import dataclass

from course_utils import backend as _backend

MIN_KERAS_MAJOR = 3


@dataclass(frozen=True)
class CourseEnvironment:
    """What :func:`setup` found, for notebooks that want to show or branch on it."""

    keras_version: str
    backend: str
    framework_version: str
    gpus: tuple[str, ...]
    tier: str
    mnist_source: str
    seed: int

    @property
    def device(self) -> str:
        return ", ".join(self.gpus) if self.gpus else "CPU only"


def check_keras_version(version: str) -> None:
    """Raise a clear error unless ``version`` is Keras 3 or newer."""
    try:
        major = int(str(version).split(".")[0])
    except ValueError:
        raise RuntimeError(f"Keras version {version!r} is not understood; this course needs "
                           f"Keras {MIN_KERAS_MAJOR} or newer") from None
    if major < MIN_KERAS_MAJOR:
        raise RuntimeError(
            f"Keras {version} is installed, but this course needs Keras {MIN_KERAS_MAJOR} or "
            f"newer: pip install --upgrade 'keras>={MIN_KERAS_MAJOR}' (tf.keras 2 will not do)."
        )


def setup(seed: int = 42, verbose: bool = True) -> CourseEnvironment:
    """Check, seed and report. Call once, first, in every notebook; returns what it found."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed={seed!r}: expected a non-negative whole number")
    seed = int(seed)
    from course_utils.data import resolve_mnist_source, SOURCE_LABELS
    from course_utils.plotting import set_style
    from course_utils.settings import current_tier

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TensorFlow's start-up chatter
    # PyTorch's OpenMP threads otherwise spin while waiting: on a busy 2-core laptop one epoch
    # took 5-12 s instead of 0.8 s (measured for notebook 09). Read when torch is first imported.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    name = _backend.configured_backend()
    with _backend.quiet_startup():  # the framework's C++ start-up lines, not the rest
        _backend.require_backend(name)
        _backend.enable_memory_growth()  # before anything touches a GPU

        import keras

        check_keras_version(keras.__version__)
        keras.utils.set_random_seed(seed)  # Python, NumPy and the backend's generators
        gpus = _backend.gpu_devices(name)
    set_style()

    source, reason = resolve_mnist_source("auto")
    env = CourseEnvironment(
        keras_version=keras.__version__,
        backend=keras.backend.backend(),
        framework_version=_backend.framework_version(name),
        gpus=gpus,
        tier=current_tier(gpu_available=bool(gpus)),
        mnist_source=f"{SOURCE_LABELS[source]} [{reason}]",
        seed=seed,
    )
    if verbose:
        print(f"Python {platform.python_version()} | Keras {env.keras_version} | "
              f"backend {env.backend} {env.framework_version}")
        print(f"Device: {env.device} | tier: {env.tier} | seed: {env.seed}")
        print(f"MNIST: {env.mnist_source}")
    if not gpus:
        warnings.warn(
            "No GPU visible: running on the CPU. Every notebook still works; the tier "
            f"'{env.tier}' keeps the work small enough for a CPU.", UserWarning, stacklevel=2)
    return env
