# Two entry points; both install what is missing first (see scripts/setup.sh).
.PHONY: run test ui
run:
	scripts/run.sh
test:
	scripts/test.sh
ui:
	scripts/build-ui.sh
