"""The backend-specific pieces of the course, one version per backend, all in this file.

Keras 3 runs the same model code on TensorFlow, PyTorch and JAX. The little that differs
(which framework is behind Keras, which GPUs it sees, GPU memory growth, and how to take a
gradient for a hand-written training step: ``value_and_grad``) lives here so the notebooks stay
backend-neutral.
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


# ------------------------------------------------------------------------------ gradients
# Keras 3's ``fit`` hides the gradient code; a GAN's training step cannot use ``fit``, because
# it updates two models with two losses. Computing a gradient is the one thing that differs
# between backends, so it is written here, once per backend, and nowhere else.


def value_and_grad(loss_fn, variables):
    """Call ``loss_fn()`` and return ``(loss, gradients)`` of the loss w.r.t. ``variables``.

    ``loss_fn`` takes no arguments and returns a scalar tensor; it calls models as usual.
    ``variables`` is a list of Keras variables (e.g. ``model.trainable_variables``); the
    gradients come in the same order, ready for ``optimizer.apply_gradients(zip(grads, variables))``.
    Updates the loss makes to other state (batch-norm statistics, random-seed counters) are
    kept on every backend. Introduced in notebook 07 for the GAN's training step.
    """
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be a function of no arguments returning a scalar loss, "
                        f"got {type(loss_fn).__name__}")
    variables = list(variables)
    if not variables:
        raise ValueError("variables is empty; expected the Keras variables to differentiate, "
                         "e.g. model.trainable_variables (is the model built?)")
    for v in variables:
        if not (hasattr(v, "assign") and hasattr(v, "value") and hasattr(v, "trainable")):
            raise TypeError(f"variables must hold Keras variables, got a {type(v).__name__}")
    name = configured_backend()
    loss, grads = _VALUE_AND_GRAD[name](loss_fn, variables)
    # TensorFlow and PyTorch report an unused variable as None (JAX gives zeros).
    unused = [v.path for v, g in zip(variables, grads) if g is None]
    if unused:
        raise ValueError(f"the loss does not depend on {len(unused)} of the variables "
                         f"(first: {unused[0]}); pass only the variables the loss uses")
    return loss, list(grads)


def _check_scalar(loss):
    if len(getattr(loss, "shape", ())) != 0:
        raise ValueError(f"loss_fn must return a scalar, got shape {tuple(loss.shape)}; "
                         "reduce it, e.g. with keras.ops.mean")
    return loss


def _value_and_grad_tensorflow(loss_fn, variables):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = _check_scalar(loss_fn())
    return loss, tape.gradient(loss, variables)


def _value_and_grad_torch(loss_fn, variables):
    import torch

    with torch.enable_grad():
        loss = _check_scalar(loss_fn())
        grads = torch.autograd.grad(loss, [v.value for v in variables], allow_unused=True)
    return loss.detach(), grads


def _value_and_grad_jax(loss_fn, variables):
    # JAX differentiates pure functions of arrays: run loss_fn in a StatelessScope that maps
    # each variable to the array being differentiated, record every state update it makes,
    # and write those updates back afterwards.
    import jax
    from keras import StatelessScope

    updated = []  # the variables loss_fn assigned to, in the order of their new values

    class _Recording(StatelessScope):
        def add_update(self, update):
            super().add_update(update)
            if all(v is not update[0] for v in updated):
                updated.append(update[0])

    def pure(values):
        updated.clear()
        with _Recording(state_mapping=list(zip(variables, values))) as scope:
            loss = _check_scalar(loss_fn())
            new_state = [scope.get_current_value(v) for v in updated]
        return loss, new_state

    (loss, new_state), grads = jax.value_and_grad(pure, has_aux=True)(
        [v.value for v in variables])
    for v, value in zip(updated, new_state):
        if all(v is not w for w in variables):  # trainable values are the optimizer's to change
            v.assign(value)
    return loss, grads


_VALUE_AND_GRAD = {"tensorflow": _value_and_grad_tensorflow, "torch": _value_and_grad_torch,
                   "jax": _value_and_grad_jax}


# ------------------------------------------------------------------------------ optimizer steps
# On TensorFlow an eager Keras optimizer step is slow for a small network (measured on 2 CPU
# cores: 11-18 ms per apply_gradients for the DCGAN's discriminator, 0.5 ms compiled with
# tf.function; PyTorch takes 0.3 ms eagerly). Hand-written training steps call the optimizer
# hundreds of times, so on TensorFlow this compiles the update, once per list of variables.


def fast_optimizer(optimizer):
    """Return ``optimizer``, with ``apply_gradients`` compiled on TensorFlow (``tf.function``).

    The update is the same; only its speed changes. On PyTorch and JAX the optimizer comes back
    untouched. Use it like the optimizer itself:
    ``optimizer = fast_optimizer(keras.optimizers.Adam(1e-3))``, then
    ``optimizer.apply_gradients(zip(grads, variables))``. Introduced in notebook 07.
    """
    import keras

    if not isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError(f"optimizer: expected a Keras optimizer, e.g. keras.optimizers.Adam(1e-3), "
                        f"got {type(optimizer).__name__}")
    if configured_backend() != "tensorflow" or getattr(optimizer, "_course_compiled", False):
        return optimizer
    import tensorflow as tf

    compiled = {}  # one tf.function per list of variables (a growing GAN updates several)

    def apply_gradients(grads_and_vars):
        grads, variables = zip(*grads_and_vars)
        if any(g is None for g in grads):
            raise ValueError("a gradient is None; pass only the variables the loss uses")
        key = tuple(id(v) for v in variables)
        if key not in compiled:
            if not optimizer.built:  # create the slot variables outside the compiled function
                optimizer.build(list(variables))
            compiled[key] = tf.function(functools.partial(_apply, optimizer, list(variables)))
        compiled[key](list(grads))
        return optimizer.iterations

    optimizer.apply_gradients = apply_gradients
    optimizer._course_compiled = True
    return optimizer


def _apply(optimizer, variables, grads):
    optimizer.apply(grads, variables)
