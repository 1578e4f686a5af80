"""Figures (course_utils.plotting). Drawn with the Agg backend; closed after each test."""

from __future__ import annotations

import types

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from course_utils.plotting import (STYLE, latent_sliders, plot_density_2d, plot_gan_history,
                                   plot_history, plot_latent, set_style, show_images,
                                   widget_frontend_present)

pytestmark = pytest.mark.usefixtures("hermetic")


@pytest.fixture(autouse=True)
def _restore_style():
    with matplotlib.rc_context():
        yield
    plt.close("all")


def _images(n, shape=(8, 8)):
    rng = np.random.default_rng(0)
    return rng.random((n, *shape)).astype(np.float32)


def _image_axes(fig):
    return [ax for ax in fig.axes if ax.images]


# ---------------------------------------------------------------- set_style


def test_set_style_applies_the_course_style():
    matplotlib.rcParams["axes.grid"] = False
    matplotlib.rcParams["figure.dpi"] = 50
    set_style()
    assert matplotlib.rcParams["axes.grid"] is True
    assert matplotlib.rcParams["figure.dpi"] == STYLE["figure.dpi"]
    assert matplotlib.rcParams["axes.titleweight"] == "bold"


# ---------------------------------------------------------------- show_images


def test_show_images_grid_titles_and_labels():
    images = _images(12)
    fig = show_images(images, labels=list("abcdefghijkl"), ncols=5, title="Digits")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 15  # 3 rows of 5
    assert fig.get_suptitle() == "Digits"
    drawn = _image_axes(fig)
    assert len(drawn) == 12
    assert [ax.get_title() for ax in drawn] == list("abcdefghijkl")
    for ax, image in zip(drawn, images):
        np.testing.assert_array_equal(ax.images[0].get_array(), image)
        assert ax.images[0].get_clim() == (0.0, 1.0)
    assert not any(ax.axison for ax in fig.axes)  # no ticks on images, nor on the empty cells


def test_show_images_default_title_and_no_labels():
    fig = show_images(_images(3))
    assert fig.get_suptitle() == "3 images"
    assert len(fig.axes) == 3  # ncols clamped to the number of images
    assert all(ax.get_title() == "" for ax in fig.axes)


@pytest.mark.parametrize("shape", [(4, 8, 8, 1), (4, 8, 8, 3)])
def test_show_images_channel_layouts(shape):
    images = np.random.default_rng(1).random(shape)
    fig = show_images(images, ncols=2, title="channels")
    drawn = _image_axes(fig)
    assert len(drawn) == 4
    expected = images[0, ..., 0] if shape[-1] == 1 else images[0]
    np.testing.assert_array_equal(drawn[0].images[0].get_array(), expected)


def test_show_images_passes_cmap_and_range():
    fig = show_images(_images(2), cmap="viridis", vmin=-1.0, vmax=2.0)
    image = _image_axes(fig)[0].images[0]
    assert image.get_cmap().name == "viridis"
    assert image.get_clim() == (-1.0, 2.0)


@pytest.mark.parametrize("images", [np.zeros((8, 8)), np.zeros((0, 8, 8)), np.zeros((2, 8, 8, 2)),
                                    np.zeros((2, 2, 8, 8, 1)), np.zeros(5)])
def test_show_images_bad_shape(images):
    with pytest.raises(ValueError, match=r"images: expected a non-empty batch shaped \(N, H, W\)"):
        show_images(images)


@pytest.mark.parametrize("ncols", [0, -2, 2.5, True, "3"])
def test_show_images_bad_ncols(ncols):
    with pytest.raises(ValueError, match=r"ncols=.*: expected a positive whole number"):
        show_images(_images(4), ncols=ncols)


def test_show_images_wrong_number_of_labels():
    with pytest.raises(ValueError, match=r"labels: expected 4 labels \(one per image\), got 3"):
        show_images(_images(4), labels=[1, 2, 3])


# ---------------------------------------------------------------- plot_latent


