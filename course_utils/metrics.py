"""Measurements the notebooks report: image quality (PSNR), disentanglement (MIG)."""

from __future__ import annotations

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
