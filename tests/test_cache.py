"""The trained-weights cache (course_utils.cache): train once, load after."""

import numpy as np
import pytest

from course_utils import cache


@pytest.fixture(autouse=True)
def tmp_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV_VAR, str(tmp_path / "cache"))
    return tmp_path / "cache"


def _build(units=3):
    import keras

    return lambda: keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(units)])


def _train(calls):
    def train(model):
        calls.append(1)
        model.layers[0].kernel.assign(np.full((4, model.layers[0].units), 0.5, "float32"))
    return train


def test_cache_dir_follows_the_environment(tmp_cache):
    assert cache.cache_dir() == tmp_cache


def test_second_call_loads_instead_of_training_and_gives_the_same_model():
    calls = []
    first, loaded_first = cache.load_or_train("tiny", _build(), _train(calls), verbose=False, epochs=1)
    second, loaded_second = cache.load_or_train("tiny", _build(), _train(calls), verbose=False, epochs=1)
    assert (loaded_first, loaded_second) == (False, True) and len(calls) == 1
    x = np.ones((2, 4), "float32")
    np.testing.assert_allclose(second.predict(x, verbose=0), first.predict(x, verbose=0))


def test_key_changes_with_settings_and_architecture():
    calls = []
    cache.load_or_train("tiny", _build(), _train(calls), verbose=False, epochs=1)
    cache.load_or_train("tiny", _build(), _train(calls), verbose=False, epochs=2)
    cache.load_or_train("tiny", _build(units=5), _train(calls), verbose=False, epochs=1)
    assert len(calls) == 3


def test_key_ignores_layer_names():
    assert cache.cache_key(_build()(), a=1) == cache.cache_key(_build()(), a=1)
    assert cache.cache_key(_build()(), a=1) != cache.cache_key(_build()(), a=2)


def test_entries_of_an_older_cache_format_are_not_loaded(monkeypatch):
    calls = []
    cache.load_or_train("tiny", _build(), _train(calls), verbose=False, epochs=1)
    monkeypatch.setattr(cache, "CACHE_FORMAT", cache.CACHE_FORMAT + 1)
    _, loaded = cache.load_or_train("tiny", _build(), _train(calls), verbose=False, epochs=1)
    assert not loaded and len(calls) == 2


def test_clear_cache(capsys):
    calls = []
    cache.load_or_train("tiny", _build(), _train(calls), epochs=1)
    assert "trained, and cached" in capsys.readouterr().out
    cache.load_or_train("other", _build(), _train(calls), verbose=False, epochs=1)
    assert cache.clear_cache("tiny") == 1
    assert cache.clear_cache() == 1
    assert cache.clear_cache() == 0
    cache.load_or_train("tiny", _build(), _train(calls), verbose=False, epochs=1)
    assert len(calls) == 3


@pytest.mark.parametrize("name", ["", "a/b", "../x", None, 3])
def test_bad_names(name):
    with pytest.raises(ValueError, match="name="):
        cache.load_or_train(name, _build(), _train([]))
    if name is not None:
        with pytest.raises(ValueError, match="name="):
            cache.clear_cache(name)


def test_bad_build_or_train():
    with pytest.raises(TypeError, match="build and train"):
        cache.load_or_train("tiny", None, _train([]))
    with pytest.raises(TypeError, match="model="):
        cache.cache_key(object())


def test_training_record_is_cached_with_the_weights(tmp_cache):
    def train(model):
        return {"seconds": np.float32(1.5), "history": {"loss": np.array([3.0, 2.0])}}

    first, _ = cache.load_or_train("tiny", _build(), train, verbose=False)
    second, loaded = cache.load_or_train("tiny", _build(), train, verbose=False)
    assert loaded and first.training_record == second.training_record
    assert second.training_record == {"seconds": 1.5, "history": {"loss": [3.0, 2.0]}}
    assert cache.clear_cache("tiny") == 1 and not list(tmp_cache.iterdir())


def test_no_record_when_train_returns_nothing():
    model, _ = cache.load_or_train("tiny", _build(), _train([]), verbose=False)
    again, _ = cache.load_or_train("tiny", _build(), _train([]), verbose=False)
    assert model.training_record is None and again.training_record is None


def test_train_must_return_a_dict_or_nothing():
    with pytest.raises(TypeError, match="train returned a list"):
        cache.load_or_train("tiny", _build(), lambda model: [1, 2], verbose=False)


def _functional_vae_like():
    import keras

    inputs = keras.Input(shape=(4,))
    hidden = keras.layers.Dense(3, activation="relu")(inputs)
    outputs = [keras.layers.Dense(2)(hidden), keras.layers.Dense(2)(hidden)]
    return keras.Model(inputs, outputs)


def test_key_ignores_layer_names_in_functional_models():
    # Functional configs refer to layers by name (keras_history, input_layers): a second build
    # numbers them anew, and must still give the same key.
    first, second = _functional_vae_like(), _functional_vae_like()
    assert first.layers[1].name != second.layers[1].name
    assert cache.cache_key(first, a=1) == cache.cache_key(second, a=1)


def test_key_still_sees_how_functional_layers_are_wired():
    import keras

    inputs = keras.Input(shape=(4,))
    a = keras.layers.Dense(4)(inputs)
    chained = keras.Model(inputs, keras.layers.Dense(2)(a))
    inputs = keras.Input(shape=(4,))
    keras.layers.Dense(4)(inputs)
    skipped = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    assert cache.cache_key(chained) != cache.cache_key(skipped)


def test_vae_from_build_vae_is_found_again():
    from course_utils.models import build_vae

    calls = []
    for _ in range(2):
        cache.load_or_train("vae", lambda: build_vae(2, image_shape=(4, 4, 1), hidden=8),
                            lambda model: calls.append(1), verbose=False, epochs=1)
    assert len(calls) == 1


def test_store_then_load_or_train_loads_it():
    import keras

    model = _build()()
    model.layers[0].kernel.assign(np.full((4, 3), 0.25, "float32"))
    cache.store("tiny", model, {"seconds": 2.0}, verbose=False, epochs=7)
    calls = []
    loaded_model, loaded = cache.load_or_train("tiny", _build(), _train(calls), verbose=False, epochs=7)
    assert loaded and not calls and loaded_model.training_record == {"seconds": 2.0}
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded_model.layers[0].kernel), 0.25)
    cache.load_or_train("tiny", _build(), _train(calls), verbose=False, epochs=8)
    assert len(calls) == 1  # other settings, another key


def test_store_bad_arguments():
    with pytest.raises(ValueError, match="name="):
        cache.store("a/b", _build()())
    with pytest.raises(TypeError, match="record"):
        cache.store("tiny", _build()(), record=[1])


def test_key_ignores_where_a_layer_class_was_defined_and_registered():
    """Notebook 05's Sampling (registered as course>Sampling, in __main__) and its promoted copy
    (course_utils>Sampling, in course_utils.models) are the same architecture; another class is not."""
    config = {"class_name": "Sampling", "module": "__main__", "registered_name": "course>Sampling",
              "config": {"name": "sampling", "seed": 7}}
    promoted = {**config, "module": "course_utils.models", "registered_name": "course_utils>Sampling"}
    other = {**config, "registered_name": "course>Resampling"}
    assert cache._without_names(config) == cache._without_names(promoted)
    assert cache._without_names(config) != cache._without_names(other)
