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
