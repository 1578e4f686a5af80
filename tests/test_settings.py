"""Tiers and per-notebook settings (course_utils.settings)."""

from __future__ import annotations

import math
import re

import pytest

import course_utils.backend
from course_utils import settings
from course_utils.settings import (NOTEBOOK_SETTINGS, TIERS, Settings, current_tier,
                                   notebook_settings)

pytestmark = pytest.mark.usefixtures("hermetic")

# Settings that measure an amount of work; None means "all the data", i.e. the most.
WORK_KEYS = ("n_train", "n_test", "n_samples", "epochs")


def _amount(value):
    return math.inf if value is None else value


# ---------------------------------------------------------------- current_tier


@pytest.mark.parametrize("tier", TIERS)
def test_current_tier_follows_env_var(monkeypatch, tier):
    monkeypatch.setenv("COURSE_TIER", tier)
    # The variable wins over what the machine has, either way.
    assert current_tier(gpu_available=True) == tier
    assert current_tier(gpu_available=False) == tier


@pytest.mark.parametrize("raw, expected", [("CI", "ci"), (" Laptop ", "laptop"), ("GPU\n", "gpu")])
def test_current_tier_env_var_is_case_and_space_insensitive(monkeypatch, raw, expected):
    monkeypatch.setenv("COURSE_TIER", raw)
    assert current_tier(gpu_available=False) == expected


@pytest.mark.parametrize("raw", ["fast", "cpu", "c i"])
def test_current_tier_unknown_env_value_is_an_error_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("COURSE_TIER", raw)
    with pytest.raises(ValueError, match=r"COURSE_TIER=.*is not a tier.*ci, laptop, gpu"):
        current_tier(gpu_available=False)


def test_current_tier_blank_env_var_means_auto_detect(monkeypatch):
    monkeypatch.setenv("COURSE_TIER", "   ")
    assert current_tier(gpu_available=True) == "gpu"
    assert current_tier(gpu_available=False) == "laptop"


def test_current_tier_auto_detect_without_env_var():
    assert current_tier(gpu_available=True) == "gpu"
    assert current_tier(gpu_available=False) == "laptop"


@pytest.mark.parametrize("gpus, expected", [(("FakeGPU:0",), "gpu"), ((), "laptop")])
def test_current_tier_probes_the_backend_when_not_told(monkeypatch, gpus, expected):
    calls = []

    def fake_gpu_devices(name=None):
        calls.append(name)
        return gpus

    monkeypatch.setattr(course_utils.backend, "gpu_devices", fake_gpu_devices)
    assert current_tier() == expected
    assert calls == [None]  # the probe ran once, for the configured backend


def test_current_tier_does_not_probe_when_env_var_set(monkeypatch):
    def exploding_probe(name=None):
        raise AssertionError("the GPU probe should not run when COURSE_TIER is set")

    monkeypatch.setattr(course_utils.backend, "gpu_devices", exploding_probe)
    monkeypatch.setenv("COURSE_TIER", "ci")
    assert current_tier() == "ci"


# ---------------------------------------------------------------- the table itself


def test_every_notebook_has_every_tier_with_the_same_keys():
    assert NOTEBOOK_SETTINGS, "no notebook settings at all"
    for notebook, tiers in NOTEBOOK_SETTINGS.items():
        assert set(tiers) == set(TIERS), f"notebook {notebook} tiers {sorted(tiers)}"
        keys = {tier: set(values) for tier, values in tiers.items()}
        assert keys["ci"] == keys["laptop"] == keys["gpu"], f"notebook {notebook}: {keys}"
        assert keys["ci"], f"notebook {notebook} has no settings"


@pytest.mark.parametrize("notebook", sorted(NOTEBOOK_SETTINGS))
def test_ci_does_no_more_work_than_laptop_than_gpu(notebook):
    tiers = NOTEBOOK_SETTINGS[notebook]
    for key in WORK_KEYS:
        if key not in tiers["ci"]:
            continue
        ci, laptop, gpu = (_amount(tiers[t][key]) for t in ("ci", "laptop", "gpu"))
        assert ci <= laptop <= gpu, f"notebook {notebook}, {key}: {ci}, {laptop}, {gpu}"


@pytest.mark.parametrize("notebook", sorted(NOTEBOOK_SETTINGS))
def test_settings_values_are_sane(notebook):
    for tier, values in NOTEBOOK_SETTINGS[notebook].items():
        for key, value in values.items():
            where = f"notebook {notebook}, tier {tier}, {key}={value!r}"
            if key in ("n_train", "n_test", "n_samples"):
                assert value is None or (isinstance(value, int) and value > 0), where
            elif key in ("epochs", "batch_size", "latent_dim"):
                assert isinstance(value, int) and not isinstance(value, bool) and value > 0, where
            elif key == "learning_rate":
                assert 0 < value < 1, where


