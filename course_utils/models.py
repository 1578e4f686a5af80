"""Models promoted here after a notebook built and explained them.

Notebook 05 writes ``kl_divergence``, ``Sampling``, ``VAE`` and ``train_vae`` in full; notebook 07 writes the
DCGAN (``build_dcgan_generator``, ``build_dcgan_discriminator``) and its training loop
(``discriminator_loss``, ``generator_loss``, ``train_step``, ``train_gan``); notebook 10 writes the
diffusion model (the schedule, ``forward_sample``, ``epsilon_loss``, ``ddim_step``, the samplers,
``SinusoidalEmbedding``, ``build_unet``, ``train_denoiser``). Later notebooks import these copies so
they can focus on what is new (beta-VAEs in 06, outlier scores in 09, VAEs, GANs and diffusion
side by side in 11). Read the notebooks for the ideas; this file holds the same code, unchanged in
meaning (tests/test_promoted.py runs both and compares).
"""

from __future__ import annotations

import numbers
import time

import keras
import numpy as np
from keras import ops


def kl_divergence(mu, log_var):
    """KL( N(mu, diag exp(log_var)) || N(0, I) ) for each row: shape (N,). (Notebook 05.)"""
    return 0.5 * ops.sum(ops.exp(log_var) + ops.square(mu) - 1.0 - log_var, axis=-1)


@keras.saving.register_keras_serializable(package="course_utils")
class Sampling(keras.layers.Layer):
    """Draws z = mu + sigma * eps, eps ~ N(0, I), from (mu, log_var). (Notebook 05.)"""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        mu, log_var = inputs
        eps = keras.random.normal(ops.shape(mu), seed=self.seed_generator)
        return mu + ops.exp(0.5 * log_var) * eps

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable(package="course_utils")
class VAE(keras.Model):
    """Encoder (-> mu, log_var, z), decoder (-> logits); loss = weighted reconstruction + KL.

    ``kl_weight`` is the beta of a beta-VAE. (Notebook 05.)
    """

    def __init__(self, encoder, decoder, reconstruction_weight=1.0, kl_weight=1.0, **kwargs):
        super().__init__(**kwargs)
        self.encoder, self.decoder = encoder, decoder
        self.reconstruction_weight, self.kl_weight = reconstruction_weight, kl_weight

    def call(self, x):
        mu, log_var, z = self.encoder(x)
        return self.decoder(z), mu, log_var

    def losses_per_image(self, x, outputs):
        logits, mu, log_var = outputs
        axes = tuple(range(1, len(x.shape)))
        reconstruction = ops.sum(ops.binary_crossentropy(x, logits, from_logits=True), axis=axes)
        return reconstruction, kl_divergence(mu, log_var)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        reconstruction, kl = self.losses_per_image(x, y_pred)
        return ops.mean(self.reconstruction_weight * reconstruction + self.kl_weight * kl)

    def get_config(self):
        return {**super().get_config(),
                "encoder": keras.saving.serialize_keras_object(self.encoder),
                "decoder": keras.saving.serialize_keras_object(self.decoder),
                "reconstruction_weight": self.reconstruction_weight, "kl_weight": self.kl_weight}

    @classmethod
    def from_config(cls, config):
        config["encoder"] = keras.saving.deserialize_keras_object(config["encoder"])
        config["decoder"] = keras.saving.deserialize_keras_object(config["decoder"])
        return cls(**config)


