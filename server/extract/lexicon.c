/* Lexicon table: one open-addressing hash from lowercase word to flags. */
#include "lexicon.h"

#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "names.h"

struct slot {
    const char *key; /* into arena, lowercase */
    uint32_t klen;
    uint32_t hhi;    /* the key's hash >> 32: most probes end on it */
    struct lex_entry e;
};

static struct slot *tab;
static size_t tab_cap, tab_len;
static char *arena;
static size_t arena_len, arena_cap;

/* ASCII lower case by table: the tokenizer looks up every word. */
#define LC(c) ((c) >= 'A' && (c) <= 'Z' ? (c) + 32 : (c))
#define L4(c) LC(c), LC((c) + 1), LC((c) + 2), LC((c) + 3)
#define L16(c) L4(c), L4((c) + 4), L4((c) + 8), L4((c) + 12)
static const unsigned char lower_tab[256] = {
    L16(0),   L16(16),  L16(32),  L16(48),  L16(64),  L16(80),  L16(96),  L16(112),
    L16(128), L16(144), L16(160), L16(176), L16(192), L16(208), L16(224), L16(240)};
#undef L16
#undef L4
#undef LC

static unsigned char lower(unsigned char c)
{
    return lower_tab[c];
}

static uint64_t hash_word(const char *w, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= lower_tab[(unsigned char)w[i]];
        h *= 1099511628211ull;
    }
    return h;
}

static int key_eq(const struct slot *s, const char *w, size_t n)
{
    if (s->klen != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s->key[i] != lower_tab[(unsigned char)w[i]])
            return 0;
    return 1;
}

static int grow(void)
{
    size_t ncap = tab_cap ? tab_cap * 2 : 1u << 14;
    struct slot *nt = calloc(ncap, sizeof *nt);
    if (!nt)
        return -1;
    for (size_t i = 0; i < tab_cap; i++) {
        if (!tab[i].key)
            continue;
        size_t j = hash_word(tab[i].key, tab[i].klen) & (ncap - 1);
        while (nt[j].key)
            j = (j + 1) & (ncap - 1);
        nt[j] = tab[i];
    }
    free(tab);
    tab = nt;
    tab_cap = ncap;
    return 0;
}

/* Keys live in one arena, allocated up front from the embedded sizes, so
 * that slot pointers never move. */
static const char *arena_put(const char *w, size_t n)
{
    if (arena_len + n + 1 > arena_cap)
        return NULL;
    char *p = arena + arena_len;
    for (size_t i = 0; i < n; i++)
        p[i] = (char)lower((unsigned char)w[i]);
    p[n] = 0;
    arena_len += n + 1;
    return p;
}

static struct lex_entry *entry_get(const char *w, size_t n)
{
    if (n == 0 || n > 64)
        return NULL;
    if ((tab_len + 1) * 2 > tab_cap && grow() != 0)
        return NULL;
    uint64_t h = hash_word(w, n);
    size_t j = h & (tab_cap - 1);
    while (tab[j].key) {
        if (tab[j].hhi == (uint32_t)(h >> 32) && key_eq(&tab[j], w, n))
            return &tab[j].e;
        j = (j + 1) & (tab_cap - 1);
    }
    const char *k = arena_put(w, n);
    if (!k)
        return NULL;
    tab[j].key = k;
    tab[j].hhi = (uint32_t)(h >> 32);
    tab[j].klen = (uint32_t)n;
    tab_len++;
    return &tab[j].e;
}

const struct lex_entry *lexicon_lookup(const char *w, size_t n)
{
    if (n > 1 && w[n - 1] == '.')
        n--;
    if (!tab || n == 0 || n > 64)
        return NULL;
    uint64_t h = hash_word(w, n);
    uint32_t hhi = (uint32_t)(h >> 32);
    size_t j = h & (tab_cap - 1);
    while (tab[j].key) {
        if (tab[j].hhi == hhi && key_eq(&tab[j], w, n))
            return &tab[j].e;
        j = (j + 1) & (tab_cap - 1);
    }
    return NULL;
}

uint32_t lexicon_flags(const char *w, size_t n)
{
    const struct lex_entry *e = lexicon_lookup(w, n);
    return e ? e->flags : 0;
}

/* Line iteration over an embedded file; skips comments and blank lines. */
struct lines {
    const char *p, *end;
};

