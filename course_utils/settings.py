"""Tiers: how much work each notebook does, decided in this one place.

Three tiers, chosen with the ``COURSE_TIER`` environment variable (``ci``, ``laptop``,
``gpu``); when it is unset the tier is ``gpu`` if the active Keras backend sees a GPU and
``laptop`` otherwise.

- ``ci``: the whole collection executes in minutes on 2 CPU cores (used by the tests).
- ``laptop``: each notebook takes a few minutes on a laptop CPU, with results that look right.
- ``gpu``: full data and epochs, results at the level of published examples.

Each notebook's settings cell calls :func:`notebook_settings` with its number and shows the
numbers it got. Those numbers live in :data:`NOTEBOOK_SETTINGS` below; ``None`` as a sample
count means "all the data the source has".
"""

from __future__ import annotations

import os
from typing import Any, Iterator, Mapping

TIERS = ("ci", "laptop", "gpu")
TIER_ENV_VAR = "COURSE_TIER"
# The negative control: with COURSE_UNTRAINED=1 every training count is 0, so every model keeps
# its initial weights (tests/test_gates.py runs every notebook so and expects every learned gate
# to fail).
UNTRAINED_ENV_VAR = "COURSE_UNTRAINED"
# The dry run of a tier's code path (make test-gpu-dry): with COURSE_DRY_RUN=1 every training
# count is 1 (one epoch, one step per loop) and every data size ("n_*") is at most the ci tier's,
# while everything else (batch sizes, learning rates, seeds, latent sizes) keeps the tier's value.
DRY_RUN_ENV_VAR = "COURSE_DRY_RUN"

TIER_DESCRIPTIONS = {
    "ci": "minimal work: the whole course executes in minutes on 2 CPU cores",
    "laptop": "a few minutes per notebook on a laptop CPU, results that look right",
    "gpu": "full data and epochs, results at the level of published examples",
}

