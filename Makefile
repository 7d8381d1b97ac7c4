# quotewire: make | make run | make test | make check | make bench | make bench-scale
#            make eval | make train | make fuzz | make install PREFIX=/usr/local | make format | make lint

CC      ?= cc
CFLAGS  ?= -O2 -g
BUILD   ?= build
PREFIX  ?= /usr/local
DB      ?= quotewire.db
LISTEN  ?= 127.0.0.1:8080

WARN     := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wvla
HARDEN   := -D_FORTIFY_SOURCE=2 -fstack-protector-strong
PKGS     := libmicrohttpd jansson sqlite3 nettle zlib icu-uc
DEBS     := gcc make pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev nettle-dev zlib1g-dev libicu-dev \
            libjs-chart.js
TESTDEBS := python3 python3-yaml curl
# The browser tests (tests/browser/): Debian's Chromium, driven by
# playwright-core from npm (tests/browser/package.json, into its
# node_modules).  Installed like the other packages; outside CI, when
# they cannot be had, the browser suite says so and skips.
BROWSERDEBS := chromium nodejs
ifdef CI
WERROR   := -Werror
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS  = $(WARN) $(WERROR) $(HARDEN) -Iinclude -D_GNU_SOURCE -pthread -MMD -MP $(PKG_CFLAGS) $(CFLAGS)
ALL_LDLIBS  = $(PKG_LIBS) -pthread -lm $(LDLIBS)