static int next_line(struct lines *it, const char **s, size_t *n)
{
    while (it->p < it->end) {
        const char *b = it->p;
        const char *e = memchr(b, '\n', (size_t)(it->end - b));
        if (!e)
            e = it->end;
        it->p = e < it->end ? e + 1 : e;
        size_t len = (size_t)(e - b);
        if (len && b[len - 1] == '\r')
            len--;
        if (len == 0 || b[0] == '#')
            continue;
        *s = b;
        *n = len;
        return 1;
    }
    return 0;
}

/* Splits s[0..n) at the k-th tab; returns field k. */
static int field(const char *s, size_t n, int k, const char **fs, size_t *fn)
{
    size_t i = 0;
    for (int f = 0; f < k; f++) {
        const char *t = memchr(s + i, '\t', n - i);
        if (!t)
            return 0;
        i = (size_t)(t - s) + 1;
    }
    const char *t = memchr(s + i, '\t', n - i);
    *fs = s + i;
    *fn = t ? (size_t)(t - (s + i)) : n - i;
    return 1;
}

static uint32_t parse_u32(const char *s, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > 0xffffffffu)
            return 0xffffffffu;
    }
    return (uint32_t)v;
}

static int add_flag(const char *w, size_t n, uint32_t flag, uint8_t gender)
{
    while (n && (w[n - 1] == '.' || w[n - 1] == ' '))
        n--;
    if (n == 0)
        return 0;
    struct lex_entry *e = entry_get(w, n);
    if (!e)
        return -1;
    e->flags |= flag;
    if (gender)
        e->gender = gender;
    return 0;
}

/* Data files given at run time in place of the embedded ones
 * (extract_override_data); owned here, freed by lexicon_free_overrides. */
#define MAX_OVERRIDES 16
static struct embedded_file overrides[MAX_OVERRIDES];
static size_t noverrides;

int lexicon_override(const char *name, const char *data, size_t len)
{
    for (size_t i = 0; i < noverrides; i++)
        if (strcmp(overrides[i].name, name) == 0)
            return -1;
    if (noverrides == MAX_OVERRIDES)
        return -1;
    char *n = strdup(name), *d = malloc(len + 1);
    if (!n || !d) {
        free(n);
        free(d);
        return -1;
    }
    memcpy(d, data, len);
    d[len] = 0;
    overrides[noverrides].name = n;
    overrides[noverrides].data = d;
    overrides[noverrides].end = d + len;
    noverrides++;
    return 0;
}

void lexicon_free_overrides(void)
{
    for (size_t i = 0; i < noverrides; i++) {
        free((char *)overrides[i].name);
        free((char *)overrides[i].data);
    }
    noverrides = 0;
}

const struct embedded_file *lexicon_data(const char *name)
{
    for (size_t i = 0; i < noverrides; i++)
        if (strcmp(overrides[i].name, name) == 0)
            return &overrides[i];
    return embedded_data(name);
}

static const struct embedded_file *file(const char *name)
{
    return lexicon_data(name);
}

static int load_word_list(const char *name, uint32_t flag)
{
    const struct embedded_file *f = file(name);
    if (!f)
        return 0;
    struct lines it = {f->data, f->end};
    const char *s;
    size_t n;
    while (next_line(&it, &s, &n))
        if (add_flag(s, n, flag, 0) != 0)
            return -1;
    return 0;
}

static int load_given(void)
{
    const struct embedded_file *f = file("given-names.tsv");
    if (!f)
        return 0;
    struct lines it = {f->data, f->end};
    const char *s, *a;
    size_t n, an;
    while (next_line(&it, &s, &n)) {
        if (!field(s, n, 0, &a, &an) || an == 0)
            continue;
        struct lex_entry *e = entry_get(a, an);
        if (!e)
            return -1;
        e->flags |= LEX_GIVEN;
        const char *m, *fe;
        size_t mn, fn;
        if (field(s, n, 1, &m, &mn) && field(s, n, 2, &fe, &fn)) {
            e->male = parse_u32(m, mn);
            e->female = parse_u32(fe, fn);
        }
    }
    return 0;
}

/* cue-words.tsv: word, times in a cue, times in the texts. */
static int load_cues(void)
{
    const struct embedded_file *f = file("cue-words.tsv");
    if (!f)
        return 0;
    struct lines it = {f->data, f->end};
    const char *s, *w, *a, *b;
    size_t n, wn, an, bn;
    while (next_line(&it, &s, &n)) {
        if (!field(s, n, 0, &w, &wn) || !field(s, n, 1, &a, &an) || !field(s, n, 2, &b, &bn) || wn == 0)
            continue;
        uint32_t in = parse_u32(a, an), all = parse_u32(b, bn);
        if (!all || in > all)
            continue;
        struct lex_entry *e = entry_get(w, wn);
        if (!e)
            return -1;
        e->flags |= LEX_CUE;
        e->cue_pct = (uint8_t)((uint64_t)in * 100 / all);
    }
    return 0;
}

