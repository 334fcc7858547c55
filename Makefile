# The two commands a new user needs: `make run` and `make test`.
# Each installs what it needs itself (scripts/setup.sh) on a fresh machine.
.PHONY: run test shell setup train lint

run:            ## install, train if needed, start the action server and Rasa, print where to go
	@scripts/run.sh

test:           ## install, train if needed, run every test (unit, Rasa, end-to-end over REST)
	@scripts/test.sh

shell:          ## terminal chat against a running `make run`
	@scripts/setup.sh && .venv/bin/sparring chat

setup:
	@scripts/setup.sh

train:
	@scripts/setup.sh && scripts/train.sh

lint:
	@scripts/setup.sh && .venv/bin/sparring lint
