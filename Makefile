# schoolportal: `make demo` runs a demo school, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app schoolportal
HOST ?= 127.0.0.1
PORT ?= 5000
# The address people open: WebAuthn (passkeys) refuses IP addresses, localhost is fine.
PUBLIC_URL ?= http://localhost:$(PORT)

.PHONY: demo test install install-dev translations extract-messages lint migration clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(MAKE) translations

# The dev extra is installed again only when the package's requirements change (the stamp
# file), so `make test` starts its tests at once instead of spending 3 s in pip each time.
$(VENV)/.installed-dev: $(BIN)/python pyproject.toml setup.py
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install-dev: $(VENV)/.installed-dev
	$(MAKE) translations

translations: $(BIN)/python
	$(BIN)/pybabel -q compile -d schoolportal/translations

extract-messages: $(BIN)/python
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o schoolportal/translations/messages.pot .
	$(BIN)/pybabel -q update -N -i schoolportal/translations/messages.pot -d schoolportal/translations

# The demo keeps mail inside the portal (MAIL_BACKEND=portal): admins read it under
# Administratie > Verzonden e-mail. The mail worker runs next to the web server and stops with it.
demo: install
	SCHOOLPORTAL_CONFIG=development BASE_URL=$(PUBLIC_URL) $(FLASK) seed-demo
	@echo "schoolportal runs on $(PUBLIC_URL)  (stop with Ctrl+C)"
	SCHOOLPORTAL_CONFIG=development BASE_URL=$(PUBLIC_URL) $(FLASK) mail-worker & \
	worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	SCHOOLPORTAL_CONFIG=development BASE_URL=$(PUBLIC_URL) $(FLASK) run --host $(HOST) --port $(PORT)

# Three workers on the two cores (pytest-xdist): while one waits (for Chromium, a server, a
# subprocess) the others use the cores; 277 s instead of 292-302 s with two. A database per
# worker; browser and load tests each keep to one worker (tests/conftest.py).
# TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 3
test: install-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# ruff, and import-linter for the layout's contracts (pyproject.toml [tool.importlinter]).
lint: install-dev
	$(BIN)/ruff check schoolportal tests bench config.py setup.py
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache

# Write a new migration from the difference between the models and the migrations so far.
migration: install
	$(BIN)/python -c "from peewee import SqliteDatabase; from peewee_migrate import Router; \
	from schoolportal.core.extensions import db; from schoolportal.schema import MODELS; \
	d = SqliteDatabase(':memory:'); db.initialize(d); \
	r = Router(d, migrate_dir='schoolportal/migrations'); r.run(); r.create('$(NAME)', auto=MODELS)"
