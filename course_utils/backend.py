"""The backend-specific pieces of the course, one version per backend, all in this file.

Keras 3 runs the same model code on TensorFlow, PyTorch and JAX. The little that differs
(which framework is behind Keras, which GPUs it sees, GPU memory growth) lives here so the
notebooks stay backend-neutral.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import json
import os
from pathlib import Path

# Keras backend name -> (module to import, pip distribution that provides it, install hint).
BACKENDS = {
    "tensorflow": ("tensorflow", "tensorflow", "pip install tensorflow"),
    "torch": ("torch", "torch", "pip install torch"),
    "jax": ("jax", "jax", "pip install jax"),
}


def configured_backend() -> str:
    """The backend Keras will use, read the way Keras reads it, without importing Keras.

    ``$KERAS_BACKEND`` wins; otherwise ``keras.json`` in ``$KERAS_HOME`` (default ``~/.keras``);
    otherwise ``tensorflow``.
    """
    name = os.environ.get("KERAS_BACKEND", "").strip()
    if not name:
        home = Path(os.environ.get("KERAS_HOME", "~/.keras")).expanduser()
        try:
            name = json.loads((home / "keras.json").read_text()).get("backend", "")
        except (OSError, ValueError):
            name = ""
    return name or "tensorflow"


def require_backend(name: str) -> None:
    """Raise a clear error if ``name`` is not a backend the course runs on, or is not installed."""
    if name not in BACKENDS:
        raise RuntimeError(
            f"KERAS_BACKEND={name!r} is not a backend this course supports; "
            f"expected one of {', '.join(BACKENDS)}"
        )
    module, _, hint = BACKENDS[name]
    if importlib.util.find_spec(module) is None:
        raise RuntimeError(
            f"Keras is set to the {name!r} backend, but {module} is not installed. "
            f"Install it ({hint}) or choose another backend, e.g. KERAS_BACKEND=tensorflow."
        )


def framework_version(name: str) -> str:
    """The installed version of the framework behind backend ``name``."""
    if name not in BACKENDS:
        raise ValueError(f"name={name!r} is not a backend; expected one of {', '.join(BACKENDS)}")
    try:
        return importlib.metadata.version(BACKENDS[name][1])
    except importlib.metadata.PackageNotFoundError:
        module = importlib.import_module(BACKENDS[name][0])
        return getattr(module, "__version__", "unknown")


@functools.lru_cache(maxsize=None)
def _gpu_devices(name: str) -> tuple[str, ...]:
    if name == "tensorflow":
        import tensorflow as tf

        return tuple(d.name for d in tf.config.list_physical_devices("GPU"))
    if name == "torch":
        import torch

        if not torch.cuda.is_available():
            return ()
        return tuple(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
    if name == "jax":
        import jax

        return tuple(str(d) for d in jax.devices() if d.platform == "gpu")
    raise ValueError(f"name={name!r} is not a backend; expected one of {', '.join(BACKENDS)}")


def gpu_devices(name: str | None = None) -> tuple[str, ...]:
    """Names of the GPUs backend ``name`` (default: the configured one) can use; empty if none."""
    name = configured_backend() if name is None else name
    require_backend(name)
    return _gpu_devices(name)


def enable_memory_growth() -> int:
    """On TensorFlow, let each GPU's memory grow on demand so several notebooks share one GPU.

    TensorFlow otherwise takes nearly all GPU memory at start. PyTorch and JAX need nothing
    here (JAX's preallocation is set with ``XLA_PYTHON_CLIENT_PREALLOCATE``). Returns the number
    of GPUs changed. Must run before TensorFlow first uses a GPU.
    """
    if configured_backend() != "tensorflow":
        return 0
    import tensorflow as tf

    changed = 0
    for gpu in tf.config.list_physical_devices("GPU"):
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
            changed += 1
        except RuntimeError:  # the GPU was already initialised: growth is fixed by then
            pass
    return changed
