"""The evaluation classifier (course_utils.evaluation): trained once, accurate, cached."""

import numpy as np
import pytest

from course_utils import cache
from course_utils.evaluation import class_counts, evaluation_classifier

pytestmark = pytest.mark.usefixtures("hermetic")


@pytest.fixture(scope="module")
def classifier_and_output(tmp_path_factory):
    import os

    folder = tmp_path_factory.mktemp("cache")
    old = os.environ.get(cache.CACHE_ENV_VAR)
    os.environ[cache.CACHE_ENV_VAR] = str(folder)
    os.environ["COURSE_DATA_SOURCE"] = "offline"
    try:
        first = evaluation_classifier(verbose=False)
        second = evaluation_classifier(verbose=False)
    finally:
        os.environ.pop("COURSE_DATA_SOURCE")
        if old is None:
            os.environ.pop(cache.CACHE_ENV_VAR)
        else:
            os.environ[cache.CACHE_ENV_VAR] = old
    return first, second, folder


def test_classifier_is_accurate_and_cached(classifier_and_output):
    first, second, folder = classifier_and_output
    assert first.test_accuracy > 0.9
    assert second.test_accuracy == pytest.approx(first.test_accuracy)
    assert len(list(folder.glob("evaluation_classifier-*.weights.h5"))) == 1


def test_class_counts(classifier_and_output):
    from course_utils.data import load_mnist

    classifier = classifier_and_output[0]
    (_, _), (x_test, y_test) = load_mnist(n_test=300, source="offline", verbose=False)
    counts = class_counts(classifier, x_test)
    assert counts.shape == (10,) and counts.sum() == 300
    np.testing.assert_allclose(counts, np.bincount(y_test, minlength=10), atol=15)


@pytest.mark.parametrize("shape", [(5, 28, 28), (5, 32, 32, 1), (28, 28, 1)])
def test_class_counts_bad_shape(classifier_and_output, shape):
    with pytest.raises(ValueError, match="images: expected shape"):
        class_counts(classifier_and_output[0], np.zeros(shape))


# ---------------------------------------------------------------- classifier_features

from course_utils.evaluation import classifier_features  # noqa: E402
from course_utils.metrics import frechet_distance  # noqa: E402


@pytest.fixture(scope="module")
def test_digits():
    from course_utils.data import load_mnist

    (_, _), (x_test, y_test) = load_mnist(n_test=400, source="offline", verbose=False)
    return x_test, y_test


def test_unpooled_features_are_what_the_softmax_layer_reads(classifier_and_output, test_digits):
    import keras
    from keras import ops

    classifier, x = classifier_and_output[0], test_digits[0][:50]
    features = classifier_features(classifier, x, pooled=False, batch_size=16)
    assert features.shape == (50, 1600)
    final = classifier.layers[-1]
    assert isinstance(final, keras.layers.Dense)
    probabilities = ops.convert_to_numpy(final(features.astype("float32")))
    np.testing.assert_allclose(probabilities, classifier.predict(x, verbose=0), atol=1e-5)


def test_pooled_features_average_the_feature_maps(classifier_and_output, test_digits):
    classifier, x = classifier_and_output[0], test_digits[0][:30]
    pooled = classifier_features(classifier, x)
    unpooled = classifier_features(classifier, x, pooled=False)
    assert pooled.shape == (30, 64)
    np.testing.assert_allclose(pooled, unpooled.reshape(30, 25, 64).mean(axis=1), rtol=1e-5, atol=1e-6)


def test_frechet_distance_on_classifier_features_tells_digits_from_noise(classifier_and_output, test_digits):
    classifier, (x, y) = classifier_and_output[0], test_digits
    half_a, half_b = classifier_features(classifier, x[:200]), classifier_features(classifier, x[200:])
    noise = np.random.default_rng(0).uniform(size=(200, 28, 28, 1)).astype("float32")
    ones = x[y == 1]  # one digit class only: a mode-collapsed "generator"
    real_vs_real = frechet_distance(half_a, half_b)
    assert real_vs_real < 0.2 * frechet_distance(half_a, classifier_features(classifier, ones))
    assert frechet_distance(half_a, classifier_features(classifier, ones)) < \
        frechet_distance(half_a, classifier_features(classifier, noise))


@pytest.mark.parametrize("shape", [(5, 28, 28), (0, 28, 28, 1), (5, 32, 32, 1)])
def test_classifier_features_bad_images(classifier_and_output, shape):
    with pytest.raises(ValueError, match="images: expected a non-empty batch"):
        classifier_features(classifier_and_output[0], np.zeros(shape))


def test_classifier_features_bad_arguments(classifier_and_output):
    import keras

    with pytest.raises(ValueError, match="batch_size"):
        classifier_features(classifier_and_output[0], np.zeros((2, 28, 28, 1)), batch_size=0)
    no_flatten = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.GlobalAveragePooling2D(),
                                   keras.layers.Dense(10)])
    with pytest.raises(ValueError, match="classifier: expected a Keras model with a Flatten layer"):
        classifier_features(no_flatten, np.zeros((2, 28, 28, 1)))
