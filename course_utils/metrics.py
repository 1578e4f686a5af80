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


def mutual_information_gap(codes, factors, bins: int = 20) -> tuple[float, np.ndarray]:
    """The mutual information gap (MIG) of ``codes`` (N, d) with respect to known ``factors`` (N, K).

    For each factor, the mutual information with every code dimension is estimated by
    scikit-learn's ``mutual_info_score`` on values binned into ``bins`` equal-count bins
    (factors with few distinct values are used as they are); the gap between the two most
    informative dimensions is divided by the factor's entropy. Returns (the mean over factors,
    the per-factor gaps). 1 means each factor lives in exactly one dimension; 0 means no
    dimension stands out. Introduced in notebook 06 (disentanglement).
    """
    from sklearn.metrics import mutual_info_score

    codes, factors = np.asarray(codes, dtype=np.float64), np.asarray(factors, dtype=np.float64)
    if codes.ndim != 2 or codes.shape[1] < 2:
        raise ValueError(f"codes: expected shape (N, d) with d >= 2, got {codes.shape}")
    if factors.ndim != 2 or len(factors) != len(codes):
        raise ValueError(f"factors: expected shape ({len(codes)}, K), got {factors.shape}")
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 2:
        raise ValueError(f"bins={bins!r}: expected a whole number >= 2")

    def discretise(column):
        if len(np.unique(column)) <= bins:
            return np.unique(column, return_inverse=True)[1]
        edges = np.quantile(column, np.linspace(0, 1, bins + 1)[1:-1])
        return np.digitize(column, edges)

    z = [discretise(codes[:, j]) for j in range(codes.shape[1])]
    gaps = []
    for k in range(factors.shape[1]):
        v = discretise(factors[:, k])
        entropy = mutual_info_score(v, v)
        if entropy <= 0:
            raise ValueError(f"factors: column {k} is constant, so it carries no information")
        info = np.sort([mutual_info_score(v, zj) for zj in z])[::-1]
        gaps.append((info[0] - info[1]) / entropy)
    gaps = np.asarray(gaps)
    return float(gaps.mean()), gaps