# One row per notebook, one column per tier. Names follow the course's fixed vocabulary:
# n_train, n_test, n_samples, epochs, batch_size, latent_dim, learning_rate.
NOTEBOOK_SETTINGS: dict[str, dict[str, dict[str, Any]]] = {
    "00": {
        "ci": {"n_train": 2000, "n_test": 500, "epochs": 5, "batch_size": 128, "kmeans_steps": 20},
        "laptop": {"n_train": 10000, "n_test": 2000, "epochs": 5, "batch_size": 128, "kmeans_steps": 30},
        "gpu": {"n_train": None, "n_test": None, "epochs": 10, "batch_size": 256, "kmeans_steps": 50},
    },
    "01": {
        "ci": {"n_samples": 2000, "epochs": 60, "batch_size": 250, "learning_rate": 0.05},
        "laptop": {"n_samples": 5000, "epochs": 100, "batch_size": 250, "learning_rate": 0.05},
        "gpu": {"n_samples": 20000, "epochs": 100, "batch_size": 1000, "learning_rate": 0.05},
    },
    "02": {
        "ci": {"n_train": 4000, "n_test": 1000, "epochs": 12, "batch_size": 128,
               "learning_rate": 3e-3, "linear_epochs": 30, "linear_batch_size": 256,
               "linear_learning_rate": 1e-2, "latent_dims": (2, 5, 32), "n_labelled": 100},
        "laptop": {"n_train": 20000, "n_test": 2000, "epochs": 20, "batch_size": 128,
                   "learning_rate": 2e-3, "linear_epochs": 40, "linear_batch_size": 256,
                   "linear_learning_rate": 1e-2, "latent_dims": (2, 5, 32), "n_labelled": 100},
        "gpu": {"n_train": None, "n_test": None, "epochs": 30, "batch_size": 512,
                "learning_rate": 2e-3, "linear_epochs": 50, "linear_batch_size": 1024,
                "linear_learning_rate": 1e-2, "latent_dims": (2, 5, 32), "n_labelled": 100},
    },
    "03": {
        "ci": {"n_train": 4000, "n_test": 1000, "epochs": 8, "batch_size": 64,
               "learning_rate": 3e-3, "latent_dim": 16},
        "laptop": {"n_train": 20000, "n_test": 2000, "epochs": 15, "batch_size": 64,
                   "learning_rate": 2e-3, "latent_dim": 16},
        "gpu": {"n_train": None, "n_test": None, "epochs": 20, "batch_size": 256,
                "learning_rate": 1.5e-3, "latent_dim": 16},
    },
    "04": {
        "ci": {"n_train": 4000, "n_test": 1000, "epochs": 12, "batch_size": 128,
               "learning_rate": 2e-3, "latent_dim": 128, "train_sigma": 0.5,
               "tradeoff_sigmas": (0.1, 1.0)},
        "laptop": {"n_train": 20000, "n_test": 2000, "epochs": 15, "batch_size": 128,
                   "learning_rate": 2e-3, "latent_dim": 128, "train_sigma": 0.5,
                   "tradeoff_sigmas": (0.1, 1.0)},
        "gpu": {"n_train": None, "n_test": None, "epochs": 20, "batch_size": 512,
                "learning_rate": 2e-3, "latent_dim": 128, "train_sigma": 0.5,
                "tradeoff_sigmas": (0.1, 1.0)},
    },
    "05": {
        "ci": {"n_train": 4000, "n_test": 1000, "epochs": 12, "batch_size": 128,
               "learning_rate": 2e-3, "latent_dim": 2, "generator_latent_dim": 8,
               "n_checked": 20, "n_prior_samples": 500},
        "laptop": {"n_train": 20000, "n_test": 2000, "epochs": 20, "batch_size": 128,
                   "learning_rate": 1e-3, "latent_dim": 2, "generator_latent_dim": 8,
                   "n_checked": 50, "n_prior_samples": 500},
        "gpu": {"n_train": None, "n_test": None, "epochs": 20, "batch_size": 256,
                "learning_rate": 1.5e-3, "latent_dim": 2, "generator_latent_dim": 8,
                "n_checked": 100, "n_prior_samples": 1000},
    },
    "06": {
        "ci": {"n_train": 4000, "n_test": 1000, "epochs": 12, "batch_size": 128,
               "learning_rate": 2e-3, "latent_dim": 2, "n_shapes": 4000, "shape_epochs": 8,
               "shape_latent_dim": 4, "beta": 6.0, "seeds": (0, 1)},
        "laptop": {"n_train": 20000, "n_test": 2000, "epochs": 20, "batch_size": 128,
                   "learning_rate": 1e-3, "latent_dim": 2, "n_shapes": 5000, "shape_epochs": 15,
                   "shape_latent_dim": 4, "beta": 6.0, "seeds": (0, 1, 2, 3, 4)},
        "gpu": {"n_train": None, "n_test": None, "epochs": 20, "batch_size": 256,
                "learning_rate": 1.5e-3, "latent_dim": 2, "n_shapes": 20000, "shape_epochs": 20,
                "shape_latent_dim": 4, "beta": 6.0, "seeds": (0, 1, 2, 3, 4)},
    },
    "09": {
        "ci": {"n_train": 4000, "n_test": 1000, "epochs": 8, "batch_size": 128,
               "learning_rate": 2e-3, "latent_dim": 8, "held_out_digits": (2, 1), "n_noise": 200,
               "rare_share": 0.05, "flag_fraction": 0.05, "flagged_share": 0.3, "n_bins": 10,
               "alpha": 0.03, "classifier_epochs": 8, "classifier_learning_rate": 1e-3},
        "laptop": {"n_train": 20000, "n_test": 2000, "epochs": 15, "batch_size": 128,
                   "learning_rate": 1e-3, "latent_dim": 8, "held_out_digits": (2, 1), "n_noise": 500,
                   "rare_share": 0.05, "flag_fraction": 0.05, "flagged_share": 0.3, "n_bins": 10,
                   "alpha": 0.03, "classifier_epochs": 10, "classifier_learning_rate": 1e-3},
        "gpu": {"n_train": None, "n_test": None, "epochs": 20, "batch_size": 256,
                "learning_rate": 1.5e-3, "latent_dim": 8, "held_out_digits": (2, 1), "n_noise": 1000,
                "rare_share": 0.05, "flag_fraction": 0.05, "flagged_share": 0.3, "n_bins": 10,
                "alpha": 0.03, "classifier_epochs": 15, "classifier_learning_rate": 1e-3},
    },
    # 07: the DCGAN on MNIST (n_train ... learning_rate); toy_epochs / ring_epochs count passes of
    # 25 batches of 512 points over the 1-D and ring toy data; n_samples generated digits are scored.
    # optimal_d_steps: steps of section 4's discriminator against a fixed generator (D* check).
    # ring_epochs: at 16 the ring gate failed for 1 of 20 seeds (10 per backend, TF and PyTorch);
    # at 32 the lowest of the 20 was 4.5 modes.
    "07": {
        "ci": {"n_train": 4000, "n_test": 1000, "epochs": 4, "batch_size": 64, "latent_dim": 32,
               "learning_rate": 2e-3, "n_samples": 1000, "toy_epochs": 12, "ring_epochs": 32,
               "optimal_d_steps": 200},
        "laptop": {"n_train": 20000, "n_test": 2000, "epochs": 5, "batch_size": 64, "latent_dim": 32,
                   "learning_rate": 2e-3, "n_samples": 2000, "toy_epochs": 12, "ring_epochs": 40,
                   "optimal_d_steps": 200},
        "gpu": {"n_train": None, "n_test": None, "epochs": 20, "batch_size": 128, "latent_dim": 32,
                "learning_rate": 5e-4, "n_samples": 5000, "toy_epochs": 12, "ring_epochs": 80,
                "optimal_d_steps": 200},
    },
    "08": {
        "ci": {"n_train": 4000, "n_test": 1000, "latent_dim": 32, "batch_size": 128,
               "learning_rate": 1e-3, "generator_learning_rate": 3e-3, "cgan_steps": 250,
               "n_samples": 50, "cycle_steps": 150, "cycle_batch_size": 32,
               "cycle_learning_rate": 2e-3, "cycle_weight": 10.0, "grow_steps": (50, 30, 30),
               "grow_batch_size": 32, "grow_learning_rate": 2e-3},
        "laptop": {"n_train": 20000, "n_test": 2000, "latent_dim": 32, "batch_size": 128,
                   "learning_rate": 1e-3, "generator_learning_rate": 3e-3, "cgan_steps": 1200,
                   "n_samples": 100, "cycle_steps": 400, "cycle_batch_size": 32,
                   "cycle_learning_rate": 2e-3, "cycle_weight": 10.0,
                   "grow_steps": (300, 250, 250), "grow_batch_size": 32, "grow_learning_rate": 2e-3},
        "gpu": {"n_train": None, "n_test": None, "latent_dim": 32, "batch_size": 256,
                "learning_rate": 5e-4, "generator_learning_rate": 1.5e-3, "cgan_steps": 6000,
                "n_samples": 200, "cycle_steps": 2000, "cycle_batch_size": 64,
                "cycle_learning_rate": 1e-3, "cycle_weight": 10.0,
                "grow_steps": (1000, 1000, 1000), "grow_batch_size": 64, "grow_learning_rate": 1e-3},
    },
    # 10: diffusion and flow matching. toy_* train the 2-D toy's networks; diffusion_steps and
    # flow_steps train the two U-Nets (widths unet_widths) on digits; n_samples digits are scored
    # after sampling with each number of steps in step_counts; n_guided digits per guidance scale.
    "10": {
        "ci": {"n_train": 4000, "n_test": 1000, "batch_size": 32, "learning_rate": 2e-3,
               "toy_steps": 1500, "toy_batch_size": 256, "toy_learning_rate": 2e-3,
               "unet_widths": (16, 32, 32), "diffusion_steps": 300, "flow_steps": 300,
               "n_samples": 300, "step_counts": (4, 10, 20), "min_share": 0.03,
               "guidance_scales": (0.0, 1.0, 3.0), "n_guided": 100},
        "laptop": {"n_train": 20000, "n_test": 2000, "batch_size": 64, "learning_rate": 2e-3,
                   "toy_steps": 3000, "toy_batch_size": 256, "toy_learning_rate": 2e-3,
                   "unet_widths": (16, 32, 32), "diffusion_steps": 1200, "flow_steps": 1200,
                   "n_samples": 1000, "step_counts": (5, 10, 25), "min_share": 0.03,
                   "guidance_scales": (0.0, 1.0, 3.0), "n_guided": 200},
        "gpu": {"n_train": None, "n_test": None, "batch_size": 256, "learning_rate": 1e-3,
                "toy_steps": 5000, "toy_batch_size": 512, "toy_learning_rate": 2e-3,
                "unet_widths": (32, 64, 64), "diffusion_steps": 5000, "flow_steps": 5000,
                "n_samples": 5000, "step_counts": (5, 10, 25, 50), "min_share": 0.03,
                "guidance_scales": (0.0, 1.0, 2.0, 4.0), "n_guided": 1000},
    },
    # 11 compares the models of 05, 07 and 10 under their own notebooks' settings; its own are how
    # many samples are scored, the share of them a digit needs to count as covered, how many
    # test digits the GAN's code is searched for, in how many steps, and how many DDIM steps make
    # a diffusion sample.
    "11": {
        "ci": {"n_samples": 1000, "min_share": 0.03, "n_inverted": 50, "inversion_steps": 150,
               "ddim_step_count": 20},
        "laptop": {"n_samples": 2000, "min_share": 0.03, "n_inverted": 100, "inversion_steps": 300,
                   "ddim_step_count": 25},
        "gpu": {"n_samples": 10000, "min_share": 0.03, "n_inverted": 500, "inversion_steps": 1000,
                "ddim_step_count": 50},
    },
}


