# kohort - top-level build. `make` builds bin/, `make test` runs every test
# under AddressSanitizer and UndefinedBehaviorSanitizer, `make deps` installs
# the Debian packages that are missing. See README.md.

CC       ?= cc
PKGS     := libzmq msgpack lmdb libsodium libcrypto zlib libdeflate
WARN     := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Werror
OPT      ?= -O2 -g
VERSION  := $(shell cat VERSION)
CPPFLAGS += -Iproto -I. -DKH_VERSION='"$(VERSION)"'
CFLAGS   += $(WARN) $(OPT) -pthread $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lzmq -lmsgpackc -llmdb -lsodium -lcrypto -lz -ldeflate) -lgmp -lglpk -lm -pthread

# `make SANITIZER=address,undefined` builds everything instrumented into
# build-san/ and bin-san/; `make test` uses that build.
ifdef SANITIZER
CFLAGS  += -fsanitize=$(SANITIZER) -fno-omit-frame-pointer -fno-sanitize-recover=all -DKH_TEST_BUILD
LDFLAGS += -fsanitize=$(SANITIZER)
BUILD   := build-san
BIN     := bin-san
else
BUILD   := build
BIN     := bin
endif

# Library sources: every module of every folder except the executables' mains.
LIBDIRS  := proto ingest transform aggregate sink gen cli
LIBSRC   := $(filter-out %/main.c %_main.c,$(wildcard $(addsuffix /*.c,$(LIBDIRS))))
LIBOBJ   := $(patsubst %.c,$(BUILD)/%.o,$(LIBSRC))
LIB      := $(BUILD)/libkohort.a

PROGS    := kohort kohort-ingest kohort-validate kohort-anonymise kohort-link kohort-aggregate kohort-sink
main_kohort           := cli/main.c
main_kohort-ingest    := ingest/main.c
main_kohort-validate  := transform/validate_main.c
main_kohort-anonymise := transform/anonymise_main.c
main_kohort-link      := transform/link_main.c
main_kohort-aggregate := aggregate/main.c
main_kohort-sink      := sink/main.c

UNITSRC  := $(wildcard tests/unit/test_*.c)
UNITBIN  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNITSRC))

.PHONY: all test unit e2e deps clean bench fuzz lint demo man install soak
all: $(addprefix $(BIN)/,$(PROGS))

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIBOBJ)
	@rm -f $@
	ar rcs $@ $^

define prog_rule
$(BIN)/$(1): $(BUILD)/$(basename $(main_$(1))).o $(LIB)
	@mkdir -p $(BIN)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -MMD -MP -o $@ $< $(LIB) $(LDLIBS) -lcmocka

# The tests: unit tests, then end-to-end tests with the real processes, all
# built with the sanitizers.
test: deps
	@$(MAKE) --no-print-directory SANITIZER=address,undefined all unit-bins
	@KOHORT_BIN=$(CURDIR)/bin-san tests/run-tests.sh build-san/tests

unit-bins: $(UNITBIN)

# The man page, made from the programs' own --help texts (tools/mkman.sh).
man: $(BUILD)/kohort.1
$(BUILD)/kohort.1: $(addprefix $(BIN)/,$(PROGS)) tools/mkman.sh
	@mkdir -p $(dir $@)
	tools/mkman.sh $(BIN) $@

# `make install PREFIX=/usr DESTDIR=/tmp/pkg`: kohort in bin/, the stage
# programs in libexec/kohort/ (kohort finds them relative to its own path),
# the man page, bash completion, the docs and contrib examples.
PREFIX  ?= /usr/local
DESTDIR ?=
install: all man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/libexec/kohort \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/doc/kohort/examples
	install -m 0755 $(BIN)/kohort $(DESTDIR)$(PREFIX)/bin/kohort
	install -m 0755 $(addprefix $(BIN)/,$(filter-out kohort,$(PROGS))) $(DESTDIR)$(PREFIX)/libexec/kohort/
	install -m 0644 $(BUILD)/kohort.1 $(DESTDIR)$(PREFIX)/share/man/man1/kohort.1
	install -m 0644 contrib/bash-completion/kohort $(DESTDIR)$(PREFIX)/share/bash-completion/completions/kohort
	install -m 0644 README.md docs/OPERATIONS.md docs/DECISIONS.md $(DESTDIR)$(PREFIX)/share/doc/kohort/
	install -m 0644 contrib/systemd/kohort-nightly.service contrib/systemd/kohort-nightly.timer \
	  contrib/prometheus/kohort-alerts.yml contrib/grafana/kohort-dashboard.json \
	  $(DESTDIR)$(PREFIX)/share/doc/kohort/examples/

deps:
	@tools/deps.sh

demo:
	@tools/deps.sh build
	@$(MAKE) --no-print-directory all
	@tools/demo.sh

bench: all
	@tools/bench.sh

# GLPK against COIN-OR CLP on the outsider's linear programs (step 7.3,
# `kohort audit`): a measuring tool, built only by `make bin/kohort-lpcompare`
# (it needs coinor-libclp-dev, which nothing else does).
$(BIN)/kohort-lpcompare: tools/bench/lpcompare.c $(LIB)
	@mkdir -p $(BIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(patsubst -I%,-isystem %,$(shell pkg-config --cflags clp)) $(LDFLAGS) -o $@ $< $(LIB) \
	  $(LDLIBS) $(shell pkg-config --libs clp)

fuzz:
	@tools/fuzz.sh $(or $(FUZZ_SECONDS),60)

# N nights of faults and fault-free runs on one store (tests/soak/soak.sh),
# on the test build (its fault hooks make the full disk); SOAK_NIGHTS=100.
soak: deps
	@$(MAKE) --no-print-directory SANITIZER=address,undefined all
	@KOHORT_BIN=$(CURDIR)/bin-san tests/soak/soak.sh $(or $(SOAK_NIGHTS),100)

lint:
	cppcheck --enable=warning,performance,portability --error-exitcode=1 -q --inline-suppr \
	  -Iproto -I. $(LIBDIRS)

clean:
	rm -rf build build-san bin bin-san

# what each object and test program was built from (headers too), for the
# build in use (build/, build-san/, or BUILD=DIR)
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
