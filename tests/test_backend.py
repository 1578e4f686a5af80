"""The backend-specific pieces (course_utils.backend)."""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.metadata
import json
import os
import shutil
import sys
import types

import pytest

from course_utils import backend
from course_utils.backend import (BACKENDS, configured_backend, enable_memory_growth,
                                  framework_version, gpu_devices, require_backend)

pytestmark = pytest.mark.usefixtures("hermetic")


def _machine_has_nvidia_gpu() -> bool:
    return os.path.exists("/dev/nvidia0") or shutil.which("nvidia-smi") is not None


def _fake_module(name: str, **attributes) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__spec__ = importlib.machinery.ModuleSpec(name, loader=None)
    for key, value in attributes.items():
        setattr(module, key, value)
    return module


def _write_keras_json(folder, content) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = content if isinstance(content, str) else json.dumps(content)
    (folder / "keras.json").write_text(text)


# ---------------------------------------------------------------- configured_backend


@pytest.mark.parametrize("value, expected", [("torch", "torch"), (" jax ", "jax"),
                                             ("tensorflow", "tensorflow")])
def test_configured_backend_from_env_var(monkeypatch, tmp_path, value, expected):
    # The variable wins over a keras.json that says something else.
    _write_keras_json(tmp_path, {"backend": "tensorflow" if expected != "tensorflow" else "jax"})
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv("KERAS_BACKEND", value)
    assert configured_backend() == expected


@pytest.mark.parametrize("name", ["jax", "torch"])
def test_configured_backend_from_keras_json(monkeypatch, tmp_path, name):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    _write_keras_json(tmp_path, {"floatx": "float32", "backend": name})
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert configured_backend() == name


def test_configured_backend_blank_env_var_falls_through_to_keras_json(monkeypatch, tmp_path):
    _write_keras_json(tmp_path, {"backend": "torch"})
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv("KERAS_BACKEND", "  ")
    assert configured_backend() == "torch"


@pytest.mark.parametrize("content", [None, {"floatx": "float32"}, "{not json", {"backend": ""}])
def test_configured_backend_defaults_to_tensorflow(monkeypatch, tmp_path, content):
    """No keras.json, one without a backend, or an unreadable one: Keras' default."""
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    if content is not None:
        _write_keras_json(tmp_path, content)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert configured_backend() == "tensorflow"


def test_configured_backend_reads_home_dot_keras_without_keras_home(monkeypatch, tmp_path):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    _write_keras_json(tmp_path / ".keras", {"backend": "jax"})
    assert configured_backend() == "jax"


def test_configured_backend_expands_tilde_in_keras_home_like_keras(monkeypatch, tmp_path):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", "~/kerashome")
    _write_keras_json(tmp_path / "kerashome", {"backend": "jax"})
    assert configured_backend() == "jax"


def test_configured_backend_agrees_with_keras(active_backend):
    import keras

    assert active_backend == keras.backend.backend()


# ---------------------------------------------------------------- require_backend


def test_require_backend_accepts_the_active_backend(active_backend):
    assert require_backend(active_backend) is None


@pytest.mark.parametrize("name", ["theano", "pytorch", "TensorFlow", ""])
def test_require_backend_unknown_name(name):
    with pytest.raises(RuntimeError, match=rf"KERAS_BACKEND={name!r} is not a backend this "
                                           r"course supports; expected one of tensorflow, torch, jax"):
        require_backend(name)


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_require_backend_missing_module(monkeypatch, name):
    real_find_spec = importlib.util.find_spec
    module = BACKENDS[name][0]

    def find_spec(fullname, *args, **kwargs):
        return None if fullname == module else real_find_spec(fullname, *args, **kwargs)

    monkeypatch.setattr(backend.importlib.util, "find_spec", find_spec)
    with pytest.raises(RuntimeError, match=rf"Keras is set to the '{name}' backend, but {module} "
                                           rf"is not installed\. Install it \(pip install {module}\)"):
        require_backend(name)


# ---------------------------------------------------------------- framework_version


def test_framework_version_of_the_active_backend(active_backend):
    module = importlib.import_module(BACKENDS[active_backend][0])
    assert framework_version(active_backend) == module.__version__