# The settings that count training, per notebook: epochs, or optimisation steps (00's k-means
# iterations and 11's search for the GAN's codes are optimisations too). The negative control
# (COURSE_UNTRAINED=1) sets them to 0 and the dry run (COURSE_DRY_RUN=1) to 1. They are listed,
# not guessed from their names, so that a count of sampling steps is never zeroed by accident:
# OTHER_COUNTS lists the settings that count steps of something else, which both keep.
# tests/test_settings.py checks that every setting whose name speaks of epochs, steps or
# iterations is in exactly one of the two lists.
TRAINING_COUNTS: dict[str, tuple[str, ...]] = {
    "00": ("epochs", "kmeans_steps"),
    "01": ("epochs",),
    "02": ("epochs", "linear_epochs"),
    "03": ("epochs",),
    "04": ("epochs",),
    "05": ("epochs",),
    "06": ("epochs", "shape_epochs"),
    "07": ("epochs", "toy_epochs", "ring_epochs", "optimal_d_steps"),
    "08": ("cgan_steps", "cycle_steps", "grow_steps"),
    "09": ("epochs", "classifier_epochs"),
    "10": ("toy_steps", "diffusion_steps", "flow_steps"),
    "11": ("inversion_steps",),
}
OTHER_COUNTS: dict[str, tuple[str, ...]] = {
    "10": ("step_counts",),      # DDIM / Euler sampling steps
    "11": ("ddim_step_count",),  # DDIM sampling steps
}


