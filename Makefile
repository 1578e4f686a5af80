# The course's commands. Run from the repository root:
#   make course      set up (first time) and open the course in JupyterLab
#   make test        set up (first time) and run every test, offline, on each backend
# Others: make student, make assignment, make grade SUBMISSIONS=dir, make benchmark [TIER=ci], make estimate [TIER=gpu], make benchmark-steps,
#         make warm TIER=laptop, make slides [TIER=ci], make site [TIER=ci] (both take NOTEBOOKS=...
#         for a subset), make test-gpu [BACKEND=tensorflow|torch|jax], make test-gpu-dry, make clean.

PYTHON   ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
BACKENDS ?= tensorflow torch
TIER     ?= ci
NOTEBOOKS = $(wildcard notebooks/[0-9][0-9]_*.ipynb)
# The JAX pass of make test (when BACKENDS leaves jax out): the backend-specific tests and the
# notebooks that fit the 45-minute budget of make test on 2 cores (README: "JAX in make test").
# make test BACKENDS=jax runs everything on JAX.
JAX_TESTS = tests/test_gradients.py tests/test_backend.py
JAX_NOTEBOOKS ?= notebooks/00_setup_and_tour.ipynb notebooks/01_generative_models.ipynb notebooks/04_denoising_autoencoders.ipynb
# make test-gpu: the backend of the GPU run, and the Python that has it (default: the course's
# virtual environment; e.g. GPU_PYTHON=python3 where CUDA builds are installed system-wide).
BACKEND    ?= tensorflow
GPU_PYTHON ?= $(BIN)/python
PYTEST    = $(BIN)/python -m pytest -p no:cacheprovider --timeout=1800

# make slides / make site: notebooks executed once under TIER, kept in build/executed/TIER and
# reused by both until the source changes; reveal.js from npm (pinned), into build/vendor.
BUILD     ?= build
EXECUTED   = $(patsubst notebooks/%,$(BUILD)/executed/$(TIER)/%,$(NOTEBOOKS))
REVEAL_JS ?= 5.2.1
REVEAL    := $(BUILD)/vendor/node_modules/reveal.js
# Jupyter refuses to run as root (a container) without --allow-root; LAB_ARGS adds options
# (the browser tests start it with --no-browser, a free port and no token).
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root)
LAB_ARGS  ?=

.PHONY: course test test-gpu test-gpu-dry student assignment grade benchmark estimate benchmark-steps warm slides site clean

# A virtual environment with the course installed; rebuilt when the requirements change.
$(VENV)/.course: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# What handing out and grading need on top: nbgrader.
$(VENV)/.grading: $(VENV)/.course requirements-grading.txt
	$(BIN)/python -m pip install --quiet -r requirements-grading.txt
	touch $@

# What the tests need on top: a second backend (PyTorch), nbgrader and pytest-timeout.
$(VENV)/.test: $(VENV)/.course requirements-test.txt requirements-grading.txt
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

# JupyterLab on notebooks/, opening at the student copies (notebooks/student/); the sources,
# with their solutions, are one folder up.
course: $(VENV)/.course
	$(BIN)/jupyter lab $(ROOT_ARGS) --ServerApp.default_url=/lab/tree/student $(LAB_ARGS) notebooks

# Unit tests, then every notebook with nbmake under the CI tier, once per backend, with the
# network cut (tools/offline) so nothing can download; then, unless BACKENDS has jax, the
# backend-specific tests and JAX_NOTEBOOKS on JAX.
# The browser tests (tests/test_browser.py) run on tensorflow only; reveal.js for their deck is
# installed first, while the network is up.
test: $(VENV)/.test
	@$(MAKE) -s $(REVEAL)/dist/reveal.js || echo "== no reveal.js (npm missing?): the deck's browser test skips"
	@for backend in $(BACKENDS); do \
	  echo "== tests on the $$backend backend, tier ci, network cut"; \
	  KERAS_BACKEND=$$backend COURSE_TIER=ci COURSE_CACHE_DIR=$(CURDIR)/.cache/test tools/offline \
	    $(PYTEST) tests $(NOTEBOOKS) --nbmake --nbmake-timeout=900 -q || exit 1; \
	done
	@case " $(BACKENDS) " in *" jax "*) exit 0;; esac; \
	echo "== on jax too: the backend-specific code and $(words $(JAX_NOTEBOOKS)) notebooks, tier ci, network cut"; \
	KERAS_BACKEND=jax COURSE_TIER=ci COURSE_CACHE_DIR=$(CURDIR)/.cache/test tools/offline \
	  $(PYTEST) $(JAX_TESTS) $(JAX_NOTEBOOKS) --nbmake --nbmake-timeout=900 -q

# On a machine with an NVIDIA GPU: every notebook under the gpu tier on BACKEND (tensorflow,
# torch or jax), one kernel each, printing the GPU, each notebook's time and its peak GPU memory;
# fails if a notebook fails, if BACKEND sees no GPU, and if full MNIST cannot be had (the gpu tier
# is sized for it) unless COURSE_DATA_SOURCE=offline chooses the offline digits knowingly.
# Only TensorFlow's CUDA build is installed here; torch and jax must come with CUDA already.
test-gpu: $(if $(filter $(BIN)/python,$(GPU_PYTHON)),$(VENV)/.test)
	@case "$(BACKEND)" in tensorflow|torch|jax) ;; \
	  *) echo "BACKEND=$(BACKEND): expected tensorflow, torch or jax"; exit 2;; esac
	$(if $(filter tensorflow,$(BACKEND)),$(GPU_PYTHON) -m pip install --quiet "tensorflow[and-cuda]")
	KERAS_BACKEND=$(BACKEND) $(GPU_PYTHON) -c "import sys, course_utils.backend as b; \
	  gpus = b.gpu_devices('$(BACKEND)'); print('GPUs ($(BACKEND)):', ', '.join(gpus) or 'none'); \
	  sys.exit(0 if gpus else 'no GPU visible to $(BACKEND)')"
	KERAS_BACKEND=$(BACKEND) COURSE_TIER=gpu COURSE_REQUIRE_FULL_DATA=1 PYTHONPATH=$(CURDIR) \
	  $(GPU_PYTHON) -m course_utils.benchmark --tier gpu --gpu-memory --timeout 3600 $(NOTEBOOKS)

