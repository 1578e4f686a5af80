"""Models promoted from the notebooks (course_utils.models): the VAE of 05, the DCGAN of 07."""

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


def test_train_vae_record_falls_and_is_empty_for_zero_epochs():
    keras.utils.set_random_seed(0)
    vae = build_vae(3, image_shape=(8, 8, 1), hidden=16)
    x = np.random.default_rng(0).random((64, 8, 8, 1)).astype("float32")
    record = models.train_vae(vae, x, 5, 32, 1e-2)
    assert set(record) == {"seconds", "history"} and record["seconds"] > 0
    assert len(record["history"]["loss"]) == 5 and record["history"]["loss"][-1] < record["history"]["loss"][0]
    assert models.train_vae(vae, x, 0, 32, 1e-2)["history"] == {"loss": []}


@pytest.mark.parametrize("args, error, match", [
    (("not a model", 1, 8, 1e-3), TypeError, "vae: expected a Keras model"),
    ((None, -1, 8, 1e-3), ValueError, "epochs=-1"),
    ((None, 1.5, 8, 1e-3), ValueError, "epochs=1.5"),
    ((None, 1, 0, 1e-3), ValueError, "batch_size=0"),
    ((None, 1, 8, 0.0), ValueError, "learning_rate=0.0")])
def test_train_vae_bad_arguments(args, error, match):
    vae = build_vae(2, image_shape=(4, 4, 1), hidden=4) if args[0] is None else args[0]
    with pytest.raises(error, match=match):
        models.train_vae(vae, np.zeros((4, 4, 4, 1), "float32"), *args[1:])


# ---------------------------------------------------------------- the DCGAN of notebook 07

from course_utils.models import (build_dcgan_discriminator, build_dcgan_generator,  # noqa: E402
                                 discriminator_loss, generator_loss, train_gan)

HISTORY_KEYS = ["d_loss", "g_loss", "d_real_accuracy", "d_fake_accuracy"]


def test_dcgan_shapes():
    generator, discriminator = build_dcgan_generator(16), build_dcgan_discriminator()
    images = ops.convert_to_numpy(generator(np.zeros((3, 16), "float32"), training=False))
    assert images.shape == (3, 28, 28, 1) and images.min() >= 0 and images.max() <= 1
    assert ops.convert_to_numpy(discriminator(images)).shape == (3, 1)
    assert [type(layer).__name__ for layer in generator.layers].count("Conv2DTranspose") == 2


def test_gan_losses_match_their_formulas():
    real, fake = np.array([[2.0], [-1.0]], "float32"), np.array([[0.0], [3.0]], "float32")
    sigmoid = lambda a: 1 / (1 + np.exp(-a))
    expected_d = -np.mean(np.log(sigmoid(real))) - np.mean(np.log(1 - sigmoid(fake)))
    assert float(ops.convert_to_numpy(discriminator_loss(real, fake))) == pytest.approx(expected_d, rel=1e-5)
    assert float(ops.convert_to_numpy(generator_loss(fake))) == pytest.approx(
        -np.mean(np.log(sigmoid(fake))), rel=1e-5)


def test_train_gan_changes_both_players_and_records_every_step():
    keras.utils.set_random_seed(0)
    generator, discriminator = build_dcgan_generator(8), build_dcgan_discriminator()
    images = np.random.default_rng(0).uniform(size=(100, 28, 28, 1)).astype("float32")
    before = [ops.convert_to_numpy(v).copy() for v in
              generator.trainable_variables + discriminator.trainable_variables]
    epochs_seen = []
    history = train_gan(generator, discriminator, images, epochs=2, batch_size=32, latent_dim=8,
                        learning_rate=1e-3, seed=0, callback=lambda epoch, h: epochs_seen.append(epoch))
    assert list(history) == HISTORY_KEYS
    assert all(len(history[k]) == 2 * 3 for k in HISTORY_KEYS)  # 3 full batches per epoch
    assert epochs_seen == [1, 2]
    assert all(np.isfinite(history[k]).all() for k in HISTORY_KEYS)
    assert all(0 <= a <= 1 for k in HISTORY_KEYS[2:] for a in history[k])
    after = generator.trainable_variables + discriminator.trainable_variables
    assert all(not np.allclose(b, ops.convert_to_numpy(v)) for b, v in zip(before, after))


def test_train_gan_learns_a_one_dimensional_gaussian():
    # Notebook 07's 1-D game: G(z) = a z + b against a small MLP; data N(2, 0.5^2).
    keras.utils.set_random_seed(1)
    generator = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    discriminator = keras.Sequential([keras.Input((1,)), keras.layers.Dense(32, activation="leaky_relu"),
                                      keras.layers.Dense(1)])
    data = np.random.default_rng(1).normal(2.0, 0.5, (25 * 512, 1)).astype("float32")
    train_gan(generator, discriminator, data, epochs=10, batch_size=512, latent_dim=1,
              learning_rate=0.01, seed=1)
    samples = ops.convert_to_numpy(generator(np.random.default_rng(2).normal(size=(5000, 1)).astype("float32")))
    assert samples.mean() == pytest.approx(2.0, abs=0.2)