static int load_verbs(void)
{
    const struct embedded_file *f = file("speech-verbs.tsv");
    if (!f)
        return 0;
    struct lines it = {f->data, f->end};
    const char *s, *lem, *forms;
    size_t n, ln, fn;
    while (next_line(&it, &s, &n)) {
        if (!field(s, n, 0, &lem, &ln) || !field(s, n, 1, &forms, &fn))
            continue;
        uint32_t flag = (ln && lem[ln - 1] == '*') ? LEX_VERB_WEAK : LEX_VERB;
        size_t i = 0;
        while (i < fn) {
            size_t j = i;
            while (j < fn && forms[j] != ',')
                j++;
            /* "according to": the cue word is "according" */
            const char *sp = memchr(forms + i, ' ', j - i);
            size_t wl = sp ? (size_t)(sp - (forms + i)) : j - i;
            if (add_flag(forms + i, wl, flag, 0) != 0)
                return -1;
            i = j + 1;
        }
    }
    return 0;
}

/* data/entity-words.tsv: word, then the number of documents in which it
 * is part of a person, organisation, place and other name.  A word gets
 * the flag of each type that at least two documents and at least half of
 * its documents give it. */
static int load_entity_words(void)
{
    const struct embedded_file *f = file("entity-words.tsv");
    if (!f)
        return 0;
    static const uint32_t flag[4] = {LEX_HPER, LEX_HORG, LEX_HLOC, LEX_HMISC};
    struct lines it = {f->data, f->end};
    const char *s, *w, *c;
    size_t n, wn, cn;
    while (next_line(&it, &s, &n)) {
        uint32_t cnt[4], total = 0;
        if (!field(s, n, 0, &w, &wn) || wn == 0)
            continue;
        for (int k = 0; k < 4; k++) {
            cnt[k] = field(s, n, k + 1, &c, &cn) ? parse_u32(c, cn) : 0;
            total += cnt[k] > 0xffffff ? 0xffffff : cnt[k];
        }
        uint32_t fl = 0;
        for (int k = 0; k < 4; k++)
            if (cnt[k] >= 2 && cnt[k] * 2 >= total)
                fl |= flag[k];
        if (fl && add_flag(w, wn, fl, 0) != 0)
            return -1;
    }
    return 0;
}

static uint8_t gender_of(const char *g, size_t n)
{
    if (n && g[0] == 'm')
        return LEXG_MALE;
    if (n && g[0] == 'f')
        return LEXG_FEMALE;
    return LEXG_NONE;
}

static int load_titles(void)
{
    const struct embedded_file *f = file("titles.tsv");
    if (!f)
        return 0;
    struct lines it = {f->data, f->end};
    const char *s, *k, *ent, *g;
    size_t n, kn, en, gn;
    while (next_line(&it, &s, &n)) {
        if (!field(s, n, 0, &k, &kn) || !field(s, n, 1, &ent, &en))
            continue;
        if (!field(s, n, 2, &g, &gn))
            gn = 0;
        if (en && ent[0] == '<')
            continue;
        uint8_t gender = gender_of(g, gn);
        uint32_t flag;
        if ((kn == 3 && memcmp(k, "HON", 3) == 0) || (kn == 4 && memcmp(k, "ABBR", 4) == 0))
            flag = LEX_HON | LEX_TITLE;
        else if (kn == 3 && memcmp(k, "MOD", 3) == 0)
            flag = LEX_MOD;
        else if (kn == 5 && memcmp(k, "APPOS", 5) == 0)
            flag = LEX_APPOS;
        else if (kn == 7 && memcmp(k, "ORGHEAD", 7) == 0)
            flag = LEX_ORGHEAD;
        else
            flag = LEX_TITLE;
        int words = 0;
        for (size_t i = 0; i < en; i++)
            words += ent[i] == ' ';
        size_t i = 0;
        while (i < en) {
            size_t j = i;
            while (j < en && ent[j] != ' ')
                j++;
            size_t wl = j - i;
            int is_fn = (wl == 2 && memcmp(ent + i, "of", 2) == 0) ||
                        (wl == 3 && memcmp(ent + i, "the", 3) == 0);
            if (!is_fn) {
                uint32_t fl = flag;
                if (words == 0 && flag == LEX_TITLE)
                    fl |= LEX_TITLE_HEAD;
                if (words > 0 && (flag & LEX_HON))
                    fl = LEX_TITLE; /* "Lt. Gov.": parts are title words */
                if (add_flag(ent + i, wl, fl, words == 0 ? gender : 0) != 0)
                    return -1;
            }
            i = j + 1;
        }
    }
    return 0;
}