def is_training_count(notebook: str, name: str) -> bool:
    """Whether setting ``name`` of notebook ``notebook`` counts training (see TRAINING_COUNTS)."""
    return name in TRAINING_COUNTS.get(notebook, ())


def untrained() -> bool:
    """Whether the negative control is on (``$COURSE_UNTRAINED`` set to 1)."""
    return os.environ.get(UNTRAINED_ENV_VAR, "").strip() in ("1", "true", "yes")


def _zeroed(value):
    return tuple(0 for _ in value) if isinstance(value, (tuple, list)) else 0


def dry_run() -> bool:
    """Whether the dry run is on (``$COURSE_DRY_RUN`` set to 1)."""
    return os.environ.get(DRY_RUN_ENV_VAR, "").strip() in ("1", "true", "yes")


def _dry(notebook: str, values: dict) -> dict:
    """``values`` with every training count at 1 and every data size at most the ci tier's."""
    ci = NOTEBOOK_SETTINGS[notebook]["ci"]
    dry = {}
    for key, value in values.items():
        if is_training_count(notebook, key):
            value = tuple(1 for _ in value) if isinstance(value, (tuple, list)) else 1
        elif key.startswith("n_") and isinstance(ci.get(key), int):
            value = ci[key] if value is None else min(value, ci[key])
        dry[key] = value
    return dry


