"""The VAE pieces promoted from notebook 05 (course_utils.models)."""

import numpy as np
import pytest
import keras
from keras import ops

from course_utils.models import VAE, Sampling, build_vae, kl_divergence


def test_kl_divergence_closed_form_matches_monte_carlo():
    rng = np.random.default_rng(0)
    mu, log_var = np.array([[0.8, -1.5]]), np.array([[-0.7, 0.4]])
    z = mu + np.exp(0.5 * log_var) * rng.standard_normal((400_000, 2))
    log_q = -0.5 * np.sum(np.log(2 * np.pi) + log_var + (z - mu) ** 2 / np.exp(log_var), axis=1)
    log_p = -0.5 * np.sum(np.log(2 * np.pi) + z**2, axis=1)
    closed = float(ops.convert_to_numpy(kl_divergence(mu, log_var))[0])
    assert closed == pytest.approx(np.mean(log_q - log_p), rel=0.01)
    assert float(ops.convert_to_numpy(kl_divergence(np.zeros((1, 3)), np.zeros((1, 3))))[0]) == 0.0


def test_sampling_mean_std_and_seed():
    mu, log_var = ops.full((20_000, 2), 1.5), ops.full((20_000, 2), np.log(0.64))
    a = ops.convert_to_numpy(Sampling(seed=0)([mu, log_var]))
    b = ops.convert_to_numpy(Sampling(seed=0)([mu, log_var]))
    assert a.mean() == pytest.approx(1.5, abs=0.02) and a.std() == pytest.approx(0.8, rel=0.02)
    np.testing.assert_array_equal(a, b)


def _tiny_vae(kl_weight=1.0):
    inputs = keras.Input(shape=(4, 4, 1))
    h = keras.layers.Flatten()(inputs)
    mu, log_var = keras.layers.Dense(2)(h), keras.layers.Dense(2)(h)
    encoder = keras.Model(inputs, [mu, log_var, Sampling(seed=1)([mu, log_var])])
    decoder = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(16), keras.layers.Reshape((4, 4, 1))])
    return VAE(encoder, decoder, kl_weight=kl_weight)


def test_vae_trains_and_its_loss_is_reconstruction_plus_weighted_kl():
    x = (np.random.default_rng(0).uniform(size=(64, 4, 4, 1)) > 0.5).astype("float32")
    vae = _tiny_vae(kl_weight=2.0)
    vae.compile(optimizer=keras.optimizers.Adam(1e-2))
    history = vae.fit(x, epochs=5, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    outputs = vae(x)
    reconstruction, kl = (ops.convert_to_numpy(t) for t in vae.losses_per_image(x, outputs))
    assert reconstruction.shape == kl.shape == (64,)
    loss = float(ops.convert_to_numpy(vae.compute_loss(x=x, y_pred=outputs)))
    assert loss == pytest.approx(float(np.mean(reconstruction + 2.0 * kl)), rel=1e-5)


def test_vae_saves_and_loads_in_safe_mode(tmp_path):
    vae = _tiny_vae(kl_weight=3.0)
    x = np.zeros((2, 4, 4, 1), "float32")
    vae(x)
    vae.save(tmp_path / "vae.keras")
    reloaded = keras.saving.load_model(tmp_path / "vae.keras", safe_mode=True)
    assert reloaded.kl_weight == 3.0
    np.testing.assert_allclose(ops.convert_to_numpy(reloaded.encoder(x)[0]),
                               ops.convert_to_numpy(vae.encoder(x)[0]), atol=1e-6)


def test_build_vae_shapes_beta_and_training():
    keras.utils.set_random_seed(0)
    vae = build_vae(3, image_shape=(8, 8, 1), hidden=16, kl_weight=4.0)
    x = np.random.default_rng(0).random((64, 8, 8, 1)).astype("float32")
    logits, mu, log_var = vae(x)
    assert tuple(logits.shape) == (64, 8, 8, 1) and tuple(mu.shape) == (64, 3)
    assert vae.kl_weight == 4.0
    vae.compile(optimizer=keras.optimizers.Adam(1e-2))
    history = vae.fit(x, epochs=5, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


@pytest.mark.parametrize("kwargs, match", [({"latent_dim": 0}, "latent_dim"),
                                           ({"latent_dim": 2.5}, "latent_dim"),
                                           ({"latent_dim": 2, "hidden": 0}, "hidden"),
                                           ({"latent_dim": 2, "image_shape": (28, -1)}, "image_shape")])
def test_build_vae_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        build_vae(**kwargs)
