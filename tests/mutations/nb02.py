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
