"""Wrong answers to notebook 04's exercises, each with the diagnosis its self-check must give."""

MUTATIONS = {
    1: [  # add_gaussian_noise
        # A slip the self-checks must name: noise of one's own instead of the generator given.
        ("return (x + sigma * np.random.default_rng().standard_normal(x.shape)).astype(np.float32)",
         "noise of your own"),
        ("return (x + sigma ** 2 * rng.standard_normal(x.shape)).astype(np.float32)", "sigma^2, the variance"),
        ("return (sigma * rng.standard_normal(x.shape)).astype(np.float32)", "noise alone"),
        ("return np.clip(x + sigma * rng.standard_normal(x.shape), 0, 1).astype(np.float32)", "clip"),
        ("return (x + sigma * rng.uniform(size=x.shape)).astype(np.float32)", "uniform noise"),
    ],
    2: [  # psnr
        ("return 10 * np.log10(1.0 / np.mean((x - x_tilde) ** 2))", "whole batch"),
        ("mse = np.mean((x - x_tilde) ** 2, axis=tuple(range(1, x.ndim)))\n"
         "return 20 * np.log10(1.0 / mse)", "20 log10"),
        ("mse = np.mean((x - x_tilde) ** 2, axis=tuple(range(1, x.ndim)))\n"
         "return 10 * np.log10(mse)", "sign is flipped"),
        ("mse = np.sum((x - x_tilde) ** 2, axis=(1, 2, 3))\n"
         "return 10 * np.log10(1.0 / mse)", "sum the squared errors"),
        ("rmse = np.sqrt(np.mean((x - x_tilde) ** 2, axis=(1, 2, 3)))\n"
         "return 10 * np.log10(1.0 / rmse)", "square root"),
    ],
    3: [  # DenoisingPairs.__getitem__: the training pair
        ("return clean, self.corrupt(clean, self.rng)", "swap input and target"),
        ("noisy = self.corrupt(clean, self.rng)\nreturn noisy, noisy", "target the corrupted image"),
        ("return self.corrupt(clean, self.rng), self.corrupt(clean, self.rng)", "corrupt the target too"),
        ("return clean, clean", "forget to corrupt the input"),
        ("return self.corrupt(clean, np.random.default_rng(7)), clean", "same noise"),
    ],
}
