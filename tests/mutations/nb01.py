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