def build_vae(latent_dim: int, image_shape=(28, 28, 1), hidden: int = 256, kl_weight: float = 1.0,
              seed: int | None = 0) -> VAE:
    """The dense VAE of notebook 05: Flatten -> Dense(hidden) -> (mu, log_var) -> Sampling, and
    Dense(hidden) -> Dense(pixels) logits -> Reshape. ``kl_weight`` is the beta of notebook 06."""
    if isinstance(latent_dim, bool) or not isinstance(latent_dim, int) or latent_dim < 1:
        raise ValueError(f"latent_dim={latent_dim!r}: expected a whole number >= 1")
    if isinstance(hidden, bool) or not isinstance(hidden, int) or hidden < 1:
        raise ValueError(f"hidden={hidden!r}: expected a whole number of units >= 1")
    image_shape = tuple(image_shape)
    if not image_shape or any(not isinstance(n, int) or n < 1 for n in image_shape):
        raise ValueError(f"image_shape={image_shape!r}: expected positive whole numbers, e.g. (28, 28, 1)")
    pixels = 1
    for n in image_shape:
        pixels *= n
    inputs = keras.Input(shape=image_shape)
    h = keras.layers.Dense(hidden, activation="relu")(keras.layers.Flatten()(inputs))
    mu, log_var = keras.layers.Dense(latent_dim)(h), keras.layers.Dense(latent_dim)(h)
    encoder = keras.Model(inputs, [mu, log_var, Sampling(seed=seed)([mu, log_var])], name="encoder")
    decoder = keras.Sequential([keras.Input(shape=(latent_dim,)),
                                keras.layers.Dense(hidden, activation="relu"),
                                keras.layers.Dense(pixels),  # logits of p(x | z)
                                keras.layers.Reshape(image_shape)], name="decoder")
    vae = VAE(encoder, decoder, kl_weight=kl_weight)
    vae(ops.zeros((1,) + image_shape))  # built, so its weights can be saved and loaded at once
    return vae


def train_vae(vae, x, epochs, batch_size, learning_rate, validation_data=None) -> dict:
    """Adam(``learning_rate``) on the VAE's own loss (its ``compute_loss``: the negative ELBO),
    ``epochs`` passes of ``fit`` over ``x`` in batches of ``batch_size``. Returns the record the
    trained-weights cache keeps beside the weights: ``{"seconds": ..., "history": {"loss": [...],
    ...}}``, with an empty ``"loss"`` list for ``epochs=0`` (the negative control). (Notebook 05.)"""
    if not isinstance(vae, keras.Model):
        raise TypeError(f"vae: expected a Keras model (e.g. build_vae(...)), got {type(vae).__name__}")
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < (name == "batch_size"):
            raise ValueError(f"{name}={value!r}: expected a whole number >= {int(name == 'batch_size')}")
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)) or not learning_rate > 0:
        raise ValueError(f"learning_rate={learning_rate!r}: expected a positive number")
    start = time.perf_counter()
    vae.compile(optimizer=keras.optimizers.Adam(learning_rate))
    history = vae.fit(x, epochs=epochs, batch_size=batch_size, validation_data=validation_data, verbose=0)
    return {"seconds": time.perf_counter() - start,
            "history": {"loss": [], **{key: [float(v) for v in values] for key, values in history.history.items()}}}


# ------------------------------------------------------------------------------ the DCGAN (07)


def build_dcgan_generator(latent_dim: int):
    """Noise (latent_dim,) -> a 28 x 28 x 1 image in [0, 1]: a dense projection to 7 x 7 x 32, then
    two strided ``Conv2DTranspose`` layers (7 -> 14 -> 28). (Notebook 07, ``make_generator``.)"""
    _check_positive_int(latent_dim, "latent_dim")
    return keras.Sequential([
        keras.Input((latent_dim,)),
        keras.layers.Dense(7 * 7 * 32, use_bias=False),
        keras.layers.BatchNormalization(momentum=0.9),
        keras.layers.LeakyReLU(0.2),
        keras.layers.Reshape((7, 7, 32)),
        keras.layers.Conv2DTranspose(16, 4, strides=2, padding="same", use_bias=False),
        keras.layers.BatchNormalization(momentum=0.9),
        keras.layers.LeakyReLU(0.2),
        keras.layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="sigmoid"),
    ], name="generator")


def build_dcgan_discriminator():
    """A 28 x 28 x 1 image -> one logit (> 0: "real"): two strided convolutions (28 -> 14 -> 7)
    and a dense output. (Notebook 07, ``make_discriminator``.)"""
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(16, 4, strides=2, padding="same"),
        keras.layers.LeakyReLU(0.2),
        keras.layers.Conv2D(32, 4, strides=2, padding="same"),
        keras.layers.LeakyReLU(0.2),
        keras.layers.Flatten(),
        keras.layers.Dense(1),
    ], name="discriminator")


