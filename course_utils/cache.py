"""Trained-weights cache: train a model once, load its weights every time after.

The key is everything that changes the result: the model's architecture (its config), the
caller's settings (epochs, data, seed...), the Keras backend and the Keras version. Weights live
in ``$COURSE_CACHE_DIR`` (default ``~/.cache/deep-generative-models``)::

    model, loaded = load_or_train("classifier", build, train, epochs=3, n_train=4000)
    clear_cache()            # forget everything (or clear_cache("classifier"))
    store("classifier", trained_model, record, epochs=3, n_train=4000)  # trained elsewhere

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
# Part of every key: raised when what an entry holds changes, so older entries are not loaded.
# 2: entries carry their training record (what ``train`` returned) beside the weights.
CACHE_FORMAT = 2


def cache_dir() -> Path:
    """The cache folder (created on demand)."""
    return Path(os.environ.get(CACHE_ENV_VAR, "~/.cache/deep-generative-models")).expanduser()


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name or not all(c.isalnum() or c in "-_" for c in name):
        raise ValueError(f"name={name!r}: expected a non-empty name of letters, digits, '-' and '_'")


def _layer_names(config, found=None) -> dict:
    """Every ``name`` in the config, in order of appearance, mapped to a canonical ``n0``, ``n1``..."""
    found = {} if found is None else found
    if isinstance(config, dict):
        if isinstance(config.get("name"), str):
            found.setdefault(config["name"], f"n{len(found)}")
        for value in config.values():
            _layer_names(value, found)
    elif isinstance(config, (list, tuple)):
        for value in config:
            _layer_names(value, found)
    return found


def _without_names(config, names=None):
    """The config with layer names, which Keras numbers anew in each build (dense, dense_1...),
    replaced by their order of appearance, also where a functional model refers to a layer. A layer's
    ``module`` (where its class was defined: a notebook's ``__main__`` or ``course_utils.models``
    for the same promoted layer) is left out too, and so is the package of its ``registered_name``
    (``course>Sampling`` in notebook 05, ``course_utils>Sampling`` in ``course_utils.models``): neither
    is part of the architecture."""
    names = _layer_names(config) if names is None else names
    if isinstance(config, dict):
        return {k: (v.rpartition(">")[2] if k == "registered_name" and isinstance(v, str)
                    else _without_names(v, names))
                for k, v in config.items() if k != "module"}
    if isinstance(config, (list, tuple)):
        return [_without_names(v, names) for v in config]
    if isinstance(config, str):
        return names.get(config, config)
    return config


def cache_key(model, **parts: Any) -> str:
    """A short hash of the model's architecture, ``parts``, the backend, the Keras version, the
    cache's format and the MNIST source last loaded (full or offline digits train different
    models)."""
    import keras

    from course_utils.data import mnist_source_used

    try:
        architecture = _without_names(model.get_config())
        described = json.dumps({"architecture": architecture, "parts": parts,
                                "backend": keras.backend.backend(), "keras": keras.__version__,
                                "format": CACHE_FORMAT, "mnist_source": mnist_source_used()},
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
    path, record_path = _paths(name, model, parts)
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
    _save(model, record, path, record_path)
    if verbose:
        print(f"{name}: trained, and cached at {path}")
    return model, False


def _paths(name: str, model, parts: dict) -> tuple[Path, Path]:
    path = cache_dir() / f"{name}-{cache_key(model, **parts)}.weights.h5"
    return path, path.with_name(path.name.replace(".weights.h5", ".json"))


def _save(model, record, path: Path, record_path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if record is not None:  # kept as it will load: plain JSON numbers and lists
        record_path.write_text(json.dumps(record, default=_json_number))
        record = json.loads(record_path.read_text())
    model.training_record = record
    model.save_weights(path)


def store(name: str, model, record: dict | None = None, verbose: bool = True, **parts: Any) -> Path:
    """Put a model trained elsewhere into the cache, under the key ``load_or_train`` would use
    for the same name, architecture and ``parts``; ``record`` is kept as its training record.

    A notebook that trains a model in full (to show the training) stores it; a later notebook's
    ``load_or_train`` with the same name, builder and parts then loads it. Returns the path."""
    _check_name(name)
    if record is not None and not isinstance(record, dict):
        raise TypeError(f"record: expected None or a dict of JSON values, got {type(record).__name__}")
    path, record_path = _paths(name, model, parts)
    _save(model, record, path, record_path)
    if verbose:
        print(f"{name}: stored in the cache at {path}")
    return path


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
