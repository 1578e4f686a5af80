"""Measurements the notebooks report: image quality (PSNR), disentanglement (MIG), sample quality
(Fréchet distance)."""

from __future__ import annotations

import warnings

import numpy as np


def psnr(reference, images, max_value: float = 1.0) -> np.ndarray:
    """Peak signal-to-noise ratio of each image against its clean ``reference``, in dB.

    ``10 * log10(max_value**2 / MSE)`` per image, with the MSE over that image's pixels; higher is
    better, and identical images give ``inf``. ``reference`` and ``images`` have the same shape,
    (N, ...) with one image per row. Introduced in notebook 04 (denoising autoencoders).
    """
    reference = np.asarray(reference, dtype=np.float64)
    images = np.asarray(images, dtype=np.float64)
    if reference.shape != images.shape:
        raise ValueError(f"images: expected the shape of reference {reference.shape}, "
                         f"got {images.shape}")
    if reference.ndim < 2 or len(reference) == 0:
        raise ValueError(f"reference: expected a non-empty batch (N, ...) of images, "
                         f"got shape {reference.shape}")
    if not np.isfinite(max_value) or max_value <= 0:
        raise ValueError(f"max_value={max_value!r}: expected a positive number (1.0 for [0, 1] images)")
    mse = np.mean((reference - images) ** 2, axis=tuple(range(1, reference.ndim)))
    with np.errstate(divide="ignore"):
        return 10 * np.log10(max_value**2 / mse)


def _discretise(column: np.ndarray, bins: int) -> np.ndarray:
    """Bin labels of ``column``: its values if it has at most ``bins`` of them, else equal-count bins."""
    if len(np.unique(column)) <= bins:
        return np.unique(column, return_inverse=True)[1]
    edges = np.quantile(column, np.linspace(0, 1, bins + 1)[1:-1])
    return np.digitize(column, edges)


def _check_codes_and_factors(codes, factors, bins):
    codes, factors = np.asarray(codes, dtype=np.float64), np.asarray(factors, dtype=np.float64)
    if codes.ndim != 2 or codes.shape[1] < 2:
        raise ValueError(f"codes: expected shape (N, d) with d >= 2, got {codes.shape}")
    if factors.ndim != 2 or len(factors) != len(codes):
        raise ValueError(f"factors: expected shape ({len(codes)}, K), got {factors.shape}")
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 2:
        raise ValueError(f"bins={bins!r}: expected a whole number >= 2")
    return codes, factors


