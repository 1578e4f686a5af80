"""Code promoted from a notebook into ``course_utils.models`` does not drift from the notebook.

The notebooks write their models, losses and training steps in full, and later notebooks import
the promoted copies from ``course_utils.models``. The notebook cells that define promoted code
carry the cell tag ``promoted``. Here those cells run (with their solutions, after the notebook's
first code cell and the cheap cells tagged ``exercise-setup``) and each promoted function is compared with its copy in ``course_utils.models``
on the same inputs and the same weights: same architecture, same outputs, and one training step
that changes the weights the same way.
"""

from __future__ import annotations

from pathlib import Path

import keras
import nbformat
import numpy as np
import pytest
from keras import ops

from course_utils import models
from notebook_runner import run_cell

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"


def promoted_namespace(pattern: str, monkeypatch) -> dict:
    """Run the notebook's first code cell, its (cheap) ``exercise-setup`` cells and its cells
    tagged ``promoted``, in order; return the names they define."""
    monkeypatch.setenv("COURSE_TIER", "ci")
    monkeypatch.chdir(NOTEBOOK_DIR)
    [path] = sorted(NOTEBOOK_DIR.glob(pattern))
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = lambda cell, tag: tag in cell.metadata.get("tags", [])  # noqa: E731
    assert any(tagged(c, "promoted") for c in code), f"{path.name}: no cell is tagged 'promoted'"
    cells = [code[0]] + [c for c in code[1:] if tagged(c, "promoted") or tagged(c, "exercise-setup")]
    namespace: dict = {}
    for i, cell in enumerate(cells):
        run_cell(cell.source, namespace, f"{path.name}, promoted cell {i}")
    return namespace


def layer_configs(model):
    """Each layer's class and configuration, without its name (names are free to differ)."""
    return [(type(layer).__name__, {k: v for k, v in layer.get_config().items() if k != "name"})
            for layer in model.layers]


def assert_same_weights(a, b):
    for x, y in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-6)


def test_notebook_07s_gan_is_the_promoted_one(monkeypatch):
    nb = promoted_namespace("07_*.ipynb", monkeypatch)
    latent_dim, rng = 8, np.random.default_rng(0)

    pairs = [(nb["make_generator"](latent_dim), models.build_dcgan_generator(latent_dim)),
             (nb["make_discriminator"](), models.build_dcgan_discriminator())]
    for ours, theirs in pairs:
        assert layer_configs(ours) == layer_configs(theirs), f"{ours.name}: the architectures differ"
        theirs.set_weights(ours.get_weights())

    real_logits, fake_logits = (rng.normal(size=(16, 1)).astype("float32") * 3 for _ in range(2))
    for name, args in (("discriminator_loss", (real_logits, fake_logits)),
                       ("generator_loss", (fake_logits,))):
        np.testing.assert_allclose(ops.convert_to_numpy(nb[name](*args)),
                                   ops.convert_to_numpy(getattr(models, name)(*args)), rtol=1e-6,
                                   err_msg=name)

    record = [tuple(ops.convert_to_tensor(v) for v in row) for row in rng.normal(size=(3, 4)).astype("float32")]
    for some in (record, []):
        assert nb["history_from"](some) == models.history_from(some), "history_from"

    # One training step of each version from the same weights, optimizers, batch and noise.
    (g1, g2), (d1, d2) = pairs[0], pairs[1]
    real = ops.convert_to_tensor(rng.uniform(size=(16, 28, 28, 1)).astype("float32"))
    z = ops.convert_to_tensor(rng.normal(size=(16, latent_dim)).astype("float32"))
    adam = lambda: keras.optimizers.Adam(1e-3, beta_1=0.5)  # noqa: E731
    ours = nb["train_step"](g1, d1, adam(), adam(), real, z)
    theirs = models.train_step(g2, d2, adam(), adam(), real, z)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6, err_msg="train_step's record")
    assert_same_weights(g1, g2)
    assert_same_weights(d1, d2)

    # And one epoch of the loop each, from the same weights and seed.
    data = rng.uniform(size=(48, 28, 28, 1)).astype("float32")
    ours = nb["train_gan"](g1, d1, data, 1, 16, latent_dim, 1e-3, seed=3)
    theirs = models.train_gan(g2, d2, data, 1, 16, latent_dim, 1e-3, seed=3)
    assert ours.keys() == theirs.keys()
    for key in ours:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-4, atol=1e-5, err_msg=key)
    assert_same_weights(g1, g2)


