# The course's commands. Run from the repository root:
#   make course      set up (first time) and open the course in JupyterLab
#   make test        set up (first time) and run every test, offline, on each backend
# Others: make student, make benchmark [TIER=ci], make test-gpu, make clean.

PYTHON   ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
BACKENDS ?= tensorflow torch
TIER     ?= ci
NOTEBOOKS = $(wildcard notebooks/[0-9][0-9]_*.ipynb)
# JAX convolutions are slow on CPU, so on JAX the tests cover the backend-specific code only.
JAX_TESTS = tests/test_gradients.py tests/test_backend.py
PYTEST    = $(BIN)/python -m pytest -p no:cacheprovider --timeout=1800

.PHONY: course test test-gpu student benchmark clean

# A virtual environment with the course installed; rebuilt when the requirements change.
$(VENV)/.course: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# What the tests need on top: a second backend (PyTorch) and pytest-timeout.
$(VENV)/.test: $(VENV)/.course requirements-test.txt
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

course: $(VENV)/.course
	$(BIN)/jupyter lab notebooks

# Unit tests, then every notebook with nbmake under the CI tier, once per backend, with the
# network cut (tools/offline) so nothing can download; then the backend-specific tests on JAX.
test: $(VENV)/.test
	@for backend in $(BACKENDS); do \
	  echo "== tests on the $$backend backend, tier ci, network cut"; \
	  KERAS_BACKEND=$$backend COURSE_TIER=ci COURSE_CACHE_DIR=$(CURDIR)/.cache/test tools/offline \
	    $(PYTEST) tests $(NOTEBOOKS) --nbmake --nbmake-timeout=900 -q || exit 1; \
	done
	@echo "== the backend-specific gradient code (course_utils.backend) on jax too, network cut"
	KERAS_BACKEND=jax COURSE_TIER=ci tools/offline $(PYTEST) $(JAX_TESTS) -q

# On a machine with an NVIDIA GPU: the notebooks under the GPU tier with TensorFlow's CUDA
# build; fails if TensorFlow sees no GPU, and if full MNIST cannot be had (the gpu tier is sized
# for it) unless COURSE_DATA_SOURCE=offline chooses the offline digits knowingly.
test-gpu: $(VENV)/.test
	$(BIN)/python -m pip install --quiet "tensorflow[and-cuda]"
	KERAS_BACKEND=tensorflow $(BIN)/python -c "import sys, course_utils.backend as b; \
	  gpus = b.gpu_devices('tensorflow'); print('GPUs:', gpus); sys.exit(0 if gpus else 'no GPU visible')"
	KERAS_BACKEND=tensorflow COURSE_TIER=gpu COURSE_REQUIRE_FULL_DATA=1 $(PYTEST) $(NOTEBOOKS) --nbmake --nbmake-timeout=3600 -v

# Regenerate the student copies (notebooks/student/) and strip outputs from the sources.
student: $(VENV)/.course
	$(BIN)/python -m course_utils.exercises --strip notebooks

# Wall time and peak memory of each notebook under TIER (a report, not a test).
benchmark: $(VENV)/.course
	$(BIN)/python -m course_utils.benchmark --tier $(TIER) $(NOTEBOOKS)

clean:
	rm -rf $(VENV) .pytest_cache
