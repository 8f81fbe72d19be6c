# The two commands of the README. Both set up what they need first (scripts/bootstrap.sh).
.PHONY: run test lint bench

run:
	@scripts/bootstrap.sh run
	.venv/bin/pathways run

test:
	@scripts/bootstrap.sh test
	.venv/bin/ruff check .
	.venv/bin/mypy
	.venv/bin/pytest

lint:
	.venv/bin/ruff check .
	.venv/bin/mypy

bench:
	@scripts/bootstrap.sh run
	.venv/bin/python bench/definitions.py
