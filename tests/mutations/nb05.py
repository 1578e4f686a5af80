"""Wrong answers to notebook 05's exercises, each with the diagnosis its self-check must give."""

_KL_TERMS = "ops.exp(log_var) + ops.square(mu) - 1.0 - log_var"
_BCE = "ops.binary_crossentropy(x, logits, from_logits=True)"


def _losses(reconstruction, kl="kl_divergence(mu, log_var)", order="reconstruction, {kl}"):
    return f"reconstruction = {reconstruction}\nreturn {order.format(kl=kl)}"


MUTATIONS = {
    1: [  # kl_divergence
        (f"return ops.sum({_KL_TERMS}, axis=-1)", "1/2 in front"),
        (f"return 0.5 * ops.mean({_KL_TERMS}, axis=-1)", "average over the latent dimensions"),
        (f"return 0.5 * ops.sum({_KL_TERMS}, axis=0)", "batch axis"),
        (f"return 0.5 * ops.sum({_KL_TERMS})", "sum over every axis"),
        ("return 0.5 * ops.sum(ops.exp(log_var) + ops.square(mu) - 1.0 + log_var, axis=-1)", "minus sign"),
        ("return 0.5 * ops.sum(1.0 + log_var - ops.square(mu) - ops.exp(log_var), axis=-1)", "-D_KL"),
        ("return 0.5 * ops.sum(ops.exp(0.5 * log_var) + ops.square(mu) - 1.0 - log_var, axis=-1)",
         "sigma = exp(log_var / 2) where sigma^2"),
        ("return 0.5 * ops.sum(ops.exp(log_var) + ops.square(mu) - log_var, axis=-1)", "the -1"),
    ],
    2: [  # Sampling.call: the reparameterisation
        ("return mu + ops.exp(log_var) * eps", "sigma^2 = exp(log_var)"),
        ("return mu + 0.5 * ops.exp(log_var) * eps", "1/2 outside the exponential"),
        ("return mu + log_var * eps", "log_var itself"),
        ("return mu + ops.exp(-0.5 * log_var) * eps", "flip the sign in the exponent"),
        ("return mu + ops.exp(0.5 * log_var)", "leave out eps"),
        ("return mu * eps + ops.exp(0.5 * log_var)", "swap mu and sigma"),
    ],
    3: [  # VAE.losses_per_image: the negative ELBO's two terms
        (_losses(f"ops.mean({_BCE}, axis=(1, 2, 3))"), "average the cross-entropy over the pixels"),
        (_losses(f"ops.sum({_BCE})"), "sum over the batch too"),
        (_losses(f"ops.sum({_BCE}, axis=-1)"), "last axis only"),
        (_losses(f"-ops.sum({_BCE}, axis=(1, 2, 3))"), "flip the sign"),
        (_losses("ops.sum(ops.binary_crossentropy(x, logits), axis=(1, 2, 3))"), "logits as probabilities"),
        (_losses("ops.sum(ops.binary_crossentropy(logits, x, from_logits=True), axis=(1, 2, 3))"),
         "swap the arguments"),
        (_losses("ops.sum(ops.square(x - ops.sigmoid(logits)), axis=(1, 2, 3))"), "squared error"),
        (_losses(f"ops.sum({_BCE}, axis=(1, 2, 3))", order="{kl}, reconstruction"), "other order"),
    ],
}

# Mutants that pass the self-check must give the solution's outputs on these random inputs
# (an expression of rng; or (expression, rtol, atol) for a random exercise, compared in distribution).
RANDOM_CALLS = {
    1: "kl_divergence(ops.convert_to_tensor(rng.normal(size=(6, 4)), \"float32\"), "
       "ops.convert_to_tensor(rng.normal(size=(6, 4)), \"float32\"))",
}