def _bce(labels, logits):
    return ops.mean(ops.binary_crossentropy(labels, logits, from_logits=True))


def discriminator_loss(real_logits, fake_logits):
    """L_D = -E[log D(x)] - E[log(1 - D(G(z)))], from D's logits. (Notebook 07.)"""
    return _bce(ops.ones_like(real_logits), real_logits) + _bce(ops.zeros_like(fake_logits), fake_logits)


def generator_loss(fake_logits):
    """The non-saturating generator loss -E[log D(G(z))], from D's logits. (Notebook 07.)"""
    return _bce(ops.ones_like(fake_logits), fake_logits)


def train_step(generator, discriminator, g_optimizer, d_optimizer, real, z):
    """One round of the game: a discriminator update on real and (stopped) generated samples, then
    a generator update. Returns (D's loss, G's loss, D's accuracy on real, on fake) as tensors,
    D's numbers measured before its update, from the logits of its loss (``has_aux``: no second
    pass through D). (Notebook 07.)"""
    from course_utils.backend import value_and_grad

    fake = ops.stop_gradient(generator(z, training=True))

    def d_loss_and_logits():
        # One pass over both halves (D has no batch norm, so this equals two passes).
        real_logits, fake_logits = ops.split(discriminator(ops.concatenate([real, fake]), training=True), 2)
        return discriminator_loss(real_logits, fake_logits), (real_logits, fake_logits)

    (d_loss, (real_logits, fake_logits)), grads = value_and_grad(
        d_loss_and_logits, discriminator.trainable_variables, has_aux=True)
    d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))
    real_accuracy = ops.mean(ops.cast(real_logits > 0, "float32"))
    fake_accuracy = ops.mean(ops.cast(fake_logits < 0, "float32"))
    g_loss, grads = value_and_grad(
        lambda: generator_loss(discriminator(generator(z, training=True), training=True)),
        generator.trainable_variables)
    g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))
    return d_loss, g_loss, real_accuracy, fake_accuracy


def history_from(record):
    """The training record as lists, one per number the step returns (D's loss, G's loss, D's
    accuracy on real, on generated), from each step's numbers, kept as tensors until now; empty
    lists for an empty record. (Notebook 07; notebook 08 uses it for its own loops.)"""
    columns = ops.convert_to_numpy(ops.stack([ops.stack(r) for r in record])).T if record else [[]] * 4
    return {key: [float(v) for v in column]
            for key, column in zip(("d_loss", "g_loss", "d_real_accuracy", "d_fake_accuracy"), columns)}


