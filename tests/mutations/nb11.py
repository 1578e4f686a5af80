"""Wrong answers to notebook 10's exercises, each with the diagnosis its self-check must give."""

_MEANS = "np.sum((mean_a - mean_b) ** 2)"
_TRACE = "np.trace(cov_a + cov_b - 2 * sqrtm(cov_a @ cov_b).real)"

MUTATIONS = {
    1: [  # frechet_distance_from_statistics
        (f"return float({_MEANS} + np.trace(cov_a + cov_b - sqrtm(cov_a @ cov_b).real))", "factor 2"),
        (f"return float({_MEANS} + np.trace(cov_a + cov_b - 2 * np.sqrt(cov_a @ cov_b)))",
         "square roots of the entries"),
        (f"return float({_MEANS} + np.trace(cov_a + cov_b - 2 * (sqrtm(cov_a) @ sqrtm(cov_b)).real))",
         "multiply the square roots"),
        (f"return float(np.linalg.norm(mean_a - mean_b) + {_TRACE})", "where its square belongs"),
        (f"return float({_TRACE})", "forget the mean term"),
        (f"return float({_MEANS} + np.sum((np.sqrt(np.diag(cov_a)) - np.sqrt(np.diag(cov_b))) ** 2))",
         "only the variances"),
    ],
    2: [  # class_coverage
        ("shares = np.bincount(np.argmax(probabilities, axis=1), minlength=10) / len(probabilities)\n"
         "return int(np.sum(shares > min_share))", "more than min_share"),
        ("return int(np.sum(np.bincount(np.argmax(probabilities, axis=1), minlength=10) > 0))",
         "at least once"),
        ("return int(np.sum(np.bincount(np.argmax(probabilities, axis=1), minlength=10) >= min_share))",
         "compare counts, not shares"),
        ("return int(np.sum(probabilities.mean(axis=0) >= min_share))", "average the probabilities"),
        ("shares = np.bincount(np.argmax(probabilities, axis=0), minlength=10) / len(probabilities)\n"
         "return int(np.sum(shares >= min_share))", "over the samples (axis 0)"),
    ],
    3: [  # grey_fraction
        ("return np.mean((images >= 0.25) & (images <= 0.75), axis=(1, 2, 3))", "include the bounds"),
        ("return np.mean(images > 0.25, axis=(1, 2, 3))", "only one bound (p > 0.25)"),
        ("return np.mean(images < 0.75, axis=(1, 2, 3))", "only one bound (p < 0.75)"),
        ("return np.mean((images > 0.25) & (images < 0.75))", "whole batch"),
        ("return np.sum((images > 0.25) & (images < 0.75), axis=(1, 2, 3))", "instead of taking their fraction"),
    ],
}

# Mutants that pass the self-check must give the solution's outputs on these random inputs
# (an expression of rng; or (expression, rtol, atol) for a random exercise, compared in distribution).
RANDOM_CALLS = {
    2: "class_coverage(rng.dirichlet(np.ones(10) * 0.3, size=200), float(rng.uniform(0.01, 0.2)))",
}
