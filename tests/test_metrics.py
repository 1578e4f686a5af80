"""Measurements (course_utils.metrics): PSNR, mutual information gap, Fréchet distance."""

import warnings

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


# ---------------------------------------------------------------- Fréchet distance

from course_utils.metrics import frechet_distance, gaussian_frechet_distance  # noqa: E402


def _eigen_frechet(a, b):
    """The same distance by another route: tr (S_a S_b)^(1/2) = sum sqrt(eig(S_a^(1/2) S_b S_a^(1/2)))."""
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    w, v = np.linalg.eigh(cov_a)
    root_a = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    eig = np.clip(np.linalg.eigvalsh(root_a @ cov_b @ root_a), 0, None)
    return np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * np.sqrt(eig).sum()


def test_frechet_identical_sets_is_zero():
    a = np.random.default_rng(0).normal(size=(500, 6))
    assert abs(frechet_distance(a, a)) < 1e-8


def test_frechet_of_a_shifted_set_is_the_squared_shift():
    # Shifting every vector by v leaves the covariance alone, so the distance is exactly ||v||^2.
    a = np.random.default_rng(1).normal(size=(400, 4)) @ np.diag([1.0, 2.0, 0.5, 1.5])
    shift = np.array([0.5, -1.0, 0.0, 2.0])
    assert frechet_distance(a, a + shift) == pytest.approx(np.sum(shift**2), rel=1e-6)
    assert frechet_distance(a, a + 2 * shift) > frechet_distance(a, a + shift)


def test_gaussian_frechet_matches_the_closed_form_for_diagonal_covariances():
    mu_a, sd_a = np.array([0.0, 1.0, -2.0]), np.array([1.0, 0.5, 2.0])
    mu_b, sd_b = np.array([0.5, 1.0, -1.0]), np.array([1.5, 0.5, 1.0])
    closed = np.sum((mu_a - mu_b) ** 2) + np.sum((sd_a - sd_b) ** 2)  # 0.25 + 1 + 0.25 + 1 = 2.5
    assert closed == pytest.approx(2.5)
    assert gaussian_frechet_distance(mu_a, np.diag(sd_a**2), mu_b, np.diag(sd_b**2)) == \
        pytest.approx(closed, rel=1e-10)
    # Rotating both Gaussians by the same orthogonal matrix changes nothing.
    q, _ = np.linalg.qr(np.random.default_rng(2).normal(size=(3, 3)))
    rotated = gaussian_frechet_distance(q @ mu_a, q @ np.diag(sd_a**2) @ q.T,
                                        q @ mu_b, q @ np.diag(sd_b**2) @ q.T)
    assert rotated == pytest.approx(closed, rel=1e-8)


def test_gaussian_frechet_in_one_dimension():
    # (mu_a - mu_b)^2 + (sigma_a - sigma_b)^2
    assert gaussian_frechet_distance([1.0], [[4.0]], [3.0], [[1.0]]) == pytest.approx(4.0 + 1.0)


def test_frechet_from_samples_approaches_the_closed_form():
    rng = np.random.default_rng(3)
    mu_a, sd_a, mu_b, sd_b = np.array([0.0, 2.0]), np.array([1.0, 3.0]), np.array([1.0, 2.0]), np.array([2.0, 1.0])
    a = mu_a + sd_a * rng.standard_normal((200_000, 2))
    b = mu_b + sd_b * rng.standard_normal((200_000, 2))
    assert frechet_distance(a, b) == pytest.approx(1.0 + 1.0 + 4.0, rel=0.02)
    assert frechet_distance(a, b) == pytest.approx(frechet_distance(b, a), rel=1e-8)


def test_frechet_with_singular_covariances_is_right_and_quiet():
    # Features that never vary (dead channels) make the covariances singular.
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((600, 20)), 1.5 * rng.standard_normal((600, 20)) + 0.3
    a[:, :4], b[:, 2:7] = 0.0, 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = frechet_distance(a, b)
    assert value == pytest.approx(_eigen_frechet(a, b), rel=1e-6)


@pytest.mark.parametrize("features_a, features_b, match", [
    (np.zeros(5), np.zeros((5, 2)), "features_a: expected a 2-D array"),
    (np.zeros((5, 2)), np.zeros((1, 2)), "features_b: expected a 2-D array"),
    (np.zeros((5, 2)), np.zeros((5, 3)), "features_b: expected 2 features per row"),
    (np.full((5, 2), np.nan), np.zeros((5, 2)), "features_a: contains NaN"),
])
def test_frechet_bad_inputs(features_a, features_b, match):
    with pytest.raises(ValueError, match=match):
        frechet_distance(features_a, features_b)


@pytest.mark.parametrize("args, match", [
    ((np.zeros(2), np.eye(3), np.zeros(2), np.eye(2)), r"cov_a: expected shape \(2, 2\)"),
    ((np.zeros(2), np.eye(2), np.zeros(3), np.eye(2)), r"mean_b: expected shape \(2,\)"),
    ((np.zeros((2, 2)), np.eye(2), np.zeros(2), np.eye(2)), "mean_a: expected a vector"),
    ((np.zeros(2), np.array([[1.0, 0.5], [0.0, 1.0]]), np.zeros(2), np.eye(2)), "cov_a: expected a symmetric"),
    ((np.zeros(2), -np.eye(2), np.zeros(2), np.eye(2)), "positive semi-definite"),
])
def test_gaussian_frechet_bad_inputs(args, match):
    with pytest.raises(ValueError, match=match):
        gaussian_frechet_distance(*args)