def test_framework_version_falls_back_to_module_version(monkeypatch, active_backend):
    """Without distribution metadata (e.g. a source build) the module's __version__ is used."""
    def no_metadata(distribution):
        raise importlib.metadata.PackageNotFoundError(distribution)

    monkeypatch.setattr(backend.importlib.metadata, "version", no_metadata)
    module = importlib.import_module(BACKENDS[active_backend][0])
    assert framework_version(active_backend) == module.__version__


@pytest.mark.parametrize("name", ["theano", "", "TORCH"])
def test_framework_version_unknown_name(name):
    with pytest.raises(ValueError, match=rf"name={name!r} is not a backend"):
        framework_version(name)


# ---------------------------------------------------------------- gpu_devices


@pytest.mark.skipif(_machine_has_nvidia_gpu(), reason="this machine has an NVIDIA GPU")
def test_gpu_devices_empty_on_a_cpu_machine(active_backend):
    assert gpu_devices() == ()
    assert gpu_devices(active_backend) == ()


def test_gpu_devices_default_is_the_configured_backend(monkeypatch):
    torch = _fake_module("torch", cuda=types.SimpleNamespace(
        is_available=lambda: True, device_count=lambda: 2,
        get_device_name=lambda i: f"Fake GPU {i}"))
    monkeypatch.setitem(sys.modules, "torch", torch)
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    assert gpu_devices() == ("Fake GPU 0", "Fake GPU 1")


def test_gpu_devices_torch_without_cuda(monkeypatch):
    def no_device_count():
        raise AssertionError("device_count should not be asked without CUDA")

    torch = _fake_module("torch", cuda=types.SimpleNamespace(
        is_available=lambda: False, device_count=no_device_count))
    monkeypatch.setitem(sys.modules, "torch", torch)
    assert gpu_devices("torch") == ()


def test_gpu_devices_tensorflow_lists_gpu_names(monkeypatch):
    asked = []

    def list_physical_devices(kind):
        asked.append(kind)
        return [types.SimpleNamespace(name="/physical_device:GPU:0")]

    tf = _fake_module("tensorflow",
                      config=types.SimpleNamespace(list_physical_devices=list_physical_devices))
    monkeypatch.setitem(sys.modules, "tensorflow", tf)
    assert gpu_devices("tensorflow") == ("/physical_device:GPU:0",)
    assert asked == ["GPU"]


def test_gpu_devices_jax_keeps_only_gpus(monkeypatch):
    class Device:
        def __init__(self, platform, name):
            self.platform, self.name = platform, name

        def __str__(self):
            return self.name

    devices = [Device("cpu", "TFRT_CPU_0"), Device("gpu", "cuda:0"), Device("gpu", "cuda:1")]
    monkeypatch.setitem(sys.modules, "jax", _fake_module("jax", devices=lambda: devices))
    assert gpu_devices("jax") == ("cuda:0", "cuda:1")


def test_gpu_devices_unknown_backend():
    with pytest.raises(RuntimeError, match=r"KERAS_BACKEND='theano' is not a backend"):
        gpu_devices("theano")


def test_gpu_devices_private_probe_rejects_unknown_name():
    with pytest.raises(ValueError, match=r"name='theano' is not a backend"):
        backend._gpu_devices("theano")


# ---------------------------------------------------------------- enable_memory_growth


@pytest.mark.skipif(_machine_has_nvidia_gpu(), reason="this machine has an NVIDIA GPU")
def test_enable_memory_growth_without_gpu_changes_nothing():
    assert enable_memory_growth() == 0


@pytest.mark.parametrize("name", ["torch", "jax"])
def test_enable_memory_growth_is_tensorflow_only(monkeypatch, name):
    monkeypatch.setenv("KERAS_BACKEND", name)
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # importing it would now fail
    assert enable_memory_growth() == 0


def test_enable_memory_growth_counts_the_gpus_it_changed(monkeypatch):
    gpus = ["gpu0", "gpu1", "gpu2"]
    changed = []

    def set_memory_growth(gpu, enable):
        if gpu == "gpu1":
            raise RuntimeError("Physical devices cannot be modified after being initialized")
        changed.append((gpu, enable))

    tf = _fake_module("tensorflow", config=types.SimpleNamespace(
        list_physical_devices=lambda kind: gpus if kind == "GPU" else [],
        experimental=types.SimpleNamespace(set_memory_growth=set_memory_growth)))
    monkeypatch.setitem(sys.modules, "tensorflow", tf)
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    assert enable_memory_growth() == 2
    assert changed == [("gpu0", True), ("gpu2", True)]