def test_plot_latent_without_labels():
    z = np.random.default_rng(0).normal(size=(50, 2))
    fig = plot_latent(z, title="Codes", xlabel="first", ylabel="second")
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("Codes", "first", "second")
    np.testing.assert_allclose(ax.collections[0].get_offsets(), z)


def test_plot_latent_with_labels_adds_a_colorbar():
    z = np.random.default_rng(0).normal(size=(30, 2))
    labels = np.arange(30) % 10
    fig = plot_latent(z, labels=labels)
    main, colorbar = fig.axes
    assert (main.get_title(), main.get_xlabel(), main.get_ylabel()) == (
        "Latent space", "$z_1$", "$z_2$")
    assert colorbar.get_ylabel() == "label"
    np.testing.assert_array_equal(main.collections[0].get_array(), labels)


def test_plot_latent_draws_on_a_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    returned = plot_latent(np.zeros((5, 2)), ax=right, title="right")
    assert returned is fig
    assert right.get_title() == "right" and left.get_title() == ""
    assert len(right.collections) == 1 and not left.collections


@pytest.mark.parametrize("z", [np.zeros((5, 3)), np.zeros(5), np.zeros((5, 2, 1)), [[1, 2, 3]]])
def test_plot_latent_bad_shape(z):
    with pytest.raises(ValueError, match=r"z: expected 2-D codes shaped \(N, 2\)"):
        plot_latent(z)


def test_plot_latent_wrong_number_of_labels():
    with pytest.raises(ValueError, match=r"labels: expected 5 labels \(one per point\), got 4"):
        plot_latent(np.zeros((5, 2)), labels=[0, 1, 2, 3])


# ---------------------------------------------------------------- plot_history


HISTORY = {"loss": [1.0, 0.5, 0.25], "val_loss": [1.2, 0.7, 0.6], "accuracy": [0.1, 0.5, 0.9]}


def test_plot_history_from_a_dict():
    fig = plot_history(HISTORY, title="Fit", ylabel="loss")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("Fit", "epoch", "loss")
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == set(HISTORY)
    for key, values in HISTORY.items():
        np.testing.assert_array_equal(lines[key].get_xdata(), [1, 2, 3])  # epochs count from 1
        np.testing.assert_array_equal(lines[key].get_ydata(), values)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(HISTORY)


def test_plot_history_from_a_keras_history_like_object():
    history = types.SimpleNamespace(history=HISTORY, epoch=[0, 1, 2])
    fig = plot_history(history, keys=["val_loss"], xlabel="step")
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["val_loss"]
    assert ax.get_xlabel() == "step" and ax.get_title() == "Training"


def test_plot_history_from_a_real_keras_history():
    import keras

    history = keras.callbacks.History()
    history.history = {"loss": [0.3, 0.2]}
    ax = plot_history(history).axes[0]
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), [0.3, 0.2])


def test_plot_history_draws_on_a_given_axes():
    fig, ax = plt.subplots()
    assert plot_history(HISTORY, keys=["loss"], ax=ax) is fig
    assert len(ax.get_lines()) == 1


def test_plot_history_missing_key():
    with pytest.raises(KeyError, match=r"keys \['val_accuracy'\] are not in the history; it has "
                                       r"\['accuracy', 'loss', 'val_loss'\]"):
        plot_history(HISTORY, keys=["loss", "val_accuracy"])


@pytest.mark.parametrize("history", [[1, 2, 3], None, types.SimpleNamespace(history=[1])])
def test_plot_history_bad_history(history):
    with pytest.raises(ValueError, match=r"history: expected a keras History or a dict of lists"):
        plot_history(history)


@pytest.mark.parametrize("history", [{}, types.SimpleNamespace(history={}), {"loss": []}])
def test_plot_history_of_no_training_draws_empty_axes_that_say_so(history):
    fig = plot_history(history, keys=["loss", "val_loss"], title="0 epochs")
    ax = fig.axes[0]
    assert ax.get_lines() == [] and ax.get_title() == "0 epochs"
    assert "no training record" in ax.texts[0].get_text()


# ---------------------------------------------------------------- plot_gan_history


