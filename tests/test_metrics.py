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


# ---------------------------------------------------------------- mutual information gap

from course_utils.metrics import mutual_information_gap  # noqa: E402


def test_mig_is_high_when_each_factor_has_its_own_dimension():
    factors = np.random.default_rng(0).uniform(size=(3000, 3))
    noise = np.random.default_rng(9).standard_normal(3000)  # a fourth, uninformative dimension
    codes = np.c_[factors[:, 2] * 5, -factors[:, 0], factors[:, 1] ** 3, noise]
    score, gaps = mutual_information_gap(codes, factors)
    assert score > 0.8 and gaps.shape == (3,)


def test_mig_falls_as_the_codes_rotate_away_from_the_factors():
    rng = np.random.default_rng(1)
    factors = rng.uniform(-1, 1, size=(3000, 2))

    def rotated(degrees):
        a = np.radians(degrees)
        return factors @ np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])

    scores = [mutual_information_gap(rotated(d), factors)[0] for d in (0, 15, 30, 45)]
    unrelated = mutual_information_gap(rng.uniform(size=(3000, 2)), factors)[0]
    assert scores[0] > 0.8 and scores[0] > scores[1] > scores[2] > scores[3]
    assert scores[3] < 0.05 and unrelated < 0.02  # 45 degrees: both dimensions equally informative


def test_mig_handles_a_categorical_factor():
    rng = np.random.default_rng(2)
    category = rng.integers(0, 3, 2000).astype(float)
    codes = np.c_[category + 0.01 * rng.standard_normal(2000), rng.standard_normal(2000)]
    assert mutual_information_gap(codes, category[:, None])[0] > 0.8


@pytest.mark.parametrize("codes, factors, kwargs, match", [
    (np.zeros((10, 1)), np.zeros((10, 1)), {}, "codes: expected shape"),
    (np.zeros((10, 2)), np.zeros((9, 1)), {}, "factors: expected shape"),
    (np.zeros((10, 2)), np.ones((10, 1)), {}, "factors: column 0 is constant"),
    (np.zeros((10, 2)), np.arange(10.0)[:, None], {"bins": 1}, "bins="),
])
def test_mig_bad_inputs(codes, factors, kwargs, match):
    with pytest.raises(ValueError, match=match):
        mutual_information_gap(codes, factors, **kwargs)


def test_mutual_information_matrix_finds_which_dimension_carries_which_factor():
    from course_utils.metrics import mutual_information_matrix

    rng = np.random.default_rng(0)
    factors = rng.uniform(size=(4000, 2))
    codes = np.stack([rng.normal(size=4000), factors[:, 1], factors[:, 0] * 2 - 1], axis=1)
    info, entropy = mutual_information_matrix(codes, factors, bins=10)
    assert info.shape == (2, 3) and entropy.shape == (2,)
    assert info.argmax(axis=1).tolist() == [2, 1]
    np.testing.assert_allclose(entropy, np.log(10), rtol=1e-3)  # 10 equal-count bins
    np.testing.assert_allclose(info.max(axis=1), entropy, rtol=1e-6)  # a copy carries it all
    assert info[:, 0].max() < 0.05  # noise carries (almost) nothing
