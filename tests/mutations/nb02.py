"""Wrong answers to notebook 02's exercises, each with the diagnosis its self-check must give."""

_ENCODER = '''encoder = keras.Sequential(
    [keras.Input(shape=(28, 28, 1)), keras.layers.Flatten()]
    + [keras.layers.Dense(units, activation="relu") for units in hidden]
    + [keras.layers.Dense(latent_dim{code_activation})], name="encoder")
'''
_DECODER = '''decoder = keras.Sequential(
    [keras.Input(shape=(latent_dim,))]
    + [keras.layers.Dense(units, activation="relu") for units in {order}]
    + [keras.layers.Dense(784{output}), keras.layers.Reshape((28, 28, 1))],
    name="decoder")'''


def _autoencoder(code_activation="", order="reversed(hidden)", output=", activation=output_activation"):
    return (_ENCODER.format(code_activation=code_activation)
            + _DECODER.format(order=order, output=output))


MUTATIONS = {
    1: [  # reconstruction_loss
        # One of the five slips the self-checks must name (issue 25): keepdims.
        ("return ops.mean(ops.square(x - x_hat), axis=(1, 2, 3), keepdims=True)", "(keepdims?)"),
        ("return ops.sum(ops.square(x - x_hat), axis=(1, 2, 3))", "instead of averaging"),
        ("return ops.sqrt(ops.mean(ops.square(x - x_hat), axis=(1, 2, 3)))", "square root"),
        ("return ops.mean(ops.abs(x - x_hat), axis=(1, 2, 3))", "absolute differences"),
        ("return ops.mean(ops.square(x - x_hat))", "axis"),
    ],
    2: [  # make_autoencoder
        (_autoencoder(order="hidden"), "mirrored"),
        (_autoencoder(output=""), "output_activation"),
        (_autoencoder(code_activation=', activation="relu"'), "ReLU on the code layer"),
    ],
}

# Mutants that pass the self-check must give the solution's outputs on these random inputs
# (an expression of rng; or (expression, rtol, atol) for a random exercise, compared in distribution).
RANDOM_CALLS = {
    2: "(lambda m: (m[0](rng.uniform(size=(2, 28, 28, 1)).astype(\"float32\")).shape, m[1].count_params(), "
       "m[2].count_params()))(make_autoencoder(int(rng.integers(2, 9))))",
}