def test_train_gan_with_no_epochs_leaves_the_weights_and_returns_an_empty_record():
    generator, discriminator = build_dcgan_generator(4), build_dcgan_discriminator()
    before = [w.copy() for w in generator.get_weights()]
    history = train_gan(generator, discriminator, np.zeros((40, 28, 28, 1), "float32"), epochs=0,
                        batch_size=8, latent_dim=4, learning_rate=1e-3, seed=0)
    assert history == {"d_loss": [], "g_loss": [], "d_real_accuracy": [], "d_fake_accuracy": []}
    assert all(np.array_equal(a, b) for a, b in zip(before, generator.get_weights()))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"epochs": -1}, ValueError, "epochs=-1"),
    ({"epochs": 2.0}, ValueError, "epochs=2.0"),
    ({"batch_size": 1.5}, ValueError, "batch_size=1.5"),
    ({"batch_size": 64}, ValueError, "images: expected an array"),
    ({"latent_dim": -1}, ValueError, "latent_dim=-1"),
    ({"learning_rate": 0}, ValueError, "learning_rate=0"),
    ({"seed": "a"}, ValueError, "seed='a'"),
    ({"callback": 3}, TypeError, "callback"),
    ({"generator": "G"}, TypeError, "generator: expected a Keras model"),
])
def test_train_gan_rejects_bad_arguments(kwargs, error, match):
    arguments = dict(generator=build_dcgan_generator(4), discriminator=build_dcgan_discriminator(),
                     images=np.zeros((40, 28, 28, 1), "float32"), epochs=1, batch_size=8, latent_dim=4,
                     learning_rate=1e-3, seed=0)
    arguments.update(kwargs)
    with pytest.raises(error, match=match):
        train_gan(**arguments)


def test_build_dcgan_generator_rejects_a_bad_latent_dim():
    with pytest.raises(ValueError, match="latent_dim=0"):
        build_dcgan_generator(0)


from course_utils import models  # noqa: E402


def test_forward_sample_has_the_closed_form_moments():
    rng = np.random.default_rng(0)
    x0 = np.full((50_000, 1), 2.0, "float32")
    t = np.full(50_000, 300)
    x_t = ops.convert_to_numpy(models.forward_sample(x0, t, rng.standard_normal(x0.shape).astype("float32")))
    a = models.alpha_bar[300]
    assert abs(x_t.mean() - 2 * np.sqrt(a)) < 0.02 and abs(x_t.std() - np.sqrt(1 - a)) < 0.02
    assert models.alpha_bar[0] == 1.0 and 0 < models.alpha_bar[-1] < 1e-6
    assert np.all(np.diff(models.alpha_bar) < 0)


def test_ddim_with_the_exact_noise_of_one_point_recovers_it():
    # Data that are a single point x0 = 0.7: the best noise guess is (x - sqrt(a) x0) / sqrt(1 - a).
    exact = lambda x, t: (x - np.sqrt(models.alpha_bar[t])[:, None] * 0.7) / np.sqrt(1 - models.alpha_bar[t])[:, None]  # noqa: E731
    samples = models.ddim_sample(exact, (100, 1), 5, seed=0)
    np.testing.assert_allclose(samples, 0.7, atol=1e-4)


def test_unet_trains_and_with_no_steps_keeps_its_weights_and_returns_an_empty_record():
    keras.utils.set_random_seed(0)
    unet = models.build_unet((4, 8, 8), embedding_dim=16)
    data = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
    before = unet.get_weights()
    assert models.train_denoiser(unet, models.diffusion_loss, data, 0, 8, 1e-3, models.diffusion_times, seed=0,
                                 labels=np.arange(16) % 10) == []
    assert all(np.array_equal(a, b) for a, b in zip(before, unet.get_weights()))
    record = models.train_denoiser(unet, models.diffusion_loss, data, 3, 8, 1e-3, models.diffusion_times, seed=0,
                                   labels=np.arange(16) % 10, label_dropout=0.2)
    assert len(record) == 3 and all(np.isfinite(record))
    assert any(not np.array_equal(a, b) for a, b in zip(before, unet.get_weights()))
    images = models.ddim_sample(models.unet_predict(unet, np.full(4, models.NULL_LABEL)), (4, 28, 28, 1), 2, seed=1,
                                clip=(-1, 1))
    assert images.shape == (4, 28, 28, 1) and np.isfinite(images).all()


@pytest.mark.parametrize("call, match", [
    (lambda: models.build_unet((16, 32)), "widths="),
    (lambda: models.build_unet((16, 0, 32)), "widths="),
    (lambda: models.build_unet(embedding_dim=0), "embedding_dim="),
    (lambda: models.ddim_sample(lambda x, t: x, (2, 1), 0, seed=0), "n_steps="),
    (lambda: models.ddim_sample(lambda x, t: x, (2, 1), 1001, seed=0), "n_steps="),
    (lambda: models.train_denoiser(models.build_unet((4, 8, 8), 16), models.diffusion_loss, np.zeros((4, 28, 28, 1)),
                                   -1, 2, 1e-3, models.diffusion_times, seed=0), "steps="),
    (lambda: models.train_denoiser(models.build_unet((4, 8, 8), 16), models.diffusion_loss, np.zeros((4, 28, 28, 1)),
                                   1, 2, 1e-3, models.diffusion_times, seed=0, labels=[1, 2]), "labels:"),
])
def test_diffusion_code_rejects_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()