def _gan_history(steps=30):
    ramp = np.linspace(0.0, 1.0, steps)
    return {"d_loss": 1.4 - ramp, "g_loss": 0.7 + ramp, "d_real_accuracy": 0.5 + 0.4 * ramp,
            "d_fake_accuracy": np.full(steps, 0.6)}


def test_plot_gan_history_losses_left_accuracies_right_as_moving_averages():
    fig = plot_gan_history(_gan_history(), title="A run", window=10)
    ax_loss, ax_acc = fig.axes
    losses = {line.get_label(): line for line in ax_loss.get_lines()}
    accuracies = {line.get_label(): line for line in ax_acc.get_lines()}
    assert set(losses) == {"D's loss", "G's loss", "log 4 (D cannot tell)"}
    assert set(accuracies) == {"D on real samples", "D on generated samples", "chance"}
    x, y = losses["D's loss"].get_data()
    assert len(x) == 30 - 10 + 1 and x[0] == 10  # a 10-step average ends at step 10 at the earliest
    np.testing.assert_allclose(y, np.convolve(_gan_history()["d_loss"], np.ones(10) / 10, "valid"))
    assert losses["log 4 (D cannot tell)"].get_ydata()[0] == pytest.approx(np.log(4))
    assert ax_acc.get_ylim() == (0, 1.05)
    assert fig._suptitle.get_text() == "A run"


def test_plot_gan_history_other_keys_and_a_window_longer_than_the_run():
    history = {"D loss": [1.0, 2.0, 3.0], "cycle loss": [0.5, 0.4, 0.3], "D accuracy on real": [1, 1, 0]}
    fig = plot_gan_history(history, window=50)  # shrinks to the 3 steps there are
    ax_loss, ax_acc = fig.axes
    assert {line.get_label() for line in ax_loss.get_lines()} >= {"D loss", "cycle loss"}
    assert [line.get_label() for line in ax_acc.get_lines()][0] == "D accuracy on real"
    np.testing.assert_allclose(ax_loss.get_lines()[0].get_ydata(), [2.0])


@pytest.mark.parametrize("history", [{}, None, [1, 2]])
def test_plot_gan_history_bad_history(history):
    with pytest.raises(ValueError, match=r"history: expected a non-empty"):
        plot_gan_history(history)


@pytest.mark.parametrize("history", [{"d_loss": [[1, 2]]}, {"d_loss": [1, 2], "g_loss": [1]}])
def test_plot_gan_history_bad_lists(history):
    with pytest.raises(ValueError, match=r"history: expected"):
        plot_gan_history(history)


def test_plot_gan_history_of_no_steps_draws_empty_panels_that_say_so():
    fig = plot_gan_history({"d_loss": [], "g_loss": [], "d_real_accuracy": []})
    for ax in fig.axes:
        assert "no training record" in ax.texts[0].get_text()
        assert all(len(line.get_xdata()) <= 2 for line in ax.get_lines())  # only the reference line


@pytest.mark.parametrize("window", [0, -1, 2.5, True])
def test_plot_gan_history_bad_window(window):
    with pytest.raises(ValueError, match=r"window="):
        plot_gan_history(_gan_history(), window=window)


# ---------------------------------------------------------------- plot_density_2d


def _standard_normal_log_prob(calls):
    def log_prob(x):
        calls.append((x.shape, x.dtype))
        return -0.5 * np.sum(x**2, axis=1) - np.log(2 * np.pi)
    return log_prob


def test_plot_density_2d_draws_the_log_density():
    calls = []
    points = np.random.default_rng(0).normal(size=(40, 2))
    fig = plot_density_2d(_standard_normal_log_prob(calls), extent=(-3, 3, -2, 2), points=points,
                          title="Gaussian", resolution=41)
    assert isinstance(fig, Figure)
    assert calls == [((41 * 41, 2), np.float32)]  # the whole grid, in one call
    ax, colorbar = fig.axes
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("Gaussian", "$x_1$", "$x_2$")
    assert colorbar.get_ylabel() == "log p(x)"
    assert ax.get_xlim() == (-3, 3) and ax.get_ylim() == (-2, 2)
    values = np.asarray(ax.images[0].get_array())
    assert values.shape == (41, 41)
    # The peak of a centred Gaussian is in the middle of the grid...
    assert np.unravel_index(values.argmax(), values.shape) == (20, 20)
    assert values.max() == pytest.approx(-np.log(2 * np.pi), abs=1e-6)
    # ...and rows run along y (origin lower): the corner value is the density at (-3, -2).
    assert values[0, 0] == pytest.approx(-0.5 * (9 + 4) - np.log(2 * np.pi), abs=1e-5)
    np.testing.assert_allclose(ax.collections[0].get_offsets(), points)


