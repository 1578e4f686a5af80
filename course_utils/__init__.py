"""course_utils: the plumbing of the deep generative models course.

The ideas (models, losses, training steps) stay in the notebooks; this package holds what
every notebook needs around them, one concern per module:

- ``settings``: the three tiers (ci, laptop, gpu) and each notebook's numbers
- ``environment``: ``setup()``, the first call of every notebook
- ``backend``: the few backend-specific pieces, one version per backend (``value_and_grad``)
- ``data``: MNIST (online or offline), faces, toy distributions, shapes with known factors
- ``plotting``: image grids, latent scatter plots, curves, density maps
- ``metrics``: measurements the notebooks report (PSNR, mutual information gap, Fréchet distance)
- ``models``: the VAE pieces of notebook 05, the DCGAN of notebook 07 and the diffusion model of
  notebook 10, promoted for later notebooks
- ``checks``: ``[PASS]``/``[FAIL]`` outcome checks (learned gates against baselines, exact facts)
  and exercise self-checks that name the likely mistake
- ``cache``: trained weights, trained once and loaded after
- ``evaluation``: the evaluation classifier that judges generated digits
- ``exercises``: student copies generated from the source notebooks, their stored self-checks,
  and hints on request (``hint``)
- ``benchmark``: wall time and peak memory of each notebook under a tier, and a tier's estimate
- ``benchmark_steps``: the GAN training step's speed against keras.io's ``fit`` formulation
- ``slides``, ``publish``: slide metadata, and the decks and site built from executed notebooks

Importing the package is cheap: Keras and its backend load only when ``setup()`` runs.
"""

from course_utils.checks import (CheckFailed, check, check_beats, check_between, check_close,
                                 check_exercise, check_greater, check_less)
from course_utils.data import (GaussianMixture, data_sources, load_faces, load_mnist,
                               resolve_mnist_source, toy_distribution)
from course_utils.environment import setup
from course_utils.metrics import psnr
from course_utils.plotting import (plot_density_2d, plot_gan_history, plot_history, plot_latent,
                                   set_style, show_images)
from course_utils.settings import TIERS, current_tier, notebook_settings


def hint(key: str) -> str:
    """The next hint for exercise ``key`` (e.g. ``"05.2"``), a stronger one on each ask:
    :func:`course_utils.exercises.hint`."""
    from course_utils import exercises
    return exercises.hint(key)


__all__ = [
    "CheckFailed", "check", "check_beats", "check_between", "check_close", "check_exercise",
    "check_greater", "check_less",
    "GaussianMixture", "data_sources", "load_faces", "load_mnist", "resolve_mnist_source",
    "toy_distribution", "setup", "hint", "psnr", "plot_density_2d", "plot_gan_history", "plot_history",
    "plot_latent", "set_style", "show_images", "TIERS", "current_tier", "notebook_settings",
]