def train_gan(generator, discriminator, images, epochs, batch_size, latent_dim, learning_rate, seed,
              callback=None) -> dict:
    """Train a GAN: ``train_step`` over shuffled batches of ``images`` for ``epochs`` epochs, with
    fresh noise N(0, I) of ``latent_dim`` dimensions per batch and Adam(``learning_rate``,
    beta_1=0.5) for each player. ``callback(epoch, history)``, if given, runs after each epoch.
    Returns the history: lists ``d_loss``, ``g_loss``, ``d_real_accuracy``, ``d_fake_accuracy``
    with one entry per step, empty for ``epochs=0`` (no training: the negative control of
    ``tests/test_gates.py`` runs every notebook so). Works on any array of samples, images or
    points. (Notebook 07.)

    To reuse notebook 07's trained generator, ask the trained-weights cache with notebook 07's
    settings (``cu.notebook_settings("07")``) and the key notebook 07 stores it under::

        generator, loaded = load_or_train(
            "dcgan_generator", lambda: build_dcgan_generator(s.latent_dim),
            lambda g: train_gan(g, build_dcgan_discriminator(), x_train, s.epochs, s.batch_size,
                                s.latent_dim, s.learning_rate, seed=7),
            source=resolve_mnist_source("auto")[0], n_train=len(x_train), epochs=s.epochs,
            batch_size=s.batch_size, latent_dim=s.latent_dim, learning_rate=s.learning_rate, seed=7)
    """
    for model, name in ((generator, "generator"), (discriminator, "discriminator")):
        if not isinstance(model, keras.Model):
            raise TypeError(f"{name}: expected a Keras model, got {type(model).__name__}")
    images = np.asarray(images, dtype=np.float32)
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 0:
        raise ValueError(f"epochs={epochs!r}: expected a whole number >= 0 (0: no training)")
    _check_positive_int(batch_size, "batch_size")
    _check_positive_int(latent_dim, "latent_dim")
    if images.ndim < 2 or len(images) < batch_size:
        raise ValueError(f"images: expected an array (N, ...) with at least batch_size={batch_size} "
                         f"samples, got shape {images.shape}")
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real) \
            or not 0 < learning_rate < 1:
        raise ValueError(f"learning_rate={learning_rate!r}: expected a number between 0 and 1")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(f"seed={seed!r}: expected a whole number")
    if callback is not None and not callable(callback):
        raise TypeError("callback: expected a function callback(epoch, history), or None")
    from course_utils.backend import compiled

    g_optimizer = keras.optimizers.Adam(learning_rate, beta_1=0.5)
    d_optimizer = keras.optimizers.Adam(learning_rate, beta_1=0.5)
    step = compiled(train_step)
    rng = np.random.default_rng(seed)  # the batches' order and the noise, both drawn on the host, cheaply
    history = {"d_loss": [], "g_loss": [], "d_real_accuracy": [], "d_fake_accuracy": []}
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(images))
        record = []  # the step's numbers stay tensors until the epoch ends: one copy to the host
        for start in range(0, len(images) - batch_size + 1, batch_size):
            real = ops.convert_to_tensor(images[order[start:start + batch_size]])
            z = rng.standard_normal((batch_size, latent_dim)).astype("float32")
            record.append(step(generator, discriminator, g_optimizer, d_optimizer, real, z))
        for key, values in history_from(record).items():
            history[key].extend(values)
        if callback is not None:
            callback(epoch, history)
    return history


def _check_positive_int(value, argument: str) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{argument}={value!r}: expected a positive whole number")


# ---------------------------------------------------------------------------------------------
# Diffusion (notebook 10): the schedule, the forward sample, the epsilon-prediction loss, the
# samplers, the time embedding, the U-Net and the training loop. Notebook 11 uses them to train
# notebook 10's U-Net when the trained-weights cache does not have it.

def cosine_alpha_bar(T, s=0.008):
    """alpha_bar[t] for t = 0..T of the cosine schedule; each beta_t is capped at 0.999. (Notebook 10.)"""
    f = np.cos((np.arange(T + 1) / T + s) / (1 + s) * np.pi / 2) ** 2
    betas = np.clip(1 - f[1:] / f[:-1], 0, 0.999)
    return np.concatenate([[1.0], np.cumprod(1 - betas)])


T = 1000  # diffusion steps (notebook 10)
alpha_bar = cosine_alpha_bar(T)
alpha_bar_tensor = ops.convert_to_tensor(alpha_bar.astype("float32"))
NULL_LABEL = 10  # "no label": digits are 0-9


def forward_sample(x0, t, eps):
    """x_t = sqrt(alpha_bar_t) x_0 + sqrt(1 - alpha_bar_t) eps, for a batch: t holds one time per
    example. (Notebook 10, exercise 1.)"""
    x0, eps = ops.convert_to_tensor(x0), ops.convert_to_tensor(eps)
    a = ops.reshape(ops.take(alpha_bar_tensor, t), (-1,) + (1,) * (len(x0.shape) - 1))
    return ops.sqrt(a) * x0 + ops.sqrt(1 - a) * eps


def epsilon_loss(predict, x0, t, eps):
    """L_simple for a batch: the mean squared error between eps and predict(x_t, t). (Notebook 10,
    exercise 2.)"""
    x_t = forward_sample(x0, t, eps)
    return ops.mean(ops.square(predict(x_t, t) - eps))


