"""Wrong answers to notebook 00's exercises, each with the diagnosis its self-check must give."""

MUTATIONS = {
    1: [  # cluster_purity
        ("total = 0\nfor c in np.unique(labels):\n    total += np.bincount(clusters[labels == c]).max()\n"
         "return total / len(labels)", "swap the arguments"),
        ("shares = [np.bincount(labels[clusters == c]).max() / np.sum(clusters == c)\n"
         "          for c in np.unique(clusters)]\nreturn np.mean(shares)", "average the clusters"),
        ("return np.bincount(labels).max() / len(labels)", "over all points"),
    ],
    2: [  # nearest_centre
        ("squared = ((x[:, None, :] - centres[None]) ** 2).sum(axis=2)\nreturn np.argmax(squared, axis=1)",
         "np.argmax"),
        ("return np.argmin((x[:, None, :] - centres[None]).sum(axis=2), axis=1)", "without squaring"),
        ("squared = ((x[:, None, :] - centres[None]) ** 2).sum(axis=2)\nreturn np.argmin(squared, axis=0)",
         "axis"),
    ],
}

# Mutants that pass the self-check must give the solution's outputs on these random inputs
# (an expression of rng; or (expression, rtol, atol) for a random exercise, compared in distribution).
RANDOM_CALLS = {
    2: "nearest_centre(rng.normal(size=(30, 3)), 2 * rng.normal(size=(6, 3)))",
}
