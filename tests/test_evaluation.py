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
