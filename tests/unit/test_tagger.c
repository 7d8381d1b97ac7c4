/* The entity tagger (server/extract/tagger.c): the committed model loads
 * and tags plain sentences sensibly; broken model files are refused
 * without a crash; an empty model turns the tagger off; the encoder and
 * the loader agree on the format. */
#include <stdlib.h>
#include <string.h>

#include "../../server/extract/lexicon.h"
#include "../../server/extract/tagger.h"
#include "../../server/extract/xctx.h"
#include "extract.h"
#include "qw.h"
#include "testhelp.h"

/* Runs the passes that tag text (names_find calls the tagger) into x. */
static int tag_text(struct xctx *x, const char *text)
{
    memset(x, 0, sizeof *x);
    x->text = text;
    x->len = strlen(text);
    return tok_run(x) != 0 || quotes_find(x) != 0 || names_find(x) != 0 ? -1 : 0;
}

/* The tag of the token that starts at word w of x->text (first match). */
static int tag_of(const struct xctx *x, const char *w)
{
    const char *p = strstr(x->text, w);
    if (!p || !x->tg)
        return -1;
    size_t at = (size_t)(p - x->text);
    for (size_t i = 0; i < x->nt; i++)
        if (x->t[i].s == at)
            return x->tg[i].tag;
    return -1;
}

/* Reloads the tagger with data as its model; the tagger_init status. */
static int load_model(const char *data, size_t len)
{
    tagger_free();
    lexicon_free_overrides();
    if (lexicon_override(TAGGER_MODEL, data, len) != 0)
        return 99;
    return tagger_init();
}

int main(void)
{
    TEST("the committed model loads") {
        CHECK(extract_init() == QW_OK);
        CHECK(tagger_enabled());
    }

    TEST("a plain news sentence is tagged sensibly") {
        struct xctx x;
        const char *text = "Prime Minister John Howard told reporters in Sydney on Tuesday that "
                           "Qantas Airways would cut 500 jobs.\n";
        CHECK(tag_text(&x, text) == 0);
        CHECK(x.tg != NULL);
        CHECK(tag_of(&x, "John") == TAG_PER);
        CHECK(tag_of(&x, "Howard") == TAG_PER);
        CHECK(tag_of(&x, "Sydney") == TAG_LOC);
        CHECK(tag_of(&x, "Qantas") == TAG_ORG);
        CHECK(tag_of(&x, "Prime") == TAG_O);
        CHECK(tag_of(&x, "reporters") == TAG_O); /* lower case: never tagged */
        CHECK(x.tg && x.tg[0].tag == TAG_O);
        xctx_free(&x);
    }

    TEST("the tagger keeps its work inside the text's tokens") {
        struct xctx x;
        CHECK(tag_text(&x, "") == 0);
        CHECK(x.tg == NULL);
        xctx_free(&x);
        CHECK(tag_text(&x, "\"") == 0);
        xctx_free(&x);
    }

    TEST("features are the same on every call") {
        struct xctx x;
        struct tagger_doc d;
        CHECK(tag_text(&x, "Angela Merkel met Emmanuel Macron in Berlin.") == 0);
        CHECK(tagger_doc_init(&d, &x) == 0);
        uint32_t f1[TAGGER_MAXFEAT], f2[TAGGER_MAXFEAT];
        size_t n1 = tagger_features(&x, &d, 1, f1), n2 = tagger_features(&x, &d, 1, f2);
        CHECK(n1 > 10 && n1 <= TAGGER_MAXFEAT && n1 == n2);
        CHECK(memcmp(f1, f2, n1 * sizeof *f1) == 0);
        tagger_doc_free(&d);
        xctx_free(&x);
    }

    /* a tiny model of three features, encoded as the trainer encodes */
    uint32_t keys[3] = {7, 1234567, 0xfffffff0u};
    float w[3 * TAGGER_NTAGS] = {1, -2, 3, -4, 5, 0.5f, 0, 0, 0, -0.5f, 100, -100, 0, 0, 1};
    size_t len = 0;
    char *model = tagger_model_encode(keys, w, 3, &len);

    TEST("an encoded model loads") {
        CHECK(model != NULL);
        CHECK(load_model(model, len) == TAGGER_OK);
        CHECK(tagger_enabled());
    }

    TEST("a corrupt model is refused, not loaded") {
        char *bad = malloc(len ? len : 1);
        CHECK(bad != NULL);
        if (bad && model) {
            memcpy(bad, model, len);
            bad[len / 2] ^= 0x40; /* a flipped bit: the checksum fails */
            CHECK(load_model(bad, len) == TAGGER_BADMODEL);
            CHECK(!tagger_enabled());
            CHECK(load_model(model, len - 5) == TAGGER_BADMODEL); /* truncated */
            CHECK(load_model("QWTAGGER", 8) == TAGGER_BADMODEL);
            CHECK(load_model("not a model at all, just words\n", 31) == TAGGER_BADMODEL);
            memcpy(bad, model, len);
            memcpy(bad, "QWTAGGEX", 8); /* wrong magic */
            CHECK(load_model(bad, len) == TAGGER_BADMODEL);
        }
        free(bad);
    }

    TEST("a model with a key twice is refused") {
        uint32_t twice[2] = {42, 42};
        size_t n = 0;
        char *m = tagger_model_encode(twice, w, 2, &n);
        CHECK(m != NULL);
        if (m)
            CHECK(load_model(m, n) == TAGGER_BADMODEL);
        free(m);
    }

    TEST("extract_init reports a corrupt model and fails cleanly") {
        extract_shutdown();
        CHECK(extract_override_data(TAGGER_MODEL, "QWTAGGER garbage", 16) == QW_OK);
        CHECK(extract_init() == QW_ERR_INVALID);
        extract_shutdown();
    }

    TEST("an empty model turns the tagger off and the rules work alone") {
        CHECK(extract_override_data(TAGGER_MODEL, "", 0) == QW_OK);
        CHECK(extract_init() == QW_OK);
        CHECK(!tagger_enabled());
        struct extract_result r;
        const char *text = "Secretary Antony Blinken said on Tuesday he would travel.";
        CHECK(extract_run(text, strlen(text), &r) == QW_OK);
        CHECK(r.npeople == 1 && strcmp(r.people[0].name, "Antony Blinken") == 0);
        extract_result_free(&r);
        extract_shutdown();
    }

    free(model);
    return test_report("tagger");
}