def test_plot_density_2d_floors_the_colour_range_12_below_the_peak():
    fig = plot_density_2d(lambda x: -50.0 * np.sum(x**2, axis=1), resolution=31)
    values = np.asarray(fig.axes[0].images[0].get_array())
    assert values.max() == pytest.approx(0.0, abs=1e-9)
    assert values.min() == pytest.approx(-12.0)


def test_plot_density_2d_draws_on_a_given_axes():
    fig, ax = plt.subplots()
    assert plot_density_2d(lambda x: -np.sum(x**2, axis=1), ax=ax, resolution=10) is fig
    assert len(ax.images) == 1


@pytest.mark.parametrize("extent", [(1, 0, -1, 1), (-1, 1, 2, 2), (0, 1, 0), (0, 1, 0, 1, 2)])
def test_plot_density_2d_bad_extent(extent):
    with pytest.raises(ValueError, match=r"extent=.*: expected \(xmin, xmax, ymin, ymax\)"):
        plot_density_2d(lambda x: np.zeros(len(x)), extent=extent)


# ---------------------------------------------------------------- latent sliders


def _decode_brightness(z):
    """A stand-in decoder: image brightness = sigmoid of the code's first entry."""
    z = np.asarray(z)
    return np.ones((len(z), 4, 4)) / (1 + np.exp(-z[:, :1, None]))


def test_latent_sliders_static_figure_has_one_row_per_latent_variable():
    fig = latent_sliders(_decode_brightness, np.zeros(3), steps=5, interactive=False)
    axes = np.array(fig.axes).reshape(3, 5)
    first_row = [ax.images[0].get_array()[0, 0] for ax in axes[0]]
    np.testing.assert_allclose(first_row, 1 / (1 + np.exp(-np.linspace(-3, 3, 5))), rtol=1e-6)
    other_row = [ax.images[0].get_array()[0, 0] for ax in axes[1]]
    np.testing.assert_allclose(other_row, 0.5)  # z1 held at z0 while z2 moves
    assert "static" in fig._suptitle.get_text()
    assert axes[2, 0].get_ylabel() == "$z_{3}$" and axes[2, 4].get_xlabel() == "+3.0"


def test_latent_sliders_widget_redraws_when_a_slider_moves():
    pytest.importorskip("ipywidgets")
    box = latent_sliders(_decode_brightness, np.array([0.0, 1.0]), interactive=True)
    sliders = box.children[0].children
    assert [s.value for s in sliders] == [0.0, 1.0]
    sliders[0].value = 2.0
    np.testing.assert_allclose(box.redraw()[0, 0], 1 / (1 + np.exp(-2.0)), rtol=1e-6)


def test_widget_frontend_present_follows_the_jupyter_server(monkeypatch):
    pytest.importorskip("ipywidgets")
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.delenv("VSCODE_PID", raising=False)
    assert widget_frontend_present() is False
    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/06.ipynb")
    assert widget_frontend_present() is True


@pytest.mark.parametrize("kwargs, match", [
    ({"z0": np.zeros((2, 2))}, "z0"), ({"value_range": (1, -1)}, "value_range"),
    ({"steps": 1}, "steps"), ({"names": ["a"]}, "names")])
def test_latent_sliders_bad_arguments(kwargs, match):
    arguments = {"decode": _decode_brightness, "z0": np.zeros(2), "interactive": False, **kwargs}
    with pytest.raises(ValueError, match=match):
        latent_sliders(**arguments)