def validate_tier(tier: str, argument: str = "tier") -> str:
    if not isinstance(tier, str) or tier.strip().lower() not in TIERS:
        raise ValueError(
            f"{argument}={tier!r} is not a tier; expected one of {', '.join(TIERS)} "
            f"(set {TIER_ENV_VAR} to choose, or leave it unset to auto-detect)"
        )
    return tier.strip().lower()


def current_tier(gpu_available: bool | None = None) -> str:
    """The active tier: ``$COURSE_TIER`` if set, else ``gpu`` with a GPU and ``laptop`` without.

    ``gpu_available`` lets a caller that already knows skip the GPU probe.
    """
    chosen = os.environ.get(TIER_ENV_VAR, "").strip()
    if chosen:
        return validate_tier(chosen, argument=TIER_ENV_VAR)
    if gpu_available is None:
        from course_utils.backend import gpu_devices

        gpu_available = bool(gpu_devices())
    return "gpu" if gpu_available else "laptop"


class Settings(Mapping):
    """A notebook's numbers for one tier: read them as attributes (``settings.epochs``)."""

    def __init__(self, notebook: str, tier: str, values: Mapping[str, Any]):
        self._notebook = notebook
        self._tier = tier
        self._values = dict(values)

    notebook = property(lambda self: self._notebook)
    tier = property(lambda self: self._tier)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(
                f"notebook {self._notebook} has no setting {name!r}; "
                f"it has {', '.join(sorted(self._values))}"
            ) from None

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        width = max(len(k) for k in self._values) if self._values else 0
        lines = [f"Settings for notebook {self._notebook}, tier '{self._tier}' "
                 f"({TIER_DESCRIPTIONS[self._tier]}):"]
        for key, value in self._values.items():
            shown = "all available" if value is None else value
            lines.append(f"  {key:<{width}} = {shown}")
        return "\n".join(lines)


def notebook_settings(notebook: str, tier: str | None = None, **overrides: Any) -> Settings:
    """The numbers notebook ``notebook`` (e.g. ``"01"``) uses in ``tier`` (default: the active tier).

    Keyword ``overrides`` replace single values, for an instructor who wants, say, more epochs
    live; an override of a setting the notebook does not have is an error. Under the negative
    control (``$COURSE_UNTRAINED=1``) every training count is 0, overrides included; under the dry
    run (``$COURSE_DRY_RUN=1``) every training count is 1 and data sizes are the ci tier's at most.
    """
    if not isinstance(notebook, str) or notebook not in NOTEBOOK_SETTINGS:
        raise KeyError(
            f"notebook={notebook!r} has no settings; expected one of "
            f"{', '.join(sorted(NOTEBOOK_SETTINGS))}"
        )
    tier = current_tier() if tier is None else validate_tier(tier)
    values = dict(NOTEBOOK_SETTINGS[notebook][tier])
    unknown = sorted(set(overrides) - set(values))
    if unknown:
        raise KeyError(
            f"overrides {', '.join(unknown)} are not settings of notebook {notebook}; "
            f"it has {', '.join(sorted(values))}"
        )
    values.update(overrides)
    if dry_run():
        values = _dry(notebook, values)
    if untrained():
        values = {k: _zeroed(v) if is_training_count(notebook, k) else v for k, v in values.items()}
    return Settings(notebook, tier, values)
