"""Benchmark: the course's hand-written GAN step against Keras' compiled ``fit`` (a report, not a test).

The course writes its GAN training step in full (notebook 07, promoted as
``course_utils.models.train_step``) and compiles it with :func:`course_utils.backend.compiled`.
keras.io writes the same game as a ``keras.Model`` whose ``train_step`` takes both gradients, run
by ``fit``, which compiles it. This prints, for the configured backend, steps per second in a
second epoch (the first one compiles) of

- ``models.train_gan`` with the step run eagerly (``models.train_step`` as it is),
- ``models.train_gan`` as the notebooks run it: the step compiled (``compiled(train_step)``), the
  batches shuffled and the noise drawn with NumPy, the numbers kept as tensors and read once per
  epoch,
- keras.io's formulation: ``fit`` over a ``keras.Model`` subclass with a ``train_step``, on the
  same shuffled images (TensorFlow and PyTorch; on JAX ``fit`` needs a stateless ``train_step``,
  so this column is left out),

on the same DCGAN (``build_dcgan_generator(32)``, ``build_dcgan_discriminator()``), batch 64, and
the ratio compiled / keras.io. One backend per process (Keras picks it at import)::

    KERAS_BACKEND=torch python -m course_utils.benchmark_steps --steps 200
    make benchmark-steps            # every backend, one after the other
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np


def _networks(latent_dim, seed):
    import keras

    from course_utils import models

    keras.utils.set_random_seed(seed)
    return models.build_dcgan_generator(latent_dim), models.build_dcgan_discriminator()


LEARNING_RATE = 2e-3  # both players, both formulations (train_gan builds its own Adam with beta_1=0.5)


def _adam():
    import keras

    return keras.optimizers.Adam(LEARNING_RATE, beta_1=0.5)


def time_train_gan(images, batch_size, latent_dim, compile_step=True) -> float:
    """Steps per second of ``models.train_gan``'s second epoch over ``images`` (the first one
    compiles): the loop the notebooks run, shuffling, noise and the once-per-epoch read included.
    ``compile_step=False`` runs the same loop with the step left as it is (eager)."""
    import contextlib
    from unittest import mock

    from course_utils import models

    generator, discriminator = _networks(latent_dim, 0)
    stamps = []
    as_it_is = mock.patch("course_utils.backend.compiled", lambda step: step)  # train_gan imports it per call
    with (contextlib.nullcontext() if compile_step else as_it_is):
        models.train_gan(generator, discriminator, images, 2, batch_size, latent_dim, LEARNING_RATE, seed=0,
                         callback=lambda epoch, history: stamps.append(time.perf_counter()))
    return len(images) // batch_size / (stamps[1] - stamps[0])


def _keras_io_gan_class():
    import keras
    from keras import ops

    from course_utils import models
    from course_utils.backend import value_and_grad

    class GAN(keras.Model):
        """keras.io's DCGAN formulation: both gradients in ``train_step``, run by ``fit``."""

        def __init__(self, generator, discriminator, latent_dim):
            super().__init__()
            self.generator, self.discriminator, self.latent_dim = generator, discriminator, latent_dim
            self.noise = keras.random.SeedGenerator(0)

        def call(self, images):
            return self.discriminator(images)

        def compile(self, d_optimizer, g_optimizer):
            super().compile()
            self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer

        def train_step(self, real):
            z = keras.random.normal((ops.shape(real)[0], self.latent_dim), seed=self.noise)
            fake = ops.stop_gradient(self.generator(z, training=True))
            d_loss, grads = value_and_grad(
                lambda: models.discriminator_loss(self.discriminator(real, training=True),
                                                  self.discriminator(fake, training=True)),
                self.discriminator.trainable_variables)
            self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_variables))
            g_loss, grads = value_and_grad(
                lambda: models.generator_loss(self.discriminator(self.generator(z, training=True),
                                                                 training=True)),
                self.generator.trainable_variables)
            self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_variables))
            return {"d_loss": d_loss, "g_loss": g_loss}

    return GAN


def time_keras_fit(images, batch_size, latent_dim) -> float:
    """Steps per second of keras.io's formulation in ``fit``'s second epoch over ``images`` (the
    first one compiles), shuffled as ``train_gan`` shuffles."""
    import keras

    class Stamps(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.times = []

        def on_epoch_end(self, epoch, logs=None):
            self.times.append(time.perf_counter())

    generator, discriminator = _networks(latent_dim, 0)
    gan = _keras_io_gan_class()(generator, discriminator, latent_dim)
    gan.compile(d_optimizer=_adam(), g_optimizer=_adam())
    stamps = Stamps()
    gan.fit(images, batch_size=batch_size, epochs=2, verbose=0, shuffle=True, callbacks=[stamps])
    return len(images) // batch_size / (stamps.times[1] - stamps.times[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=200, help="timed steps per measurement")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--latent-dim", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=5,
                        help="paired measurements of the compiled step and of fit, taken in turn; "
                             "medians are printed (one measurement swings by 20%% on a shared machine)")
    args = parser.parse_args(argv)
    if min(args.steps, args.batch_size, args.latent_dim, args.repeats) < 1:
        parser.error("--steps, --batch-size, --latent-dim and --repeats must be positive whole numbers")

    from course_utils.backend import configured_backend
    from course_utils.environment import setup

    setup(verbose=False)
    backend = configured_backend()
    images = np.random.default_rng(0).uniform(size=(args.steps * args.batch_size, 28, 28, 1)).astype("float32")
    eager = time_train_gan(images[:min(args.steps, 50) * args.batch_size], args.batch_size, args.latent_dim,
                           compile_step=False)
    fast, fit = [], []
    for _ in range(args.repeats):  # in turn, so that a slow spell of the machine hits both
        fast.append(time_train_gan(images, args.batch_size, args.latent_dim))
        if backend != "jax":
            fit.append(time_keras_fit(images, args.batch_size, args.latent_dim))
    spread = lambda values: f"(range {min(values):.1f}-{max(values):.1f})"  # noqa: E731
    print(f"\nDCGAN step, batch {args.batch_size}, {args.steps} timed steps, backend {backend}, "
          f"{os.cpu_count()} CPUs (load {os.getloadavg()[0]:.1f}), median of {args.repeats} runs:")
    print(f"  course step, eager         {eager:7.1f} steps/s   (one run of {min(args.steps, 50)} steps)")
    print(f"  course step, compiled      {np.median(fast):7.1f} steps/s   {spread(fast)}, "
          f"{np.median(fast) / eager:.1f} x eager")
    if not fit:
        print("  keras.io fit + train_step     n/a (on JAX, fit needs a stateless train_step)")
    else:
        ratios = [a / b for a, b in zip(fast, fit)]
        print(f"  keras.io fit + train_step  {np.median(fit):7.1f} steps/s   {spread(fit)}")
        print(f"  ratio compiled / keras.io  {np.median(ratios):7.2f}           (median of the paired "
              f"runs' ratios, range {min(ratios):.2f}-{max(ratios):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