def test_notebook_05s_vae_is_the_promoted_one(monkeypatch):
    nb = promoted_namespace("05_*.ipynb", monkeypatch)
    latent_dim, rng = 3, np.random.default_rng(0)

    mu, log_var = (rng.normal(size=(16, latent_dim)).astype("float32") for _ in range(2))
    np.testing.assert_allclose(ops.convert_to_numpy(nb["kl_divergence"](mu, log_var)),
                               ops.convert_to_numpy(models.kl_divergence(mu, log_var)), rtol=1e-6,
                               err_msg="kl_divergence")
    np.testing.assert_allclose(ops.convert_to_numpy(nb["Sampling"](seed=5)([mu, log_var])),
                               ops.convert_to_numpy(models.Sampling(seed=5)([mu, log_var])), rtol=1e-6,
                               err_msg="Sampling: the same seed draws the same z")

    # The notebook's VAE (its make_encoder samples with seed 7) against build_vae with seed 7. build_vae
    # calls its VAE once to build it; so does the notebook's here, so both seed streams stand at one draw.
    image_shape = (1, 28, 28, 1)
    ours = nb["VAE"](nb["make_encoder"](latent_dim), nb["make_decoder"](latent_dim))
    ours(ops.zeros(image_shape))
    theirs = models.build_vae(latent_dim, seed=7)
    for a, b in ((ours.encoder, theirs.encoder), (ours.decoder, theirs.decoder)):
        assert layer_configs(a) == layer_configs(b), f"{a.name}: the architectures differ"
    theirs.set_weights(ours.get_weights())

    x = rng.uniform(size=(16, 28, 28, 1)).astype("float32")
    ours_out, theirs_out = ours(x), theirs(x)
    for name, a, b in zip(("logits", "mu", "log_var"), ours_out, theirs_out):
        np.testing.assert_allclose(ops.convert_to_numpy(a), ops.convert_to_numpy(b), rtol=1e-5, atol=1e-6,
                                   err_msg=name)
    for name, a, b in zip(("reconstruction", "KL"), ours.losses_per_image(x, ours_out),
                          theirs.losses_per_image(x, theirs_out)):
        np.testing.assert_allclose(ops.convert_to_numpy(a), ops.convert_to_numpy(b), rtol=1e-5, err_msg=name)

    # One training step of each from the same weights, batch and seed stream.
    before = ours.get_weights()
    for vae in (ours, theirs):
        vae.compile(optimizer=keras.optimizers.Adam(1e-3))
    loss_ours, loss_theirs = ours.train_on_batch(x), theirs.train_on_batch(x)
    np.testing.assert_allclose(loss_ours, loss_theirs, rtol=1e-5, err_msg="the training step's loss")
    assert_same_weights(ours, theirs)
    assert any(not np.allclose(a, b) for a, b in zip(before, ours.get_weights())), "the step changed nothing"

    # train_vae: one epoch of the notebook's and of the promoted function from the same weights and seed.
    first, again = models.build_vae(latent_dim, seed=7), models.build_vae(latent_dim, seed=7)  # seed streams alike
    first.set_weights(before), again.set_weights(before)
    records = []
    for train, vae in ((nb["train_vae"], first), (models.train_vae, again)):
        keras.utils.set_random_seed(3)
        records.append(train(vae, x, 1, 8, 1e-3, validation_data=(x[:4],)))
    assert records[0]["history"].keys() == records[1]["history"].keys() == {"loss", "val_loss"}
    np.testing.assert_allclose(records[0]["history"]["loss"], records[1]["history"]["loss"], rtol=1e-5,
                               err_msg="train_vae: the history")
    assert_same_weights(first, again)
    assert nb["train_vae"](again, x, 0, 8, 1e-3)["history"] == {"loss": []}  # the negative control's record
    assert models.train_vae(again, x, 0, 8, 1e-3)["history"] == {"loss": []}


def test_notebook_05s_generator_loads_where_notebook_11_looks(monkeypatch, tmp_path):
    """05 stores its generator VAE (built by fresh_generator, seed 8) in the cache; 11 asks for it with
    models.build_vae under the same seed. Same key, the weights load, and the same initial weights."""
    from course_utils import cache

    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    nb = promoted_namespace("05_*.ipynb", monkeypatch)
    latent_dim, x = 8, np.random.default_rng(1).uniform(size=(4, 28, 28, 1)).astype("float32")

    def fresh_05():  # notebook 05's fresh_generator
        keras.utils.set_random_seed(8)
        vae = nb["VAE"](nb["make_encoder"](latent_dim), nb["make_decoder"](latent_dim))
        vae(x[:1])
        return vae

    def fresh_11():  # notebook 11's fresh_vae
        keras.utils.set_random_seed(8)
        return models.build_vae(latent_dim, seed=7)

    parts = dict(source="offline", n_train=4, epochs=1, batch_size=2, learning_rate=1e-3, seed=8)
    assert cache.cache_key(fresh_05(), **parts) == cache.cache_key(fresh_11(), **parts)
    assert_same_weights(fresh_05(), fresh_11())  # 11's untrained baseline is 05's
    trained, loaded = cache.load_or_train("vae_generator", fresh_05,
                                          lambda vae: nb["train_vae"](vae, x, 1, 2, 1e-3), verbose=False, **parts)
    assert not loaded
    again, loaded = cache.load_or_train("vae_generator", fresh_11,
                                        lambda vae: pytest.fail("11 trained the VAE again"), verbose=False, **parts)
    assert loaded
    assert_same_weights(trained, again)
    assert again.training_record["history"]["loss"] == trained.training_record["history"]["loss"]