# ---------------------------------------------------------------- notebook_settings


@pytest.mark.parametrize("notebook", sorted(NOTEBOOK_SETTINGS))
@pytest.mark.parametrize("tier", TIERS)
def test_notebook_settings_every_notebook_and_tier(notebook, tier):
    s = notebook_settings(notebook, tier)
    assert isinstance(s, Settings)
    assert s.notebook == notebook and s.tier == tier
    assert dict(s) == NOTEBOOK_SETTINGS[notebook][tier]
    for key, value in NOTEBOOK_SETTINGS[notebook][tier].items():
        assert getattr(s, key) == value
        assert s[key] == value


def test_notebook_settings_default_tier_is_the_active_one(monkeypatch):
    monkeypatch.setenv("COURSE_TIER", "ci")
    s = notebook_settings("01")
    assert s.tier == "ci"
    assert dict(s) == NOTEBOOK_SETTINGS["01"]["ci"]


def test_notebook_settings_tier_argument_is_case_insensitive():
    assert notebook_settings("00", " GPU ").tier == "gpu"


def test_notebook_settings_tier_argument_wins_over_env(monkeypatch):
    monkeypatch.setenv("COURSE_TIER", "gpu")
    assert notebook_settings("00", "ci").tier == "ci"


@pytest.mark.parametrize("tier", ["fast", "", 3])
def test_notebook_settings_unknown_tier_names_the_argument(tier):
    with pytest.raises(ValueError, match=r"tier=.* is not a tier"):
        notebook_settings("00", tier)


@pytest.mark.parametrize("notebook", ["99", "1", 1, None])
def test_notebook_settings_unknown_notebook_names_the_argument(notebook):
    with pytest.raises(KeyError, match=r"notebook=.* has no settings; expected one of .*00"):
        notebook_settings(notebook, "ci")


def test_notebook_settings_overrides_replace_single_values():
    s = notebook_settings("01", "ci", epochs=7, n_samples=None)
    assert s.epochs == 7
    assert s.n_samples is None
    # The rest is untouched, and so is the table.
    assert s.batch_size == NOTEBOOK_SETTINGS["01"]["ci"]["batch_size"]
    assert NOTEBOOK_SETTINGS["01"]["ci"]["epochs"] == 60
    assert notebook_settings("01", "ci").epochs == 60


def test_notebook_settings_unknown_override_is_an_error_naming_it():
    with pytest.raises(KeyError, match=r"overrides epoch, lr are not settings of notebook 01"):
        notebook_settings("01", "ci", epoch=3, lr=0.1)


# ---------------------------------------------------------------- Settings


def test_settings_attribute_access_and_mapping():
    s = Settings("07", "laptop", {"epochs": 3, "n_train": None})
    assert s.epochs == 3 and s["epochs"] == 3
    assert s.n_train is None
    assert len(s) == 2
    assert list(s) == ["epochs", "n_train"]
    assert dict(s) == {"epochs": 3, "n_train": None}
    assert s.get("missing", "default") == "default"


def test_settings_unknown_attribute_names_it_and_lists_the_settings():
    s = Settings("07", "ci", {"epochs": 3, "batch_size": 8})
    with pytest.raises(AttributeError, match=r"notebook 07 has no setting 'epoch'; it has batch_size, epochs"):
        s.epoch
    assert getattr(s, "epoch", None) is None
    assert not hasattr(s, "_hidden")
    with pytest.raises(KeyError):
        s["epoch"]


def test_settings_repr_shows_notebook_tier_and_every_value():
    s = notebook_settings("00", "gpu")
    text = repr(s)
    lines = text.splitlines()
    assert lines[0].startswith("Settings for notebook 00, tier 'gpu'")
    assert settings.TIER_DESCRIPTIONS["gpu"] in lines[0]
    assert len(lines) == 1 + len(s)
    shown = {line.split("=")[0].strip(): line.split("=", 1)[1].strip() for line in lines[1:]}
    assert shown == {"n_train": "all available", "n_test": "all available",
                     "epochs": "10", "batch_size": "256", "kmeans_steps": "50"}
    # The "=" signs line up.
    assert len({line.index("=") for line in lines[1:]}) == 1


def test_settings_repr_of_empty_settings():
    assert repr(Settings("00", "ci", {})).startswith("Settings for notebook 00, tier 'ci'")


# ---------------------------------------------------------------- the negative control


@pytest.mark.parametrize("notebook, name, counts", [
    ("07", "epochs", True), ("06", "shape_epochs", True), ("08", "cycle_steps", True),
    ("07", "batch_size", False), ("10", "step_counts", False), ("11", "ddim_step_count", False),
    ("99", "epochs", False)])