def ddim_step(x_t, eps_pred, alpha_bar_t, alpha_bar_next):
    """One deterministic DDIM step from time t back to an earlier time t'. (Notebook 10, exercise 3.)"""
    x0_pred = (x_t - np.sqrt(1 - alpha_bar_t) * eps_pred) / np.sqrt(alpha_bar_t)
    return np.sqrt(alpha_bar_next) * x0_pred + np.sqrt(1 - alpha_bar_next) * eps_pred


def clipped_noise(x_t, eps_pred, alpha_bar_t, clip):
    """The noise guess that makes the guess of x_0 fall in the range clip = (low, high); clip=None:
    unchanged. (Notebook 10.)"""
    if clip is None:
        return eps_pred
    x0_pred = np.clip((x_t - np.sqrt(1 - alpha_bar_t) * eps_pred) / np.sqrt(alpha_bar_t), *clip)
    return (x_t - np.sqrt(alpha_bar_t) * x0_pred) / np.sqrt(1 - alpha_bar_t)


def ddim_sample(predict, shape, n_steps, seed, clip=None):
    """x_0 from x_T ~ N(0, I) in n_steps DDIM steps over evenly spaced times T, ..., 0; clip: a
    (low, high) range for the guess of x_0 (images: their pixel range). (Notebook 10.)"""
    if isinstance(n_steps, bool) or not isinstance(n_steps, numbers.Integral) or not 1 <= n_steps <= T:
        raise ValueError(f"n_steps={n_steps!r}: expected a whole number from 1 to {T}")
    x = np.random.default_rng(seed).standard_normal(shape).astype("float32")
    times = np.linspace(T, 0, n_steps + 1).round().astype(int)
    for t, t_next in zip(times[:-1], times[1:]):
        eps_pred = clipped_noise(x, predict(x, np.full(len(x), t)), alpha_bar[t], clip)
        x = ddim_step(x, eps_pred, alpha_bar[t], alpha_bar[t_next]).astype("float32")
    return x


@keras.saving.register_keras_serializable(package="course_utils")
class SinusoidalEmbedding(keras.layers.Layer):
    """A time t/T in [0, 1] -> [sin(1000 t w_k), cos(1000 t w_k)] for frequencies w_k from 1 to
    1/10000. (Notebook 10.)"""

    def __init__(self, dim, **kwargs):
        super().__init__(**kwargs)
        self.dim = dim

    def call(self, time):
        half = self.dim // 2
        frequencies = ops.exp(-np.log(10_000.0) * ops.arange(half, dtype="float32") / half)
        angles = 1000.0 * ops.cast(time, "float32") * frequencies[None, :]
        return ops.concatenate([ops.sin(angles), ops.cos(angles)], axis=-1)

    def get_config(self):
        return {**super().get_config(), "dim": self.dim}


def unet_block(h, embedding, width):
    """Two 3x3 convolutions with the embedding added in between, and a residual connection. (Notebook 10.)"""
    out = keras.layers.Conv2D(width, 3, padding="same", activation="swish")(h)
    out = keras.layers.Add()([out, keras.layers.Reshape((1, 1, width))(keras.layers.Dense(width)(embedding))])
    out = keras.layers.Conv2D(width, 3, padding="same", activation="swish")(out)
    skip = h if h.shape[-1] == width else keras.layers.Conv2D(width, 1)(h)
    return keras.layers.Add()([out, skip])


