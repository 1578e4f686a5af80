"""Measurements the notebooks report: image quality (PSNR). Later: Fréchet distance, AUROC helpers."""

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
