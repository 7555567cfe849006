# The two commands of the README's quick start.
.PHONY: demo test lint stop

demo:  ## start Stellars Hub on http://127.0.0.1:8000 (Ctrl-C stops it)
	bash scripts/demo.sh

test:  ## provision the real components and run every test session
	bash scripts/test.sh

lint:  ## ruff and mypy only
	bash scripts/test.sh -s lint typecheck

stop:  ## stop the Docker daemon and PostgreSQL the scripts started
	bash scripts/stop-services.sh