def test_is_training_count(notebook, name, counts):
    assert settings.is_training_count(notebook, name) is counts


COUNT_WORDS = re.compile(r"epoch|step|iteration|round", re.IGNORECASE)


@pytest.mark.parametrize("notebook", sorted(NOTEBOOK_SETTINGS))
def test_every_count_of_steps_is_declared_training_or_not(notebook):
    """A new setting that counts epochs or steps must be listed in TRAINING_COUNTS (the negative
    control zeroes it) or in OTHER_COUNTS (it keeps it): nothing is decided by a name's ending."""
    names = set().union(*(set(values) for values in NOTEBOOK_SETTINGS[notebook].values()))
    training = set(settings.TRAINING_COUNTS.get(notebook, ()))
    other = set(settings.OTHER_COUNTS.get(notebook, ()))
    assert not training & other, f"notebook {notebook}: {sorted(training & other)} in both lists"
    undeclared = sorted(n for n in names if COUNT_WORDS.search(n) and n not in training | other)
    assert not undeclared, (f"notebook {notebook}: settings {undeclared} count something; add them to "
                            "settings.TRAINING_COUNTS (training) or settings.OTHER_COUNTS (anything else)")
    for tier, values in NOTEBOOK_SETTINGS[notebook].items():
        missing = sorted((training | other) - set(values))
        assert not missing, f"notebook {notebook}, tier {tier}: declared counts {missing} are not settings"
        for name in training:
            counts = values[name] if isinstance(values[name], tuple) else (values[name],)
            assert all(isinstance(c, int) and c >= 0 for c in counts), (notebook, tier, name)


def test_every_notebook_declares_its_training_counts():
    assert set(settings.TRAINING_COUNTS) == set(NOTEBOOK_SETTINGS)


def test_untrained_sets_every_training_count_to_zero_and_keeps_the_rest(monkeypatch):
    monkeypatch.setitem(settings.NOTEBOOK_SETTINGS, "99", {
        "ci": {"epochs": 3, "gan_steps": (10, 20), "vae_epochs": 2, "batch_size": 64, "latent_dim": 2,
               "sample_steps": 5}})
    monkeypatch.setitem(settings.TRAINING_COUNTS, "99", ("epochs", "gan_steps", "vae_epochs"))
    monkeypatch.setenv("COURSE_UNTRAINED", "1")
    s = notebook_settings("99", "ci", epochs=7)
    assert (s.epochs, s.gan_steps, s.vae_epochs) == (0, (0, 0), 0)
    assert (s.batch_size, s.latent_dim, s.sample_steps) == (64, 2, 5)  # not declared: kept
    monkeypatch.setenv("COURSE_UNTRAINED", "0")
    assert notebook_settings("99", "ci").epochs == 3


# ---------------------------------------------------------------- the dry run (COURSE_DRY_RUN)


@pytest.mark.parametrize("notebook", sorted(NOTEBOOK_SETTINGS))
def test_dry_run_trains_one_step_per_count_on_ci_sized_data(monkeypatch, notebook):
    monkeypatch.setenv("COURSE_DRY_RUN", "1")
    dry, gpu, ci = (notebook_settings(notebook, "gpu"), NOTEBOOK_SETTINGS[notebook]["gpu"],
                    NOTEBOOK_SETTINGS[notebook]["ci"])
    assert dry.tier == "gpu"
    for key, value in gpu.items():
        if settings.is_training_count(notebook, key):
            assert dry[key] == (tuple(1 for _ in value) if isinstance(value, tuple) else 1), key
        elif key.startswith("n_") and isinstance(ci[key], int):
            assert dry[key] == (ci[key] if value is None else min(value, ci[key])), key
        else:  # batch sizes, learning rates, seeds, latent sizes: the tier's own
            assert dry[key] == value, key


def test_dry_run_off_by_default_and_untrained_wins(monkeypatch):
    monkeypatch.delenv("COURSE_DRY_RUN", raising=False)
    assert not settings.dry_run()
    assert notebook_settings("07", "gpu")["epochs"] == NOTEBOOK_SETTINGS["07"]["gpu"]["epochs"]
    monkeypatch.setenv("COURSE_DRY_RUN", "1")
    assert settings.dry_run()
    assert notebook_settings("07", "gpu", epochs=50)["epochs"] == 1  # overrides too
    monkeypatch.setenv("COURSE_UNTRAINED", "1")
    assert notebook_settings("07", "gpu")["epochs"] == 0
    monkeypatch.setenv("COURSE_DRY_RUN", "no")
    monkeypatch.delenv("COURSE_UNTRAINED")
    assert not settings.dry_run()
