"""Image-quality metrics (course_utils.metrics)."""

import numpy as np
import pytest

from course_utils.metrics import psnr


def test_psnr_of_a_known_error():
    clean = np.zeros((3, 4, 4, 1))
    # A uniform error of 0.1 gives MSE 0.01, so PSNR = 10 log10(1 / 0.01) = 20 dB.
    np.testing.assert_allclose(psnr(clean, clean + 0.1), [20.0, 20.0, 20.0])


def test_psnr_is_per_image_and_uses_max_value():
    clean = np.zeros((2, 8, 8))
    noisy = clean.copy()
    noisy[0] += 0.1
    noisy[1] += 0.01
    np.testing.assert_allclose(psnr(clean, noisy), [20.0, 40.0])
    np.testing.assert_allclose(psnr(clean * 255, noisy * 255, max_value=255), [20.0, 40.0])


def test_psnr_identical_images_is_infinite():
    x = np.random.default_rng(0).uniform(size=(2, 5, 5))
    assert np.all(np.isinf(psnr(x, x)))


def test_psnr_more_noise_lower_psnr():
    rng = np.random.default_rng(1)
    x = rng.uniform(size=(50, 28, 28, 1))
    low, high = (psnr(x, x + s * rng.standard_normal(x.shape)).mean() for s in (0.1, 0.5))
    assert high < low


@pytest.mark.parametrize("reference, images, match", [
    (np.zeros((2, 3, 3)), np.zeros((2, 3, 4)), "images: expected the shape of reference"),
    (np.zeros(5), np.zeros(5), "reference: expected a non-empty batch"),
    (np.zeros((0, 3)), np.zeros((0, 3)), "reference: expected a non-empty batch"),
])
def test_psnr_bad_shapes(reference, images, match):
    with pytest.raises(ValueError, match=match):
        psnr(reference, images)


@pytest.mark.parametrize("max_value", [0, -1.0, np.inf, np.nan])
def test_psnr_bad_max_value(max_value):
    with pytest.raises(ValueError, match="max_value"):
        psnr(np.zeros((1, 2)), np.ones((1, 2)), max_value=max_value)
