"""Wrong answers to notebook 01's exercises, each with the diagnosis its self-check must give."""

MUTATIONS = {
    1: [  # gaussian_log_density
        ("d = x.shape[1]\ndiff = x - mean\nquadratic = np.sum(diff @ np.linalg.inv(cov) * diff, axis=1)\n"
         "return -(d * np.log(2 * np.pi) + np.linalg.slogdet(cov)[1] + quadratic)", "factor -1/2"),
        ("d = x.shape[1]\ndiff = x - mean\nquadratic = np.sum(diff @ cov * diff, axis=1)\n"
         "return -0.5 * (d * np.log(2 * np.pi) + np.linalg.slogdet(cov)[1] + quadratic)", "inverse"),
        ("d = x.shape[1]\ndiff = x - mean\nquadratic = np.sum(diff @ np.linalg.inv(cov) * diff, axis=1)\n"
         "return -0.5 * (d * np.log(2 * np.pi) + quadratic)", "log-determinant"),
        ("d = x.shape[1]\ndiff = x - mean\nquadratic = np.sum(diff @ np.linalg.inv(cov) * diff, axis=1)\n"
         "return -0.5 * (d * np.log(2 * np.pi) + np.linalg.det(cov) + quadratic)", "det(cov)"),
    ],
    2: [  # mixture_log_likelihood
        ("return ops.log(ops.sum(ops.exp(log_components + ops.log_softmax(logits)), axis=-1))", "underflows"),
        ("return ops.logsumexp(log_components + ops.softmax(logits), axis=-1)", "weights pi_k themselves"),
        ("return ops.logsumexp(log_components + logits, axis=-1)", "raw logits"),
        ("return ops.max(log_components + ops.log_softmax(logits), axis=-1)", "largest term"),
        ("return ops.logsumexp(log_components + ops.log_softmax(logits), axis=0)", "axis"),
    ],
    3: [  # sample_mixture
        ("k = rng.choice(len(weights), size=n)\nreturn means[k] + stds[k] * rng.standard_normal((n, means.shape[1]))",
         "uniformly"),
        ("k = rng.choice(len(weights), size=n, p=weights)\n"
         "return means[k] + stds[k] ** 2 * rng.standard_normal((n, means.shape[1]))", "variance"),
        ("k = rng.choice(len(weights), p=weights)\n"
         "return means[k] + stds[k] * rng.standard_normal((n, means.shape[1]))", "one component for all"),
    ],
}

# Mutants that pass the self-check must give the solution's outputs on these random inputs
# (an expression of rng; or (expression, rtol, atol) for a random exercise, compared in distribution).
RANDOM_CALLS = {
    2: "mixture_log_likelihood(ops.convert_to_tensor(rng.normal(-3, 2, size=(8, 4)), \"float32\"), "
       "ops.convert_to_tensor(rng.normal(size=4), \"float32\"))",
    3: ("(lambda s: np.r_[s.mean(0), s.var(0), ((s - s.mean(0)) ** 3).mean(0)])(sample_mixture("
        "rng.dirichlet([1.0, 1.0, 1.0]), rng.normal(size=(3, 2)), rng.uniform(0.5, 2.0, (3, 2)), 400_000, rng))",
        0.05, 0.05),
}