# The code path of make test-gpu on this CPU, in minutes: the gpu tier's settings with every
# training count at 1 and ci-sized data (COURSE_DRY_RUN=1), the offline digits chosen knowingly
# under COURSE_REQUIRE_FULL_DATA=1, the network cut, the same runner and report (GPU MiB: '-').
# DRY_NOTEBOOKS: 00-09 (about 6 minutes on 2 cores); 10 and 11 sample at the gpu tier's sizes
# (not training counts), which took over 15 minutes on a CPU: add them by hand.
DRY_NOTEBOOKS ?= $(wildcard notebooks/0[0-9]_*.ipynb)
test-gpu-dry: $(VENV)/.test
	KERAS_BACKEND=$(BACKEND) COURSE_TIER=gpu COURSE_REQUIRE_FULL_DATA=1 COURSE_DATA_SOURCE=offline \
	  COURSE_CACHE_DIR=$(CURDIR)/.cache/dry-run tools/offline \
	  $(BIN)/python -m course_utils.benchmark --tier gpu --dry-run --gpu-memory $(DRY_NOTEBOOKS)

# Regenerate the student copies (notebooks/student/), strip outputs from the sources, and store
# what each self-check compares with (course_utils/exercise_data/), on each backend: the
# reference solutions and checks of the sources run once per backend (about 15 s each).
student: $(VENV)/.test
	$(BIN)/python -m course_utils.exercises --strip notebooks
	@for backend in tensorflow torch jax; do \
	  KERAS_BACKEND=$$backend COURSE_TIER=ci MPLBACKEND=Agg $(BIN)/python -m course_utils.exercises --record notebooks || exit 1; \
	done

# nbgrader's release of the exercises, one assignment per notebook (build/nbgrader/release/NN/);
# NOTEBOOKS=... for some of them. Then: make grade SUBMISSIONS=folder (a folder per student):
# nbgrader's autograde and feedback pages (build/nbgrader/feedback/), and build/nbgrader/grades.csv
# with one row per student and exercise. Grading runs under the ci tier, with the trained-weights
# cache (COURSE_CACHE_DIR); GRADE_TIMEOUT is the limit per cell in seconds.
GRADE_TIMEOUT ?= 300
assignment: $(VENV)/.grading
	$(BIN)/python -m course_utils.grading --timeout $(GRADE_TIMEOUT) assignment \
	  --only $(foreach nb,$(NOTEBOOKS),$(shell basename $(nb) | cut -c1-2))

grade: $(VENV)/.grading
	@test -n "$(SUBMISSIONS)" || { echo "make grade SUBMISSIONS=folder: a folder with one folder per student"; exit 2; }
	COURSE_TIER=ci $(BIN)/python -m course_utils.grading --timeout $(GRADE_TIMEOUT) grade $(SUBMISSIONS)

# Wall time and peak memory of each notebook under TIER (a report, not a test).
benchmark: $(VENV)/.course
	$(BIN)/python -m course_utils.benchmark --tier $(TIER) $(NOTEBOOKS)

# TIER's time estimated from each notebook's step counts and ASSUMED per-step times for one
# H100-class GPU (course_utils.benchmark.ASSUMED_STEP_SECONDS); runs nothing. E.g. TIER=gpu.
estimate: $(VENV)/.course
	$(BIN)/python -m course_utils.benchmark --estimate $(TIER) $(NOTEBOOKS)

# The GAN training step's speed on each backend: eager, compiled (cu.backend.compiled), and
# keras.io's fit + train_step formulation of the same DCGAN (a report, not a test).
benchmark-steps: $(VENV)/.test
	@for backend in tensorflow torch jax; do \
	  KERAS_BACKEND=$$backend $(BIN)/python -m course_utils.benchmark_steps || exit 1; \
	done

# Before a lecture: run every notebook under TIER to fill the trained-weights cache (the default
# one, that make course uses), then run them all again and print how long a live run takes now.
warm: $(VENV)/.course
	$(BIN)/python -m course_utils.benchmark --tier $(TIER) --passes 2 $(NOTEBOOKS)

$(BUILD)/executed/$(TIER)/%.ipynb: notebooks/%.ipynb | $(VENV)/.course
	$(BIN)/python -m course_utils.publish execute --tier $(TIER) $< $@

$(REVEAL)/dist/reveal.js:
	@command -v npm >/dev/null || { echo "npm (Node.js) is needed to install reveal.js"; exit 1; }
	npm install --prefix $(BUILD)/vendor --no-save --no-package-lock --no-audit --no-fund \
	  --loglevel=error reveal.js@$(REVEAL_JS)

# One reveal.js deck per notebook in build/slides/, offline (reveal.js and MathJax served locally).
slides: $(EXECUTED) $(REVEAL)/dist/reveal.js
	$(BIN)/python -m course_utils.publish slides --out $(BUILD)/slides --reveal $(REVEAL) $(EXECUTED)

# A static site in build/site/: index from the README's table, each notebook executed, student copies.
site: $(EXECUTED)
	$(BIN)/python -m course_utils.publish site --out $(BUILD)/site $(EXECUTED)

clean:
	rm -rf $(VENV) .pytest_cache $(BUILD)
