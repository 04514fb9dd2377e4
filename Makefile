# The commands people type. Every target installs what it needs on a fresh machine.

SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := python3.11
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RUN := $(UV) run --frozen
PYTEST_ARGS ?=
# The suite mostly waits on brokers, processes and browsers: two workers share its time,
# each with brokers of its own; a file's tests stay together on one worker. The tests that
# hold the system to a deadline under faults, or fuzz it for a while, run alone afterwards.
PYTEST_WORKERS ?= 2
BENCH_ARGS ?=
# How people sign in with make run: development (the sign-in page listing the demo users) or
# keycloak (a local Keycloak with the realm lotse on 127.0.0.1:8180, trusted by every process).
AUTH ?= development

.PHONY: help install kafka-jars keycloak postgres-binaries published-schemas frontend chromium locales screenshots bench-web run kafka stop test test-fast lint format docs bench bench-catalog bench-matching bench-emails bench-relay bench-stream bench-pipeline

help:
	@echo "make run    - start Kafka, the three services and the mail sink with demo data"
	@echo "             (make run AUTH=keycloak: sign in through a local Keycloak, see README)"
	@echo "make keycloak - fetch Keycloak from Maven Central and build it for development, once"
	@echo "make test   - install everything, start what the tests need, lint and run every test"
	@echo "make test-fast - the fast tier: tests with fakes and memory only, in seconds"
	@echo "make lint   - ruff, mypy and the import contracts"
	@echo "make kafka  - start only the local Kafka broker (make stop stops it)"
	@echo "make stop   - stop a broker started with make kafka"
	@echo "make docs   - regenerate docs/events (AsyncAPI, JSON Schemas, examples) from the contracts"
	@echo "make bench  - benchmarks with their raw baselines (BENCH_ARGS=--quick for a short run)"
	@echo "make screenshots - PNGs of the web app's pages into docs/screenshots/"
	@echo "make locales - collect the web app's interface strings into its gettext catalogs"

# Bytecode compiled once at install: where PYTHONDONTWRITEBYTECODE is set, every test run would
# otherwise compile some 5000 modules of the dependencies again.
install:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet --compile-bytecode

kafka-jars: install
	@$(RUN) python deploy/kafka/launch.py resolve

# Keycloak's server distribution from Maven Central (git-ignored deploy/keycloak/dist), checked
# for a JDK 21+, and its development build made once so each start takes seconds, not a minute.
keycloak: install
	@$(RUN) python deploy/keycloak/launch.py resolve

