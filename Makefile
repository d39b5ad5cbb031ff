# AlumUnity Messaging. `make` alone lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
PYTEST_ARGS ?=
# X-Forwarded-For is believed only from the proxies NUM_PROXIES says are in front (at
# FORWARDED_ALLOW_IPS); with none, a client's made-up header is ignored.
NUM_PROXIES ?= 0
FORWARDED_ALLOW_IPS ?= 127.0.0.1

.DEFAULT_GOAL := help
.PHONY: help install system-deps run serve check-port migrate demo test test-fast lint format bench bench-peer screenshots clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

system-deps: ## Install the MariaDB client headers mysqlclient needs (apt, as root), or say how
	@if pkg-config --exists mariadb 2>/dev/null || pkg-config --exists mysqlclient 2>/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing the MariaDB client headers for mysqlclient (apt-get)..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libmariadb-dev pkg-config >/dev/null; \
	else \
		echo "mysqlclient needs the MariaDB/MySQL client headers. Install them first:"; \
		echo "  sudo apt-get install -y libmariadb-dev pkg-config      (Debian/Ubuntu)"; \
		echo "  brew install mariadb-connector-c pkg-config             (macOS)"; \
		exit 1; \
	fi

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@$(MAKE) --no-print-directory system-deps
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	@touch $@

install: $(BIN)/.installed ## Create the virtual environment and install the requirements

migrate: install ## Apply migrations to the database (SQLite by default)
	DEBUG=$${DEBUG-1} $(BIN)/python manage.py migrate --noinput -v 0

demo: migrate ## Load the demo members and conversations (prints their logins)
	DEBUG=$${DEBUG-1} PORT=$(PORT) $(BIN)/python manage.py seed_demo

run: check-port demo serve ## Install, migrate, load demo data and serve on 127.0.0.1:$(PORT)

check-port: install ## Stop early, saying to use PORT=..., when 127.0.0.1:$(PORT) is taken
	@$(BIN)/python -m alumunity.serve --check $(PORT)

serve: install ## Serve the ASGI app (HTTP + WebSocket) on 127.0.0.1:$(PORT)
	@DEBUG=$${DEBUG-1} NUM_PROXIES=$(NUM_PROXIES) FORWARDED_ALLOW_IPS=$(FORWARDED_ALLOW_IPS) $(BIN)/python -m alumunity.serve $(PORT)

test: install ## Run the whole test suite
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install ## Benchmark every endpoint at 10k and 1M messages (SQLite, or DATABASE_URL=mysql://...)
	$(BIN)/python -u bench/run.py

bench-peer: install ## The same, with django-postman 4.6 measured side by side (own virtualenv)
	$(BIN)/python -u bench/run.py --peer

screenshots: install ## Retake the README's page screenshots (docs/screenshots) in Chromium
	SCREENSHOT_DIR=docs/screenshots $(BIN)/pytest messaging/tests/web/test_browser.py messaging/tests/web/test_browser_attachments.py messaging/tests/web/test_browser_notifications.py messaging/tests/web/test_browser_editing.py messaging/tests/web/test_browser_groups.py messaging/tests/web/test_browser_privacy.py -k 'screenshot or permission or stops_receiving' -q

lint: install ## ruff check, ruff format --check and mypy (mypy.ini)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install ## Format the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean: ## Remove the virtual environment, the SQLite database and caches
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm .pytest_cache .ruff_cache staticfiles