def build_unet(widths=(16, 32, 32), embedding_dim=128):
    """A U-Net of (x_t: 28x28x1 image, time in [0, 1], label 0-10) -> a 28x28x1 image (noise guess
    or velocity). (Notebook 10.)"""
    widths = tuple(widths)
    if len(widths) != 3 or not all(isinstance(w, numbers.Integral) and w > 0 for w in widths):
        raise ValueError(f"widths={widths!r}: expected three positive whole numbers (channels at 28, 14, 7 pixels)")
    _check_positive_int(embedding_dim, "embedding_dim")
    image, time_in = keras.Input((28, 28, 1), name="x_t"), keras.Input((1,), name="time")
    label = keras.Input((1,), dtype="int32", name="label")
    embedding = keras.layers.Dense(embedding_dim, activation="swish")(SinusoidalEmbedding(embedding_dim)(time_in))
    embedding = keras.layers.Add()([embedding, keras.layers.Flatten()(keras.layers.Embedding(11, embedding_dim)(label))])
    h = keras.layers.Conv2D(widths[0], 3, padding="same")(image)
    level_28 = unet_block(h, embedding, widths[0])
    level_14 = unet_block(keras.layers.AveragePooling2D(2)(level_28), embedding, widths[1])
    level_7 = unet_block(keras.layers.AveragePooling2D(2)(level_14), embedding, widths[2])
    up = unet_block(keras.layers.Concatenate()([keras.layers.UpSampling2D(2)(level_7), level_14]), embedding, widths[1])
    up = unet_block(keras.layers.Concatenate()([keras.layers.UpSampling2D(2)(up), level_28]), embedding, widths[0])
    return keras.Model([image, time_in, label], keras.layers.Conv2D(1, 3, padding="same")(up), name="unet")


def train_denoiser(model, loss, data, steps, batch_size, learning_rate, draw_times, seed, labels=None,
                   label_dropout=0.0):
    """steps Adam steps on loss(model, x0, t, eps, labels) over random batches of data; the weights
    end as their moving average. Returns the loss of every step (empty for steps = 0). (Notebook 10.)"""
    if not isinstance(model, keras.Model):
        raise TypeError(f"model: expected a Keras model, got {type(model).__name__}")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"steps={steps!r}: expected a whole number >= 0 (0: no training)")
    _check_positive_int(batch_size, "batch_size")
    data = np.asarray(data, dtype=np.float32)
    if labels is not None and len(labels) != len(data):
        raise ValueError(f"labels: expected one label per example ({len(data)}), got {len(labels)}")
    from course_utils.backend import compiled, value_and_grad

    optimizer = keras.optimizers.Adam(learning_rate, use_ema=True, ema_momentum=0.99)

    def train_step(model, optimizer, x0, t, eps, labels):
        value, grads = value_and_grad(lambda: loss(model, x0, t, eps, labels), model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return value

    step = compiled(train_step)
    rng, record = np.random.default_rng(seed), []
    for _ in range(steps):
        batch = rng.integers(0, len(data), batch_size)
        x0 = data[batch]
        y = None
        if labels is not None:
            dropped = rng.uniform(size=batch_size) < label_dropout
            y = ops.convert_to_tensor(np.where(dropped, NULL_LABEL, labels[batch])[:, None].astype("int32"))
        record.append(step(model, optimizer, ops.convert_to_tensor(x0), ops.convert_to_tensor(draw_times(rng, batch_size)),
                           ops.convert_to_tensor(rng.standard_normal(x0.shape).astype("float32")), y))
    if record:
        optimizer.finalize_variable_values(model.trainable_variables)  # the moving average into the model
    return ops.convert_to_numpy(ops.stack(record)).tolist() if record else []


def diffusion_times(rng, n):
    """Times t uniform on 1..T, for train_denoiser. (Notebook 10.)"""
    return rng.integers(1, T + 1, n).astype("int32")


def time_input(t):
    """The network's time input: t / T as a column. (Notebook 10.)"""
    return ops.cast(ops.reshape(t, (-1, 1)), "float32") / T


def diffusion_loss(model, x0, t, eps, labels):
    """Notebook 10's loss of the digit U-Net: epsilon_loss with the model called on (x_t, t/T, labels)."""
    return epsilon_loss(lambda x_t, t: model([x_t, time_input(t), labels], training=True), x0, t, eps)


def unet_predict(model, labels):
    """predict(x, t) for the samplers: the U-Net's output for a batch, every example with the given
    labels. (Notebook 10.)"""
    return lambda x, t: model.predict_on_batch([x, ops.convert_to_numpy(time_input(t)),
                                                np.asarray(labels, "int32").reshape(-1, 1)])