def test_notebook_04s_psnr_is_the_promoted_one(monkeypatch):
    from course_utils import metrics

    nb = promoted_namespace("04_*.ipynb", monkeypatch)
    rng = np.random.default_rng(0)
    clean = rng.uniform(size=(5, 28, 28, 1))
    noisy = clean + rng.normal(0.0, 0.2, clean.shape)
    np.testing.assert_allclose(nb["psnr"](clean, noisy), metrics.psnr(clean, noisy), rtol=1e-12)


def test_notebook_10s_diffusion_is_the_promoted_one(monkeypatch):
    nb = promoted_namespace("10_*.ipynb", monkeypatch)
    rng = np.random.default_rng(0)

    np.testing.assert_allclose(nb["alpha_bar"], models.alpha_bar, rtol=1e-12, err_msg="the schedule")
    assert nb["T"] == models.T and nb["NULL_LABEL"] == models.NULL_LABEL

    x0 = rng.normal(size=(6, 28, 28, 1)).astype("float32")
    eps = rng.normal(size=x0.shape).astype("float32")
    t = np.array([1, 10, 200, 500, 800, 1000])
    np.testing.assert_allclose(ops.convert_to_numpy(nb["forward_sample"](x0, t, eps)),
                               ops.convert_to_numpy(models.forward_sample(x0, t, eps)), rtol=1e-6, err_msg="forward_sample")
    guess = lambda x, t: 0.3 * x  # noqa: E731
    np.testing.assert_allclose(ops.convert_to_numpy(nb["epsilon_loss"](guess, x0, t, eps)),
                               ops.convert_to_numpy(models.epsilon_loss(guess, x0, t, eps)), rtol=1e-6,
                               err_msg="epsilon_loss")
    np.testing.assert_allclose(nb["ddim_step"](x0, eps, 0.3, 0.7), models.ddim_step(x0, eps, 0.3, 0.7), rtol=1e-6,
                               err_msg="ddim_step")
    np.testing.assert_allclose(nb["ddim_sample"](guess, (3, 4), 7, seed=2), models.ddim_sample(guess, (3, 4), 7, seed=2),
                               rtol=1e-6, err_msg="ddim_sample")
    np.testing.assert_allclose(nb["ddim_sample"](guess, (3, 4), 7, seed=2, clip=(-1, 1)),
                               models.ddim_sample(guess, (3, 4), 7, seed=2, clip=(-1, 1)), rtol=1e-6,
                               err_msg="ddim_sample with clipping")
    times = np.array([[0.0], [0.3], [1.0]], "float32")
    np.testing.assert_allclose(ops.convert_to_numpy(nb["SinusoidalEmbedding"](16)(times)),
                               ops.convert_to_numpy(models.SinusoidalEmbedding(16)(times)), rtol=1e-6,
                               err_msg="SinusoidalEmbedding")

    # The U-Net: same architecture (layers and cache key), same output from the same weights.
    keras.utils.set_random_seed(1)
    ours = nb["build_unet"]((4, 8, 8), embedding_dim=16)
    theirs = models.build_unet((4, 8, 8), embedding_dim=16)
    assert layer_configs(ours) == layer_configs(theirs), "the U-Nets' architectures differ"
    from course_utils.cache import cache_key
    assert cache_key(ours) == cache_key(theirs), "notebook 11 would not find notebook 10's U-Net in the cache"
    theirs.set_weights(ours.get_weights())
    inputs = [x0, np.linspace(0, 1, 6, dtype="float32")[:, None], np.arange(6, dtype="int32")[:, None]]
    np.testing.assert_allclose(ours.predict_on_batch(inputs), theirs.predict_on_batch(inputs), rtol=1e-5, atol=1e-5,
                               err_msg="the U-Nets' outputs")

    # Two steps of each training loop from the same weights, data, labels and seed.
    data, labels = rng.uniform(-1, 1, size=(20, 28, 28, 1)).astype("float32"), np.arange(20) % 10
    loss = lambda model, x0, t, eps, y: nb["epsilon_loss"](  # noqa: E731
        lambda x_t, t: model([x_t, nb["time_input"](t), y], training=True), x0, t, eps)
    ours_record = nb["train_denoiser"](ours, loss, data, 2, 4, 1e-3, nb["diffusion_times"], seed=3, labels=labels,
                                       label_dropout=0.5)
    theirs_record = models.train_denoiser(theirs, models.diffusion_loss, data, 2, 4, 1e-3, models.diffusion_times,
                                          seed=3, labels=labels, label_dropout=0.5)
    np.testing.assert_allclose(ours_record, theirs_record, rtol=1e-4, err_msg="train_denoiser's losses")
    assert_same_weights(ours, theirs)