# ---------------------------------------------------------------- peak_gpu_memory


@pytest.mark.parametrize("name", ["theano", "", 3, "Torch"])
def test_peak_gpu_memory_bad_name_is_an_error_naming_the_argument(name):
    with pytest.raises(ValueError, match=r"name=.* is not a backend; expected one of tensorflow, torch, jax"):
        backend.peak_gpu_memory(name)


@pytest.mark.skipif(_machine_has_nvidia_gpu(), reason="this machine has an NVIDIA GPU")
def test_peak_gpu_memory_is_none_without_a_gpu(active_backend):
    assert backend.peak_gpu_memory() is None
    assert backend.peak_gpu_memory(active_backend) is None


def test_peak_gpu_memory_torch_sums_every_gpu(monkeypatch):
    torch = _fake_module("torch", cuda=types.SimpleNamespace(
        is_available=lambda: True, device_count=lambda: 2, get_device_name=lambda i: f"Fake GPU {i}",
        max_memory_allocated=lambda i: [3 * 2**20, 5 * 2**20][i]))
    monkeypatch.setitem(sys.modules, "torch", torch)
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    assert backend.peak_gpu_memory() == 8 * 2**20


def test_peak_gpu_memory_jax_reads_the_gpus_memory_stats(monkeypatch):
    class Device:
        def __init__(self, platform, stats):
            self.platform, self.stats = platform, stats

        def memory_stats(self):
            return self.stats

        def __str__(self):
            return f"{self.platform}:0"

    devices = [Device("cpu", {"peak_bytes_in_use": 10**9}), Device("gpu", {"peak_bytes_in_use": 1234}),
               Device("gpu", None)]  # a device that keeps no statistics counts 0
    monkeypatch.setitem(sys.modules, "jax", _fake_module("jax", devices=lambda: devices))
    assert backend.peak_gpu_memory("jax") == 1234


def test_peak_gpu_memory_tensorflow_reads_get_memory_info(monkeypatch):
    asked = []

    def get_memory_info(device):
        asked.append(device)
        return {"current": 1, "peak": 4096}

    tf = _fake_module("tensorflow", config=types.SimpleNamespace(
        list_physical_devices=lambda kind: [types.SimpleNamespace(name="/physical_device:GPU:0")],
        list_logical_devices=lambda kind: ["GPU:0"],
        experimental=types.SimpleNamespace(get_memory_info=get_memory_info)))
    monkeypatch.setitem(sys.modules, "tensorflow", tf)
    assert backend.peak_gpu_memory("tensorflow") == 4096
    assert asked == ["GPU:0"]


def test_quiet_startup_hides_tensorflows_start_up_lines_and_passes_on_the_rest(capfd):
    import os

    from course_utils.backend import quiet_startup

    chatter = [
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
        "I0000 00:00:1796563072.465251    2127 port.cc:153] oneDNN custom operations are on.",
        "I0000 00:00:1796563072.466532    2127 cudart_stub.cc:31] Could not find cuda drivers on your machine.",
        "E0000 00:00:1796563083.813275    2127 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error",
    ]
    real = ["E0000 00:00:1796563083.813275    2127 some_kernel.cc:12] out of memory",
            "Traceback (most recent call last): something else"]
    with quiet_startup():
        os.write(2, ("\n".join(chatter[:2] + real[:1] + chatter[2:] + real[1:]) + "\n").encode())
    err = capfd.readouterr().err
    assert all(line not in err for line in chatter)
    assert all(line in err for line in real)


def test_quiet_startup_passes_on_an_error_raised_inside(capfd):
    import os

    from course_utils.backend import quiet_startup

    with pytest.raises(RuntimeError, match="inside"):
        with quiet_startup():
            os.write(2, b"a line that matters\n")
            raise RuntimeError("inside")
    assert "a line that matters" in capfd.readouterr().err