postgres-binaries:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || \
		{ echo "installing PostgreSQL from Debian's packages ..."; \
		  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

run: kafka-jars frontend $(if $(filter keycloak,$(AUTH)),keycloak)
	@$(RUN) python deploy/local/run.py --auth $(AUTH)

kafka: kafka-jars
	@$(RUN) python deploy/kafka/launch.py start --data-dir var/kafka

stop:
	@$(RUN) python deploy/kafka/launch.py stop --data-dir var/kafka

lint: install
	@$(RUN) ruff check .
	@$(RUN) ruff format --check .
	@$(RUN) mypy
	@$(RUN) lint-imports

format: install
	@$(RUN) ruff format .
	@$(RUN) ruff check --fix .

# The web app's gettext catalogs: collect the interface strings, add new ones to every language;
# the desks' (messages: de, en) and the public finder's (finder: eight variants, Leichte Sprache
# as German's finder_ls).
locales: install
	@cd services/web && ../../.venv/bin/pybabel extract -F babel.cfg -k _ -k N_ -k gettext_ -k ngettext_:1,2 \
		--no-location --omit-header --sort-output -o ../../var/messages.pot . >/dev/null
	@.venv/bin/pybabel update -i var/messages.pot -d services/web/src/lotse_web/locales --no-wrap \
		--omit-header --ignore-obsolete --no-fuzzy-matching
	@cd services/web && ../../.venv/bin/pybabel extract -F babel-finder.cfg -k _ -k N_ -k gettext_ -k ngettext_:1,2 \
		--no-location --omit-header --sort-output -o ../../var/finder.pot . >/dev/null
	@for code in de en ar uk tr fa ru; do .venv/bin/pybabel update -D finder -l $$code -i var/finder.pot \
		-d services/web/src/lotse_web/locales --no-wrap --omit-header --ignore-obsolete --no-fuzzy-matching \
		>/dev/null; done
	@.venv/bin/pybabel update -D finder_ls -l de -i var/finder.pot -d services/web/src/lotse_web/locales \
		--no-wrap --omit-header --ignore-obsolete --no-fuzzy-matching >/dev/null

docs: install
	@$(RUN) lotse events write --dir docs/events

# Front-end files from the npm registry, pinned, never committed: htmx is served by the web
# app; axe-core runs in the browser tests.
HTMX := 2.0.11
AXE := 4.14.1
HTMX_JS := services/web/src/lotse_web/static/vendor/htmx.min.js
AXE_JS := var/frontend/axe-core-$(AXE).min.js
HTMX_STAMP := var/frontend/htmx-$(HTMX).stamp
frontend: $(HTMX_STAMP) $(AXE_JS)

$(HTMX_STAMP):
	@rm -rf var/npm-htmx && mkdir -p var/npm-htmx $(dir $(HTMX_JS))
	@cd var/npm-htmx && npm pack --silent htmx.org@$(HTMX) >/dev/null && tar xzf htmx.org-$(HTMX).tgz package/dist/htmx.min.js
	@mv var/npm-htmx/package/dist/htmx.min.js $(HTMX_JS) && rm -rf var/npm-htmx && mkdir -p var/frontend && touch $@

$(AXE_JS):
	@rm -rf var/npm-axe && mkdir -p var/npm-axe var/frontend
	@cd var/npm-axe && npm pack --silent axe-core@$(AXE) >/dev/null && tar xzf axe-core-$(AXE).tgz package/axe.min.js
	@mv var/npm-axe/package/axe.min.js $@ && rm -rf var/npm-axe

# Debian's Chromium for the browser tests (Playwright's own browser download cannot work here).
chromium:
	@command -v chromium >/dev/null 2>&1 || \
		{ echo "installing Chromium from Debian's packages ..."; \
		  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# PNGs of the web app's pages, on the real stack in a real browser, into docs/screenshots/.
screenshots: install kafka-jars frontend chromium
	@LOTSE_SCREENSHOTS=$(CURDIR)/docs/screenshots $(RUN) pytest -q -p no:cacheprovider tests/browser/ -k screenshot

# Published JSON Schemas the tests validate against, from the npm registry (AsyncAPI).
ASYNCAPI_SPECS := 6.11.1
published-schemas: var/schemas/asyncapi-3.0.0.json

var/schemas/asyncapi-3.0.0.json:
	@rm -rf var/schemas/npm && mkdir -p var/schemas/npm
	@cd var/schemas/npm && npm pack --silent @asyncapi/specs@$(ASYNCAPI_SPECS) >/dev/null && \
		tar xzf asyncapi-specs-$(ASYNCAPI_SPECS).tgz package/schemas/3.0.0.json
	@mv var/schemas/npm/package/schemas/3.0.0.json $@ && rm -rf var/schemas/npm

test: install kafka-jars keycloak postgres-binaries published-schemas frontend chromium lint
	@rm -f var/test-figures.txt
	@$(RUN) pytest -n $(PYTEST_WORKERS) --dist loadfile -m "not alone" $(PYTEST_ARGS); shared=$$?; \
		$(RUN) pytest -m alone $(PYTEST_ARGS); alone=$$?; \
		for status in $$shared $$alone; do [ $$status -eq 0 ] || [ $$status -eq 5 ] || exit 1; done  # 5: none selected

# The fast tier: each service's and shared's tests that need no database, broker, mail server
# or process (conftest marks them fast), beside the real-infrastructure tiers of make test.
# Its property tests draw fewer examples (the profile fast, conftest); no fast test fuzzes
# with schemathesis, so its pytest plugin stays unloaded.
test-fast: install
	@$(RUN) pytest -q -m fast -p no:randomly -p no:schemathesis --hypothesis-profile=fast $(PYTEST_ARGS)

bench: bench-catalog bench-matching bench-emails bench-relay bench-stream bench-pipeline bench-web
	@$(RUN) python -m bench.summary

# POST /v1/offers on PostgreSQL, one uvicorn worker, next to a bare-SQL baseline.
bench-catalog: install kafka-jars postgres-binaries
	@$(RUN) python -m bench.catalog_offers $(BENCH_ARGS)

# One new offer against 10k, 100k and 1M open needs, next to a brute-force scan (about 8 minutes;
# BENCH_ARGS=--quick for a short run).
bench-matching: install
	@$(RUN) python -m bench.matching_offers $(BENCH_ARGS)

# Emails per second to the local mail sink: Lotse's mailer with 1 and 4 connections and the
# whole sending use case, next to a bare aiosmtplib send loop (BENCH_ARGS=--quick: 200 emails).
bench-emails: install
	@$(RUN) python -m bench.emails $(BENCH_ARGS)

# Raw aiokafka produce and consume, the outbox relay's drain and commit → ack latency.
bench-relay: install kafka-jars postgres-binaries
	@$(RUN) python -m bench.kafka_relay $(BENCH_ARGS)

# Events per second through the matching service, next to a raw consumer group.
bench-stream: install kafka-jars postgres-binaries
	@$(RUN) python -m bench.matching_stream $(BENCH_ARGS)

# Server time of the advisors' busiest pages, next to the same API calls made directly.
bench-web: install kafka-jars postgres-binaries frontend
	@$(RUN) python -m bench.web_pages $(BENCH_ARGS)

# Offer published -> email accepted by SMTP through all three services, open loop, window 0.
bench-pipeline: install kafka-jars postgres-binaries
	@$(RUN) python -m bench.pipeline $(BENCH_ARGS)
