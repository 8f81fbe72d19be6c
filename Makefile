# The two commands of the README. Both set up what they need first (scripts/bootstrap.sh).
.PHONY: run test lint bench messages

run:
	@scripts/bootstrap.sh run
	.venv/bin/pathways run

test:
	@scripts/bootstrap.sh test
	.venv/bin/ruff check .
	.venv/bin/mypy
	.venv/bin/pytest -n auto --dist loadfile --durations=15

lint:
	.venv/bin/ruff check .
	.venv/bin/mypy

bench:
	@scripts/bootstrap.sh run
	.venv/bin/python bench/definitions.py

# The gettext catalogue (pathways/messages.py, babel.cfg): extract the English msgids from the code and
# the templates, merge them into the bokmål .po (new ones come empty, reworded ones marked fuzzy: translate
# them, then run this again) and compile the .mo the dashboard reads (committed, so a fresh clone works).
messages:
	.venv/bin/pybabel extract -F babel.cfg --no-location --sort-output --project=pathways \
		--copyright-holder=pathways -o pathways/locale/messages.pot .
	.venv/bin/pybabel update -i pathways/locale/messages.pot -d pathways/locale -D messages -l nb --width=120
	.venv/bin/pybabel compile -d pathways/locale -D messages --statistics
