"""Wrong answers to notebook 09's exercises, each with the diagnosis its self-check must give."""

_RECONSTRUCTION = "ops.sum(ops.binary_crossentropy(x, logits, from_logits=True), axis=(1, 2, 3))"
_KL = "0.5 * ops.sum(ops.exp(log_var) + ops.square(mu) - 1.0 - log_var, axis=-1)"


def _score(reconstruction=_RECONSTRUCTION, kl=_KL, total="reconstruction + kl"):
    return (f"reconstruction = {reconstruction}\n"
            f"kl = {kl}\n"
            f"return ops.convert_to_numpy({total})")


def _weights(factor="1 / (fraction[bin_of] + alpha)", fraction="counts / len(mu)", combine="weights * factor",
             result="weights / weights.sum()", histogram="np.histogram(mu[:, j], bins=n_bins)"):
    return ("weights = np.ones(len(mu))\n"
            "for j in range(mu.shape[1]):\n"
            f"    counts, edges = {histogram}\n"
            f"    fraction = {fraction}\n"
            "    bin_of = np.digitize(mu[:, j], edges[1:-1])\n"
            f"    factor = {factor}\n"
            f"    weights = {combine}\n"
            f"return {result}")


MUTATIONS = {
    1: [  # negative_elbo: the outlier score
        (_score(total="reconstruction"), "leave out the KL term"),
        (_score(reconstruction="ops.mean(ops.binary_crossentropy(x, logits, from_logits=True), axis=(1, 2, 3))"),
         "average the cross-entropy over the pixels"),
        (_score(total="ops.mean(reconstruction + kl)"), "average over the images"),
        (_score(reconstruction="ops.sum(ops.binary_crossentropy(x, logits), axis=(1, 2, 3))"),
         "from_logits=True"),
        (_score(kl="0.5 * ops.sum(ops.exp(0.5 * log_var) + ops.square(mu) - 1.0 - log_var, axis=-1)"),
         "sigma = exp(log_var / 2)"),
        (_score(total="reconstruction - kl"), "subtract the KL term"),
        (_score(kl="ops.sum(ops.exp(log_var) + ops.square(mu) - 1.0 - log_var, axis=-1)"), "the 1/2"),
    ],
    2: [  # resampling_weights: inverse latent density, smoothed by alpha
        (_weights(result="weights"), "normalise"),
        (_weights(combine="weights + factor", result="(weights - 1) / (weights - 1).sum()"),
         "add the dimensions' factors"),
        (_weights(fraction="counts"), "use the counts"),
        (_weights(histogram="np.histogram(mu[:, j], bins=n_bins, density=True)", fraction="counts"),
         "density=True"),
        (_weights(factor="1 / fraction[bin_of]"), "leave out alpha"),
        (_weights(factor="1 / fraction[bin_of] + alpha"), "add alpha after inverting"),
        (_weights(factor="fraction[bin_of] + alpha"), "instead of its inverse"),
    ],
}

# Mutants that pass the self-check must give the solution's outputs on these random inputs
# (an expression of rng; or (expression, rtol, atol) for a random exercise, compared in distribution).
RANDOM_CALLS = {
    1: "negative_elbo(rng.uniform(size=(5, 4, 4, 1)).astype(\"float32\"), rng.normal(size=(5, 4, 4, 1)).astype(\"float32\"), "
       "rng.normal(size=(5, 3)).astype(\"float32\"), rng.normal(size=(5, 3)).astype(\"float32\"))",
}
