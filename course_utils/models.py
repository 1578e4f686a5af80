"""The VAE pieces, promoted here after notebook 05 built and explained them.

Notebook 05 writes ``kl_divergence``, ``Sampling`` and ``VAE`` in full; later notebooks import
these copies so they can focus on what is new (beta-VAEs in 06, outlier scores in 09). Read
notebook 05 for the ideas; this file holds the same code, unchanged in meaning.
"""

from __future__ import annotations

import keras
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
