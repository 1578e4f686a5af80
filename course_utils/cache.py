"""Trained-weights cache: train a model once, load its weights every time after.

The key is everything that changes the result: the model's architecture (its config), the
caller's settings (epochs, data, seed...), the Keras backend and the Keras version. Weights live
in ``$COURSE_CACHE_DIR`` (default ``~/.cache/deep-generative-models``)::

    model, loaded = load_or_train("classifier", build, train, epochs=3, n_train=4000)
    clear_cache()            # forget everything (or clear_cache("classifier"))

If ``train`` returns a dict of JSON values (a history, the seconds it took), it is cached beside
the weights and set as ``model.training_record`` after training and after loading alike.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable

CACHE_ENV_VAR = "COURSE_CACHE_DIR"


def cache_dir() -> Path:
    """The cache folder (created on demand)."""
    return Path(os.environ.get(CACHE_ENV_VAR, "~/.cache/deep-generative-models")).expanduser()


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name or not all(c.isalnum() or c in "-_" for c in name):
        raise ValueError(f"name={name!r}: expected a non-empty name of letters, digits, '-' and '_'")


def _without_names(config):
    """The config minus layer names, which Keras numbers anew (dense, dense_1...) in each build."""
    if isinstance(config, dict):
        return {k: _without_names(v) for k, v in config.items() if k != "name"}
    if isinstance(config, (list, tuple)):
        return [_without_names(v) for v in config]
    return config


def cache_key(model, **parts: Any) -> str:
    """A short hash of the model's architecture, ``parts``, the backend and the Keras version."""
    import keras

    try:
        architecture = _without_names(model.get_config())
        described = json.dumps({"architecture": architecture, "parts": parts,
                                "backend": keras.backend.backend(), "keras": keras.__version__},
                               sort_keys=True, default=repr)
    except AttributeError:
        raise TypeError(f"model={model!r}: expected a Keras model") from None
    return hashlib.sha256(described.encode()).hexdigest()[:16]


def _json_number(value):
    """NumPy scalars and arrays in a training record, as plain JSON numbers and lists."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"a {type(value).__name__} in the training record is not JSON-serialisable")


def load_or_train(name: str, build: Callable[[], Any], train: Callable[[Any], Any],
                  verbose: bool = True, **parts: Any):
    """Build the model; load its cached weights if this exact key was trained before, else train
    it with ``train(model)`` and cache the weights. Returns ``(model, loaded)``.

    What ``train`` returns, if a dict, is kept as ``model.training_record`` (cached as JSON)."""
    _check_name(name)
    if not callable(build) or not callable(train):
        raise TypeError("build and train: expected functions (build() -> model, train(model))")
    model = build()
    path = cache_dir() / f"{name}-{cache_key(model, **parts)}.weights.h5"
    record_path = path.with_name(path.name.replace(".weights.h5", ".json"))
    if path.exists():
        model.load_weights(path)
        model.training_record = (json.loads(record_path.read_text())
                                 if record_path.exists() else None)
        if verbose:
            print(f"{name}: loaded trained weights from the cache ({path})")
        return model, True
    record = train(model)
    if record is not None and not isinstance(record, dict):
        raise TypeError(f"train returned a {type(record).__name__}; expected None or a dict "
                        "of JSON values (e.g. a history), which is cached with the weights")
    path.parent.mkdir(parents=True, exist_ok=True)
    if record is not None:  # kept as it will load: plain JSON numbers and lists
        record_path.write_text(json.dumps(record, default=_json_number))
        record = json.loads(record_path.read_text())
    model.training_record = record
    model.save_weights(path)
    if verbose:
        print(f"{name}: trained, and cached at {path}")
    return model, False


def clear_cache(name: str | None = None) -> int:
    """Delete the cached weights of ``name`` (default: of every model); returns how many files."""
    if name is not None:
        _check_name(name)
    folder = cache_dir()
    if not folder.is_dir():
        return 0
    files = list(folder.glob(f"{name}-*.weights.h5" if name else "*.weights.h5"))
    records = [p.with_name(p.name.replace(".weights.h5", ".json")) for p in files]
    for path in records:
        path.unlink(missing_ok=True)
    for path in files:
        path.unlink()
    return len(files)