def mutual_information_matrix(codes, factors, bins: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Mutual information (nats) between each factor and each code dimension, shape (K, d), and
    each factor's entropy, shape (K,).

    scikit-learn's ``mutual_info_score`` on values binned into ``bins`` equal-count bins (factors
    with few distinct values are used as they are). Introduced in notebook 06 (which latent
    variable carries which factor).
    """
    from sklearn.metrics import mutual_info_score

    codes, factors = _check_codes_and_factors(codes, factors, bins)
    z = [_discretise(codes[:, j], bins) for j in range(codes.shape[1])]
    info, entropy = np.zeros((factors.shape[1], len(z))), np.zeros(factors.shape[1])
    for k in range(factors.shape[1]):
        v = _discretise(factors[:, k], bins)
        entropy[k] = mutual_info_score(v, v)
        if entropy[k] <= 0:
            raise ValueError(f"factors: column {k} is constant, so it carries no information")
        info[k] = [mutual_info_score(v, zj) for zj in z]
    return info, entropy


def mutual_information_gap(codes, factors, bins: int = 20) -> tuple[float, np.ndarray]:
    """The mutual information gap (MIG) of ``codes`` (N, d) with respect to known ``factors`` (N, K).

    For each factor, the gap between the mutual information of the two most informative code
    dimensions (``mutual_information_matrix``), divided by the factor's entropy. Returns (the
    mean over factors, the per-factor gaps). 1 means each factor lives in exactly one dimension;
    0 means no dimension stands out. Introduced in notebook 06 (disentanglement).
    """
    info, entropy = mutual_information_matrix(codes, factors, bins)
    top = -np.sort(-info, axis=1)
    gaps = (top[:, 0] - top[:, 1]) / entropy
    return float(gaps.mean()), gaps


# ---------------------------------------------------------------- Fréchet distance


def _features(values, argument: str) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or len(values) < 2 or values.shape[1] < 1:
        raise ValueError(f"{argument}: expected a 2-D array (N, d) of feature vectors with N >= 2, "
                         f"got shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{argument}: contains NaN or infinite values")
    return values


def gaussian_frechet_distance(mean_a, cov_a, mean_b, cov_b) -> float:
    """The Fréchet distance between N(mean_a, cov_a) and N(mean_b, cov_b):
    ``||mean_a - mean_b||^2 + tr(cov_a + cov_b - 2 (cov_a cov_b)^(1/2))``.

    The matrix square root is ``scipy.linalg.sqrtm``; round-off can give it a tiny imaginary
    part, which is dropped (a large one means a covariance is not positive semi-definite, and is
    an error). Introduced in notebook 07 (GANs).
    """
    from scipy.linalg import LinAlgWarning, sqrtm

    mean_a, mean_b = (np.atleast_1d(np.asarray(m, dtype=np.float64)) for m in (mean_a, mean_b))
    cov_a, cov_b = (np.atleast_2d(np.asarray(c, dtype=np.float64)) for c in (cov_a, cov_b))
    if mean_a.ndim != 1:
        raise ValueError(f"mean_a: expected a vector of d means, got shape {mean_a.shape}")
    d = mean_a.shape[0]
    for name, value, shape in (("mean_a", mean_a, (d,)), ("mean_b", mean_b, (d,)),
                               ("cov_a", cov_a, (d, d)), ("cov_b", cov_b, (d, d))):
        if value.shape != shape:
            raise ValueError(f"{name}: expected shape {shape} (mean_a has {d} entries), "
                             f"got {value.shape}")
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{name}: contains NaN or infinite values")
    for name, cov in (("cov_a", cov_a), ("cov_b", cov_b)):
        if not np.allclose(cov, cov.T, rtol=1e-6, atol=1e-9):
            raise ValueError(f"{name}: expected a symmetric covariance matrix")
    with warnings.catch_warnings():
        # A feature that never varies makes a covariance singular; sqrtm still returns the right
        # root (the unit tests compare it with an eigenvalue computation) but warns. Silence it.
        warnings.simplefilter("ignore", LinAlgWarning)
        root = sqrtm(cov_a @ cov_b)
    if np.iscomplexobj(root):
        scale = max(1.0, float(np.abs(root).max()))
        if np.abs(root.imag).max() > 1e-3 * scale:  # retry, nudged away from singularity
            eps = 1e-6 * np.eye(d)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", LinAlgWarning)
                root = sqrtm((cov_a + eps) @ (cov_b + eps))
            if np.iscomplexobj(root) and np.abs(root.imag).max() > 1e-3 * scale:
                raise ValueError("cov_a, cov_b: the square root of their product is complex; "
                                 "expected positive semi-definite covariance matrices")
        root = root.real
    return float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2 * root))


def frechet_distance(features_a, features_b) -> float:
    """The Fréchet distance between two sets of feature vectors, each summarised by a Gaussian.

    Fits a mean and covariance to ``features_a`` (N, d) and to ``features_b`` (M, d) and returns
    :func:`gaussian_frechet_distance` of the two fits: 0 for identical statistics, larger the
    more the sets differ in where they lie and how they spread. On the features of an image
    classifier this is the Fréchet Inception Distance (FID) idea; the course uses its own
    evaluation classifier's features (``evaluation.classifier_features``), so its numbers are
    comparable with each other, not with published FIDs. The estimate is biased upward for small
    sets: compare distances computed from the same numbers of samples. Introduced in notebook 07.
    """
    a, b = _features(features_a, "features_a"), _features(features_b, "features_b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"features_b: expected {a.shape[1]} features per row like features_a, "
                         f"got {b.shape[1]}")
    return gaussian_frechet_distance(a.mean(axis=0), np.cov(a, rowvar=False),
                                     b.mean(axis=0), np.cov(b, rowvar=False))
