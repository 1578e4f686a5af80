"""Wrong answers to notebook 06's exercises, each with the diagnosis its self-check must give."""

_RECONSTRUCTION = ("image_axes = tuple(range(1, len(x.shape)))\n"
                   "reconstruction = ops.{reduce}(ops.binary_crossentropy(x, logits, from_logits=True), axis=image_axes)\n")
_KL = "kl = {half}ops.sum(ops.exp({log_var}) + ops.square(mu) - 1.0 - log_var, axis=-1)\n"


def _loss(reduce="sum", half="0.5 * ", log_var="log_var", result="reconstruction + beta * kl"):
    return (_RECONSTRUCTION.format(reduce=reduce) + _KL.format(half=half, log_var=log_var)
            + f"return {result}")


MUTATIONS = {
    1: [  # beta_vae_loss
        (_loss(result="beta * reconstruction + kl"), "weight the reconstruction by beta"),
        (_loss(result="reconstruction + kl"), "leave beta out"),
        (_loss(reduce="mean"), "average the cross-entropy over the pixels"),
        (_loss(half=""), "forget the 1/2"),
        (_loss(log_var="0.5 * log_var"), "sigma = exp(log_var / 2)"),
        (_loss(result="ops.mean(reconstruction + beta * kl)"), "average over the batch"),
    ],
    2: [  # traverse
        ("codes = np.repeat(np.asarray(z0, dtype=np.float32)[None, :], len(values), axis=0)\n"
         "codes[:, dim] += values\n"
         "return codes", "add the values"),
        ("codes = np.repeat(np.asarray(z0, dtype=np.float32)[None, :], len(values), axis=0)\n"
         "codes[:] = np.asarray(values)[:, None]\n"
         "return codes", "set every coordinate"),
        ("codes = np.repeat(np.asarray(z0, dtype=np.float32)[None, :], len(values), axis=0)\n"
         "codes[:, dim + 1] = values\n"
         "return codes", "dim + 1"),
        ("codes = []\n"
         "for value in values:\n"
         "    z0[dim] = value\n"
         "    codes.append(z0)\n"
         "return np.array(codes)", "keep the same array"),
        ("codes = np.repeat(np.asarray(z0, dtype=np.float32)[:, None], len(values), axis=1)\n"
         "codes[dim, :] = values\n"
         "return codes", "one code per column"),
    ],
    3: [  # interpolate
        ("t = np.linspace(0.0, 1.0, steps).reshape((steps,) + (1,) * np.ndim(a))\n"
         "return t * np.asarray(a) + (1 - t) * np.asarray(b)", "swap a and b"),
        ("t = np.linspace(0.0, 1.0, steps, endpoint=False).reshape((steps,) + (1,) * np.ndim(a))\n"
         "return (1 - t) * np.asarray(a) + t * np.asarray(b)", "leave b out"),
        ("t = np.arange(steps).reshape((steps,) + (1,) * np.ndim(a)) / steps\n"
         "return (1 - t) * np.asarray(a) + t * np.asarray(b)", "leave b out"),
        ("return np.concatenate([(1 - t) * np.asarray(a) + t * np.asarray(b) for t in np.linspace(0, 1, steps)])",
         "concatenate the points"),
    ],
}

# Mutants that pass the self-check must give the solution's outputs on these random inputs
# (an expression of rng; or (expression, rtol, atol) for a random exercise, compared in distribution).
RANDOM_CALLS = {
    1: "beta_vae_loss(*(ops.convert_to_tensor(a, \"float32\") for a in (rng.uniform(size=(5, 4, 4, 1)), "
       "rng.normal(size=(5, 4, 4, 1)), rng.normal(size=(5, 3)), rng.normal(size=(5, 3)))), 2.5)",
}
