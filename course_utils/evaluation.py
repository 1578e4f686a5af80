"""The evaluation classifier: a small CNN that later notebooks use to judge generated digits.

Trained once on the available MNIST (see ``data.load_mnist``), then loaded from the trained-weights
cache. Introduced in notebook 05 (are samples from a VAE's prior real digits, of every class?)
and reused by the GAN and comparison notebooks; notebook 07 added ``classifier_features``, the
features its Fréchet distance compares.
"""

from __future__ import annotations

import numpy as np

from course_utils.cache import load_or_train
from course_utils.data import load_mnist, resolve_mnist_source

EPOCHS = 4
SEED = 0


def _build():
    import keras

    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.3, seed=SEED),
        keras.layers.Dense(10, activation="softmax"),
    ], name="evaluation_classifier")


def evaluation_classifier(verbose: bool = True):
    """The trained evaluation classifier (softmax over the 10 digits); prints its test accuracy."""
    import keras

    source, _ = resolve_mnist_source("auto")
    (x_train, y_train), (x_test, y_test) = load_mnist(source=source, verbose=False)

    def train(model):
        keras.utils.set_random_seed(SEED)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(x_train, y_train, epochs=EPOCHS, batch_size=128, verbose=0)

    model, _ = load_or_train("evaluation_classifier", _build, train, verbose=verbose,
                             source=source, n_train=len(x_train), epochs=EPOCHS, seed=SEED)
    if not getattr(model, "compiled", False) or model.optimizer is None:
        model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    accuracy = float(np.mean(model.predict(x_test, verbose=0).argmax(axis=1) == y_test))
    if verbose:
        print(f"evaluation classifier: test accuracy {accuracy:.3f} on {len(x_test):,} "
              f"held-out digits ({source} source)")
    model.test_accuracy = accuracy
    return model


def class_counts(classifier, images) -> np.ndarray:
    """How many of ``images`` the classifier assigns to each digit 0-9 (shape (10,))."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1):
        raise ValueError(f"images: expected shape (N, 28, 28, 1), got {images.shape}")
    predicted = classifier.predict(images, verbose=0).argmax(axis=1)
    return np.bincount(predicted, minlength=10)


def classifier_features(classifier, images, pooled: bool = True, batch_size: int = 500) -> np.ndarray:
    """The evaluation classifier's view of ``images``: its last convolutional feature maps.

    Runs ``images`` (N, 28, 28, 1) through the classifier's layers up to its ``Flatten`` layer,
    i.e. everything before the final dense layer. With ``pooled=False`` the result is that
    layer's input flattened: the penultimate features the softmax layer reads (N, 1600 for the
    evaluation classifier). With ``pooled=True`` (the default) each feature map is averaged over
    its positions, giving one number per channel (N, 64), as the Fréchet Inception Distance
    averages Inception's last feature maps: a small vector whose mean and covariance a
    thousand samples estimate well (and whose 64 x 64 matrix square root is quick).
    Introduced in notebook 07, for the Fréchet distance of generated digits.
    """
    import keras
    from keras import ops

    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1) or len(images) == 0:
        raise ValueError(f"images: expected a non-empty batch shaped (N, 28, 28, 1), "
                         f"got {images.shape}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size={batch_size!r}: expected a positive whole number")
    layers = list(getattr(classifier, "layers", []))
    flatten = [i for i, layer in enumerate(layers) if isinstance(layer, keras.layers.Flatten)]
    if not flatten:
        raise ValueError("classifier: expected a Keras model with a Flatten layer before its "
                         "final dense layer, like evaluation_classifier()")
    features = []
    for start in range(0, len(images), batch_size):
        h = ops.convert_to_tensor(images[start:start + batch_size])
        for layer in layers[:flatten[-1]]:
            h = layer(h, training=False)
        h = ops.convert_to_numpy(h)
        features.append(h.mean(axis=(1, 2)) if pooled else h.reshape(len(h), -1))
    return np.concatenate(features).astype(np.float64)