static const char *const particles[] = {"van", "de", "der", "den", "le", "al", "el", "dos", NULL};
static const char *const pronouns_m[] = {"he", "him", "his", "himself", NULL};
static const char *const pronouns_f[] = {"she", "her", "hers", "herself", NULL};
static const char *const pronouns_n[] = {"they", "them", "their", "it", "its", "we", "i", "you", NULL};
static const char *const nations[] = {
    "american", "british", "chinese", "russian", "japanese", "french", "german", "italian",
    "spanish", "indian", "pakistani", "iranian", "iraqi", "israeli", "palestinian", "syrian",
    "turkish", "egyptian", "saudi", "korean", "north", "south", "afghan", "ukrainian", "polish",
    "canadian", "mexican", "brazilian", "australian", "irish", "scottish", "dutch", "belgian",
    "swiss", "swedish", "norwegian", "danish", "finnish", "greek", "serbian", "croatian",
    "bosnian", "cuban", "venezuelan", "colombian", "argentine", "chilean", "peruvian", "nigerian",
    "european", "african", "asian", "arab", "taiwanese", "vietnamese", "thai",
    "indonesian", "philippine", "malaysian", "lebanese", "jordanian", "yemeni", "libyan",
    "sudanese", "czech", "hungarian", "romanian", "bulgarian", "austrian",
    "portuguese", "rwandan", "algerian", "moroccan",
    "tunisian", "u.s", "us", "un", "u.n", "eu", "state", "federal", "republican", "democratic",
    "labour", "conservative", "liberal", NULL};

static int load_list(const char *const *l, uint32_t flag, uint8_t g)
{
    for (size_t i = 0; l[i]; i++)
        if (add_flag(l[i], strlen(l[i]), flag, g) != 0)
            return -1;
    return 0;
}

int lexicon_init(void)
{
    if (tab)
        return 0;
    size_t total = 4096;
    static const char *const names[] = {"given-names.tsv", "speech-verbs.tsv", "titles.tsv",
                                        "surnames-surname-first.txt", "common-words.txt",
                                        "nonperson-words.txt", "places.txt", "org-tails.txt",
                                        "org-descriptors.txt", "org-names.txt", "agent-nouns.txt",
                                        "cue-words.tsv", "entity-words.tsv", NULL};
    for (size_t i = 0; names[i]; i++) {
        const struct embedded_file *f = file(names[i]);
        if (f)
            total += (size_t)(f->end - f->data) + 16;
    }
    arena = malloc(total);
    if (!arena)
        return -1;
    arena_cap = total;
    arena_len = 0;
    if (grow() != 0 || load_given() != 0 || load_verbs() != 0 || load_cues() != 0 || load_titles() != 0 ||
        load_word_list("surnames-surname-first.txt", LEX_SURFIRST) != 0 ||
        load_word_list("common-words.txt", LEX_COMMON) != 0 ||
        load_word_list("nonperson-words.txt", LEX_NONPERSON) != 0 ||
        load_word_list("places.txt", LEX_PLACE) != 0 ||
        load_word_list("org-tails.txt", LEXN_ORGTAIL) != 0 ||
        load_word_list("org-descriptors.txt", LEXN_ORGDESC) != 0 ||
        load_word_list("org-names.txt", LEXN_ORGNAME) != 0 ||
        load_word_list("agent-nouns.txt", LEX_AGENT) != 0 || load_entity_words() != 0 ||
        load_list(particles, LEX_PARTICLE, 0) != 0 ||
        load_list(pronouns_m, LEX_PRONOUN, LEXG_MALE) != 0 ||
        load_list(pronouns_f, LEX_PRONOUN, LEXG_FEMALE) != 0 ||
        load_list(pronouns_n, LEX_PRONOUN, 0) != 0 || load_list(nations, LEX_NATION, 0) != 0) {
        lexicon_free();
        return -1;
    }
    return 0;
}

void lexicon_free(void)
{
    free(tab);
    free(arena);
    tab = NULL;
    arena = NULL;
    tab_cap = tab_len = arena_len = arena_cap = 0;
}