SRCS     := $(sort $(wildcard server/*.c server/*/*.c))
OBJS     := $(SRCS:%.c=$(BUILD)/%.o) $(BUILD)/embedded.o
LIBOBJS  := $(filter-out $(BUILD)/server/main.o,$(OBJS))
MIGS     := $(sort $(wildcard migrations/*.sql))
DATA     := $(sort $(filter-out data/README.md,$(wildcard data/*)))
# The explorer (ui/), served at /ui; Chart.js comes from Debian's
# libjs-chart.js at build time (served as /ui/chart.js), never from a CDN.
UI       := $(sort $(wildcard ui/*))
CHARTJS  ?= /usr/share/javascript/chart.js/chart.min.js
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Trainers (tools/train/): C programs linked with the extractor's objects,
# so that training sees the run-time tokens and features.
TRAIN_SET  ?= ../shared/eval/conll2003-train.jsonl
TRAIN_OBJS := $(BUILD)/tools/train/conll.o
TRAIN_BIN  := $(BUILD)/train/train_tagger $(BUILD)/train/harvest_names

.PHONY: all deps test-deps run test check test-replica bench bench-scale eval train train-lexicons train-tagger train-speaker fuzz install format lint clean
all: quotewire

deps:
	@tools/deps.sh $(DEBS)
test-deps: deps
	@tools/deps.sh $(TESTDEBS)
	@tools/browser-deps.sh $(BROWSERDEBS)

# The binary the README talks about lives at ./quotewire; the sanitizer
# build keeps its own in $(BUILD).
quotewire: $(BUILD)/quotewire
	@if [ "$(BUILD)" = build ]; then cp $< $@.tmp && mv -f $@.tmp $@; fi

$(BUILD)/quotewire: $(OBJS) | deps
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(ALL_LDLIBS)

$(BUILD)/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/embedded.c: tools/embed.sh openapi.yaml $(MIGS) $(DATA) $(UI) $(CHARTJS)
	@mkdir -p $(BUILD)
	tools/embed.sh openapi.yaml $(DATA) -- $(MIGS) -- $(UI) chart.js=$(CHARTJS) > $@.tmp && mv -f $@.tmp $@

$(BUILD)/embedded.o: $(BUILD)/embedded.c openapi.yaml $(MIGS) $(DATA) $(UI) $(CHARTJS)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Chart.js is a Debian package's file: install the package when it is missing.
$(CHARTJS):
	@tools/deps.sh libjs-chart.js
	@test -f $@ || { echo "Chart.js not found at $@ (set CHARTJS=...)" >&2; exit 1; }

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testhelp.h $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIBOBJS) $(ALL_LDLIBS)

run: quotewire
	./quotewire load --db $(DB) samples
	@echo "serving http://$(LISTEN)/ -- try: curl 'http://$(LISTEN)/quotes?person=Kurt%20Campbell'"
	./quotewire serve --db $(DB) --listen $(LISTEN) --create

# Every suite prints "N passed, N failed"; tests/run.sh adds them up.
test: test-deps quotewire $(UNIT_BIN)
	@BUILD=$(BUILD) CI=$(CI) tests/run.sh $(UNIT_BIN)

# The read tier: a writer, Litestream (npm: @flydotio/litestream-linux-x64)
# and a --read-only reader on 127.0.0.1 (tests/replica/run.sh).
test-replica: quotewire
	@tests/replica/run.sh ./quotewire

check:
	$(MAKE) BUILD=build/asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" test

$(BUILD)/bench/%: bench/%.c $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBOBJS) $(ALL_LDLIBS)

bench: quotewire $(BUILD)/bench/bench_extract
	@tools/deps.sh wrk nginx-light curl
	@BUILD=$(BUILD) bench/run.sh

# A synthetic archive of BENCH_SCALE_ARTICLES (default 1000000) articles
# from ../shared/corpus, loaded in BENCH_SCALE_STEPS steps, then every
# documented GET timed uncached (bench/scale.sh; skipped without the corpus).
bench-scale: quotewire
	@bench/scale.sh

eval: quotewire $(TRAIN_BIN) $(BUILD)/train/speaker_dump
	@tools/deps.sh liblinear-tools
	@BUILD=$(BUILD) tools/eval.sh

# kept, not removed as intermediate files, so that a second make does nothing
.PRECIOUS: $(BUILD)/tools/train/%.o
$(BUILD)/tools/train/%.o: tools/train/%.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Iserver/extract -c -o $@ $<

$(BUILD)/train/%: $(BUILD)/tools/train/%.o $(TRAIN_OBJS) $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

# make train: every model and harvested list in data/, from the annotated
# sets of ../shared (skipped, leaving the committed files, without them),
# in order: the speaker model is trained on the people the tagger finds.
EVAL_DIR ?= ../shared/eval
train:
	@$(MAKE) --no-print-directory train-lexicons
	@$(MAKE) --no-print-directory train-tagger
	@$(MAKE) --no-print-directory train-speaker

train-lexicons: $(BUILD)/train/harvest_names
	@if [ ! -f "$(TRAIN_SET)" ]; then echo "train-lexicons: skipped ($(TRAIN_SET) not found; data/entity-words.tsv kept)"; \
	else echo "train-lexicons: data/entity-words.tsv from $(TRAIN_SET)"; \
	    $(BUILD)/train/harvest_names "$(TRAIN_SET)" >data/entity-words.tsv.tmp && mv data/entity-words.tsv.tmp data/entity-words.tsv; fi

train-tagger: train-lexicons $(BUILD)/train/train_tagger
	@if [ ! -f "$(TRAIN_SET)" ]; then echo "train-tagger: skipped ($(TRAIN_SET) not found; data/tagger.model kept)"; \
	else $(BUILD)/train/train_tagger --data entity-words.tsv=data/entity-words.tsv "$(TRAIN_SET)" data/tagger.model; fi

# data/cue-words.tsv and data/speaker.model from polnear-train
train-speaker: $(BUILD)/train/speaker_dump
	@if [ ! -f $(EVAL_DIR)/polnear-train.jsonl ]; then echo "train-speaker: skipped ($(EVAL_DIR) not found; data/speaker.model kept)"; exit 0; fi; \
	tools/deps.sh python3 liblinear-tools && \
	python3 tools/train/cues.py $(EVAL_DIR) data/cue-words.tsv && \
	$(MAKE) --no-print-directory $(BUILD)/train/speaker_dump && \
	python3 tools/train/speaker.py --eval $(EVAL_DIR) --dump $(BUILD)/train/speaker_dump \
	    --data speaker.model=/dev/null --out data/speaker.model && \
	$(MAKE) --no-print-directory quotewire

fuzz:
	@tools/deps.sh clang libclang-rt-14-dev
	@tests/fuzz/run.sh

install: quotewire
	install -D -m 755 quotewire $(DESTDIR)$(PREFIX)/bin/quotewire

format:
	clang-format -i $(SRCS) include/*.h tests/unit/*.c tests/unit/*.h

lint:
	clang-tidy $(SRCS) -- $(WARN) -Iinclude -D_GNU_SOURCE $(PKG_CFLAGS)

clean:
	rm -rf build quotewire

-include $(OBJS:.o=.d) $(UNIT_BIN:=.d) $(TRAIN_OBJS:.o=.d) $(TRAIN_BIN:$(BUILD)/train/%=$(BUILD)/tools/train/%.d)
