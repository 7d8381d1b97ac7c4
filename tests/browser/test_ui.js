/* Browser tests of the explorer (run by tests/browser/run.sh, which starts
 * the server): Debian's Chromium, headless, driven by playwright-core.
 * Each test opens real pages of a server loaded with samples/ and checks
 * what a person would see there against what the API answers.  Prints
 * "browser: N passed, N failed" last; exits 1 if any failed.
 *
 *   node test_ui.js --base URL --key KEY --chromium PATH --root REPO
 *        --spec-json FILE --cases-json FILE --shots DIR --profile DIR [-k NAME] */
"use strict";

const fs = require("fs");
const path = require("path");
const assert = require("assert");
const { chromium } = require(path.join(__dirname, "node_modules", "playwright-core"));

const ARGS = (() => {
  const a = {};
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i++) {
    if (v[i] === "-k") a.only = v[++i];
    else if (v[i].startsWith("--")) a[v[i].slice(2)] = v[++i];
  }
  for (const k of ["base", "key", "chromium", "root", "spec-json", "cases-json", "shots", "profile"])
    if (!a[k]) {
      console.error("test_ui.js: missing --" + k);
      process.exit(2);
    }
  return a;
})();
const BASE = ARGS.base;
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const DESKTOP = { width: 1200, height: 900 };
const PHONE = { width: 375, height: 812 };

/* ---- a small harness ---- */

const TESTS = [];
const test = (name, fn) => TESTS.push({ name, fn });

async function getJson(p) {
  const r = await fetch(BASE + p, { headers: { Accept: "application/json" } });
  if (!r.ok) throw new Error("GET " + p + " -> " + r.status + " " + (await r.text()).slice(0, 200));
  return r.json();
}

async function postArticle(obj) {
  const r = await fetch(BASE + "/articles", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: "Bearer " + ARGS.key },
    body: JSON.stringify(obj),
  });
  if (r.status !== 201 && r.status !== 200) throw new Error("POST /articles -> " + r.status + " " + (await r.text()).slice(0, 200));
  return r.json();
}

let page; /* the one tab every test uses */
const pageErrors = [];

/* Opens a route of the explorer in a fresh document and waits until every
 * part of the page has loaded (main[aria-busy=false]). */
async function open(route) {
  await page.goto("about:blank");
  await page.goto(BASE + "/ui/" + route);
  await settled();
}

async function settled() {
  await page.waitForSelector('main[aria-busy="false"]', { timeout: 15000 });
}

async function shot(name, opts) {
  await page.screenshot(Object.assign({ path: path.join(ARGS.shots, name + ".png"), fullPage: true }, opts || {}));
}

const text = (sel) => page.$eval(sel, (e) => e.textContent);
const texts = (sel) => page.$$eval(sel, (es) => es.map((e) => e.textContent));

/* ---- fixtures: articles posted for the tests ---- */

const FIX = {};

async function fixtures() {
  /* Marta Quill is quoted in articles of January (two) and April 2024:
   * a month timeline of four buckets, two of them empty */
  const days = [["2024-01-15", "bridge"], ["2024-01-20", "budget"], ["2024-04-02", "tunnel"]];
  FIX.quill = [];
  for (const [day, what] of days)
    FIX.quill.push(
      await postArticle({
        title: "Harbour town debates the " + what,
        body:
          "Harbour town officials met on Monday to discuss the " + what + ".\n\n" +
          "\u201cWe will finish the " + what + " before the winter storms arrive,\u201d said Marta Quill, the town engineer. " +
          "She added that the council had approved the money, and Tomas Brandt agreed.\n\n" +
          "\"Nobody should expect delays,\" Quill said.",
        source: "Harbour Herald",
        published: day,
      })
    );
  /* values that are markup: they must show as text and never run */
  FIX.markupTitle = '<script>window.__xss=1</script>Markup <img src=x onerror="window.__xss=2"> in a headline';
  FIX.markupQuote = "<img src=x onerror=window.__xss=3> is not <b>bold</b> & never was,";
  FIX.markup = await postArticle({
    title: FIX.markupTitle,
    body: "Officials in Harbour town answered questions on Friday.\n\n\"" + FIX.markupQuote + "\" said Marta Quill.\n\nThe meeting ended early.",
    source: "<i>Herald</i>",
    published: "2024-02-10",
  });
  const people = await getJson("/people?q=" + encodeURIComponent("Marta Quill"));
  assert.ok(people.items.length === 1, "the fixtures' Marta Quill was not found as one person");
  FIX.quillId = people.items[0].id;
  const seed = await getJson("/articles?q=" + encodeURIComponent('"Kurt Campbell"'));
  FIX.seed = seed.items.find((a) => a.path === "blinken-china.txt") || seed.items[0];
  assert.ok(FIX.seed, "the seed article (samples/blinken-china.txt) is not loaded");
  const campbell = await getJson("/people?q=" + encodeURIComponent("Kurt Campbell"));
  FIX.campbellId = campbell.items[0].id;
}

/* ---- tests ---- */

test("yaml_reader_matches_pyyaml", async () => {
  const Y = require(path.join(ARGS.root, "ui", "yaml.js"));
  for (const [file, json] of [["openapi.yaml", ARGS["spec-json"]], ["tests/browser/yaml-cases.yaml", ARGS["cases-json"]]]) {
    const mine = Y.parse(fs.readFileSync(path.join(ARGS.root, file), "utf8"));
    assert.deepStrictEqual(JSON.parse(JSON.stringify(mine)), JSON.parse(fs.readFileSync(json, "utf8")), file + ": ui/yaml.js and PyYAML disagree");
  }
  for (const bad of ["a: &x 1", "a: *x", "- a\n---\n- b", "a: [1, 2", "a:\n  b: 1\n   c: 2", "a: 'open"])
    assert.throws(() => Y.parse(bad), Y.YamlError, "no error for " + JSON.stringify(bad));
});

test("root_sends_a_browser_to_the_explorer", async () => {
  await page.goto("about:blank");
  const resp = await page.goto(BASE + "/");
  await settled();
  assert.strictEqual(new URL(page.url()).pathname, "/ui/", "a browser at / ended at " + page.url());
  const chain = [];
  for (let r = resp.request(); r; r = r.redirectedFrom()) chain.push(r);
  assert.ok(chain.length === 2, "expected one redirect from /, got " + (chain.length - 1));
  const redirect = await chain[1].response();
  assert.strictEqual(redirect.status(), 303);
  const health = await getJson("/health");
  const lead = await text("main p.lead");
  assert.ok(lead.includes(health.articles + " articles") && lead.includes(health.quotes + " quotes"), "home counts: " + lead);
  const top = await getJson("/people?sort=-quotes&limit=10");
  const shown = await texts('[data-page="home"] section:first-of-type .results > li > a');
  assert.deepStrictEqual(shown, top.items.map((p) => p.name), "most quoted people on the home page");
  const total = (await getJson("/people?limit=1&count=exact")).total;
  const info = await text('[data-page="home"] section:first-of-type p.muted');
  assert.strictEqual(info, "Showing 10 of " + total + " people.", "the home page's count of people");
  await shot("home");
});

test("article_highlights_every_quote_with_its_speaker", async () => {
  const id = FIX.seed.id;
  const quotes = (await getJson("/articles/" + id + "/quotes?limit=1000")).items;
  const art = await getJson("/articles/" + id);
  await open("#/article/" + id);
  assert.strictEqual(await text("h1"), art.title);
  const marks = await page.$$eval("mark.quote", (ms) => ms.map((m) => ({ id: Number(m.dataset.quoteId), text: m.textContent, next: m.nextElementSibling && { tag: m.nextElementSibling.tagName, href: m.nextElementSibling.getAttribute("href"), text: m.nextElementSibling.textContent } })));
  assert.strictEqual(marks.length, quotes.length, "marks in the text vs quotes of the article");
  /* the seed has curly quotes and no-break spaces before its quotes: a
   * mark that matches the quote's text proves byte offsets were used */
  for (const q of quotes) {
    const m = marks.find((x) => x.id === q.id);
    assert.ok(m, "quote " + q.id + " is not highlighted");
    assert.strictEqual(m.text, q.text, "the mark of quote " + q.id + " covers other text");
    if (q.speaker_person_id) {
      assert.strictEqual(m.next.tag, "A", "speaker of quote " + q.id + " is not a link");
      assert.strictEqual(m.next.href, "#/person/" + q.speaker_person_id);
      assert.strictEqual(m.next.text, q.speaker);
    } else if (q.speaker) assert.strictEqual(m.next.text, q.speaker, "speaker of quote " + q.id);
  }
  const campbell = quotes.filter((q) => q.speaker === "Kurt Campbell");
  assert.strictEqual(campbell.length, 2, "the seed has two Campbell quotes");
  for (const q of campbell) assert.ok(marks.find((m) => m.id === q.id && m.next.href === "#/person/" + FIX.campbellId), "Campbell quote " + q.id + " not linked to him");
  /* the text shown, speakers aside, is the article's body as stored */
  const shown = await page.$eval(".article-text", (box) => {
    const c = box.cloneNode(true);
    c.querySelectorAll(".speaker").forEach((e) => e.remove());
    return c.textContent;
  });
  assert.strictEqual(shown, Buffer.from(art.text, "utf8").subarray(art.body_start).toString("utf8"), "the article's text is not shown as stored");
  await shot("article");
  await page.click('mark.quote[data-quote-id="' + campbell[0].id + '"] + a.speaker');
  await settled();
  assert.strictEqual(await text("h1"), "Kurt Campbell", "the speaker link does not open his page");
  assert.strictEqual(await page.evaluate(() => document.activeElement.tagName), "H1", "focus did not move to the new page's heading");
});

test("article_quote_link_marks_and_focuses_it", async () => {
  const quotes = (await getJson("/articles/" + FIX.seed.id + "/quotes")).items;
  const q = quotes[quotes.length - 1];
  await open("#/article/" + FIX.seed.id);
  await page.click('.quotes-table a[href$="quote=' + q.id + '"]');
  await settled();
  const active = await page.evaluate(() => ({ id: document.activeElement.id, cls: document.activeElement.className }));
  assert.strictEqual(active.id, "quote-" + q.id);
  assert.ok(/current/.test(active.cls), "the quote asked for is not marked current");
});

test("search_finds_a_quote", async () => {
  await open("#/");
  await page.fill("#q", "lifetimes");
  await page.click("#search-form button");
  await settled();
  assert.strictEqual(new URL(page.url()).hash, "#/search?q=lifetimes");
  const api = (await getJson("/quotes?q=lifetimes&limit=20")).items;
  assert.ok(api.length >= 1, "the API finds no quote for lifetimes");
  const items = await page.$$eval("#sec-quotes ~ ol > li, section[aria-labelledby=sec-quotes] .results > li", (lis) =>
    lis.map((li) => ({ quote: li.querySelector("blockquote").textContent, marks: [...li.querySelectorAll("blockquote mark")].map((m) => m.textContent), speaker: li.querySelector(".meta a").textContent, href: li.querySelector(".meta a").getAttribute("href") }))
  );
  assert.strictEqual(items.length, api.length, "quotes listed vs the API's");
  assert.strictEqual(items[0].quote, api[0].text);
  assert.deepStrictEqual(items[0].marks, ["lifetimes"], "the search word is not highlighted");
  assert.strictEqual(items[0].speaker, "Kurt Campbell");
  assert.strictEqual(items[0].href, "#/person/" + FIX.campbellId);
  const arts = await texts("section[aria-labelledby=sec-articles] .results > li > a");
  assert.ok(arts.includes(FIX.seed.title), "the seed article is not among the articles found");
  await shot("search");
});

test("search_shows_the_servers_problem_for_bad_syntax", async () => {
  await open("#/search?q=" + encodeURIComponent("-strike"));
  const errs = await texts("section[aria-labelledby=sec-quotes] .error");
  assert.strictEqual(errs.length, 1, "no error shown for a search that only excludes");
  assert.ok(/only excludes/.test(errs[0]), "error text: " + errs[0]);
});

test("keyboard_tab_reaches_search_and_enter_searches", async () => {
  await open("");
  const seen = [];
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press("Tab");
    const a = await page.evaluate(() => {
      const e = document.activeElement;
      const cs = getComputedStyle(e);
      return { id: e.id, tag: e.tagName, text: e.textContent.trim(), outline: cs.outlineStyle, width: parseFloat(cs.outlineWidth), top: e.getBoundingClientRect().top };
    });
    seen.push(a);
    if (a.id === "q") break;
  }
  assert.strictEqual(seen[0].id, "skip", "the first Tab does not reach the skip link");
  assert.ok(seen[0].top >= 0, "the focused skip link is off screen");
  assert.strictEqual(seen[seen.length - 1].id, "q", "Tab never reached the search box: " + seen.map((s) => s.tag + "#" + s.id).join(" "));
  for (const s of seen) assert.ok(s.outline !== "none" && s.width >= 2, "no visible focus on " + s.tag + " " + s.text);
  await page.keyboard.type("calm");
  await page.keyboard.press("Enter");
  await settled();
  assert.strictEqual(new URL(page.url()).hash, "#/search?q=calm");
  const quotes = await texts("section[aria-labelledby=sec-quotes] blockquote");
  assert.ok(quotes.includes("Staying calm is the hard part."), "Enter did not search: " + quotes.join(" | "));
  /* and on into the results: Tab goes from the heading to the first link */
  await page.keyboard.press("Tab");
  assert.strictEqual(await page.evaluate(() => document.activeElement.tagName), "A");
});

test("skip_link_moves_focus_to_the_content", async () => {
  await open("#/charts");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  const r = await page.evaluate(() => ({ inMain: document.getElementById("main").contains(document.activeElement), hash: location.hash }));
  assert.ok(r.inMain, "focus is not in main after the skip link");
  assert.strictEqual(r.hash, "#/charts", "the skip link changed the route");
});

test("person_page_facts_and_quotes", async () => {
  const p = await getJson("/people/" + FIX.quillId);
  await open("#/person/" + FIX.quillId);
  assert.strictEqual(await text("h1"), p.name);
  const facts = await page.$$eval("dl.facts dt", (dts) => Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
  assert.strictEqual(facts.Gender, p.gender || "not known");
  assert.strictEqual(facts.Quoted, p.quote_count + " times");
  assert.deepStrictEqual(await texts("dl.facts ul.aliases li"), p.aliases);
  const q = (await getJson("/people/" + FIX.quillId + "/quotes?limit=20")).items;
  const shown = await texts("section[aria-labelledby=sec-quotes] blockquote");
  assert.deepStrictEqual(shown, q.map((x) => x.text), "the person's quotes");
  const arts = await texts("section[aria-labelledby=sec-articles] .results > li > a");
  assert.strictEqual(arts.length, p.article_count);
  await shot("person");
  /* roles come from the text: a person the samples give a title */
  const mercer = (await getJson("/people?q=Mercer")).items[0];
  await open("#/person/" + mercer.id);
  assert.deepStrictEqual(await texts("dl.facts ul.roles li"), mercer.roles);
});

test("person_timeline_has_a_point_per_bucket", async () => {
  const ts = await getJson("/stats/timeseries?metric=quotes&interval=month&person=" + FIX.quillId);
  assert.ok(ts.series.length >= 4, "the fixtures span four months, the API gives " + ts.series.length + " buckets");
  await open("#/person/" + FIX.quillId);
  const chart = await page.$eval(".timeline canvas", (c) => {
    const ch = window.Chart.getChart(c);
    return { points: ch.getDatasetMeta(0).data.length, labels: ch.data.labels, data: ch.data.datasets[0].data, w: c.width, h: c.height };
  });
  assert.strictEqual(chart.points, ts.series.length, "points drawn vs buckets the API returns");
  assert.deepStrictEqual(chart.data, ts.series.map((r) => r.count));
  assert.deepStrictEqual(chart.labels, ts.series.map((r) => r.bucket.slice(0, 7)));
  assert.ok(chart.w > 0 && chart.h > 0, "the chart has no size");
  const rows = await page.$$eval(".timeline table tbody tr", (trs) => trs.length);
  assert.strictEqual(rows, ts.series.length, "rows of the timeline's data table");
  await page.selectOption("#ctl-interval", "year");
  await settled();
  const ty = await getJson("/stats/timeseries?metric=quotes&interval=year&person=" + FIX.quillId);
  const yp = await page.$eval(".timeline canvas", (c) => window.Chart.getChart(c).getDatasetMeta(0).data.length);
  assert.strictEqual(yp, ty.series.length, "points by year vs the API's buckets");
});

test("person_co_mentions_listed", async () => {
  const co = await getJson("/people/" + FIX.quillId + "/co-mentions?limit=20");
  assert.ok(co.items.length >= 1, "Marta Quill has no co-mentioned people in the API");
  await open("#/person/" + FIX.quillId);
  const names = await texts(".co-mentions .results > li > a");
  assert.deepStrictEqual(names, co.items.map((c) => c.name));
  const hrefs = await page.$$eval(".co-mentions .results > li > a", (as) => as.map((a) => a.getAttribute("href")));
  assert.deepStrictEqual(hrefs, co.items.map((c) => "#/person/" + c.id));
});

test("charts_page_top_people_and_gender_balance", async () => {
  const top = await getJson("/stats/top?of=people&metric=quotes&limit=10");
  const gender = await getJson("/stats/gender?interval=year");
  await open("#/charts");
  const charts = await page.$$eval("canvas[data-chart]", (cs) =>
    Object.fromEntries(cs.map((c) => {
      const ch = window.Chart.getChart(c);
      return [c.dataset.chart, { labels: ch.data.labels, sets: ch.data.datasets.map((d, i) => ({ label: d.label, data: d.data, drawn: ch.getDatasetMeta(i).data.length })) }];
    }))
  );
  assert.ok(charts.top && charts.gender, "charts on the page: " + Object.keys(charts));
  assert.strictEqual(charts.top.sets[0].drawn, top.items.length, "bars vs top people the API returns");
  assert.deepStrictEqual(charts.top.labels, top.items.map((i) => i.name));
  assert.deepStrictEqual(charts.top.sets[0].data, top.items.map((i) => i.count));
  assert.strictEqual(charts.gender.labels.length, gender.series.length, "gender buckets vs the API's");
  for (const s of charts.gender.sets) {
    assert.strictEqual(s.drawn, gender.series.length, s.label + " bars");
    assert.deepStrictEqual(s.data, gender.series.map((r) => r[s.label]), s.label + " counts");
  }
  await shot("charts");
  await page.selectOption("#ctl-metric", "mentions");
  await settled();
  const tm = await getJson("/stats/top?of=people&metric=mentions&limit=10");
  const labels = await page.$eval('canvas[data-chart="top"]', (c) => window.Chart.getChart(c).data.labels);
  assert.deepStrictEqual(labels, tm.items.map((i) => i.name), "top people by mentions");
});

test("api_reference_lists_every_path_and_operation", async () => {
  const spec = JSON.parse(fs.readFileSync(ARGS["spec-json"], "utf8"));
  await open("#/api");
  await shot("api", { fullPage: false });
  const titles = await texts("section.path .path-title");
  assert.deepStrictEqual(titles, Object.keys(spec.paths), "paths on the reference page vs openapi.yaml");
  const ops = await page.$$eval("details.op", (ds) => ds.map((d) => d.dataset.method + " " + d.dataset.path));
  const want = [];
  for (const [p, item] of Object.entries(spec.paths)) for (const m of ["get", "post", "put", "patch", "delete", "head", "options"]) if (item[m]) want.push(m.toUpperCase() + " " + p);
  assert.deepStrictEqual(ops, want, "operations on the page vs openapi.yaml");
  /* an operation's parameters and responses, as the spec has them */
  const op = spec.paths["/quotes"].get;
  const ref = (r) => r.$ref.split("/").slice(1).reduce((n, k) => n[k], spec);
  const names = op.parameters.map((p) => (p.$ref ? ref(p) : p).name);
  const d = 'details.op[data-method="GET"][data-path="/quotes"]';
  await page.click(d + " > summary");
  assert.deepStrictEqual(await texts(d + " table.params tbody td:first-child code"), names, "parameters of GET /quotes");
  assert.deepStrictEqual(await page.$$eval(d + " table.responses tbody tr", (trs) => trs.map((t) => t.dataset.status)), Object.keys(op.responses));
  /* a path from the table of contents: its section gets the focus, open */
  await page.click('.toc a[href="#/api?path=' + encodeURIComponent("/articles/{id}") + '"]');
  await settled();
  const f = await page.evaluate(() => ({ text: document.activeElement.textContent, open: [...document.activeElement.parentElement.querySelectorAll("details.op")].every((x) => x.open) }));
  assert.strictEqual(f.text, "/articles/{id}");
  assert.ok(f.open, "the operations of the path asked for are not open");
});

test("phone_width_has_no_horizontal_scroll", async () => {
  await page.setViewportSize(PHONE);
  try {
    const routes = [["", "home"], ["#/search?q=china", "search"], ["#/article/" + FIX.seed.id, "article"], ["#/person/" + FIX.quillId, "person"], ["#/charts", "charts"], ["#/api", "api"], ["#/article/" + FIX.markup.id, "markup"]];
    for (const [route, name] of routes) {
      await open(route);
      const w = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth, body: document.body.scrollWidth }));
      assert.ok(w.scroll <= w.client && w.body <= w.client, name + " at 375 px: scrollWidth " + w.scroll + " > " + w.client);
      if (name === "article" || name === "search" || name === "person") await shot("phone-" + name);
    }
  } finally {
    await page.setViewportSize(DESKTOP);
  }
});

test("values_from_the_api_are_text_not_markup", async () => {
  await page.evaluate(() => delete window.__xss);
  await open("#/article/" + FIX.markup.id);
  assert.strictEqual(await text("h1"), FIX.markupTitle, "the title is not shown as typed");
  assert.strictEqual(await text("mark.quote"), FIX.markupQuote, "the quote is not shown as typed");
  assert.ok((await text("main .meta")).includes("<i>Herald</i>"), "the source is not shown as typed");
  await shot("markup");
  const probe = () => page.evaluate(() => ({ xss: window.__xss, img: document.querySelectorAll("main img, main script, main b, main i").length, title: document.title }));
  let p = await probe();
  assert.strictEqual(p.xss, undefined, "markup from the API ran");
  assert.strictEqual(p.img, 0, "markup from the API became elements");
  assert.ok(p.title.startsWith(FIX.markupTitle), "document title");
  for (const route of ["#/search?q=onerror", "#/", "#/person/" + FIX.quillId]) {
    await open(route);
    p = await probe();
    assert.strictEqual(p.xss, undefined, route + ": markup ran");
    assert.strictEqual(p.img, 0, route + ": markup became elements");
  }
  await open("#/search?q=onerror");
  const bq = await texts("section[aria-labelledby=sec-quotes] blockquote");
  assert.deepStrictEqual(bq, [FIX.markupQuote], "the snippet's escaped text is not shown as the quote's text");
  assert.deepStrictEqual(await texts("section[aria-labelledby=sec-quotes] blockquote mark"), ["onerror"]);
});

test("unknown_routes_and_ids", async () => {
  await open("#/nowhere");
  assert.strictEqual(await text("h1"), "Not found");
  await open("#/person/999999");
  assert.strictEqual(await text("h1"), "No such person");
  await open("#/article/abc");
  assert.strictEqual(await text("h1"), "Not found");
});

/* ---- corrections (they change data: they run last) ---- */

async function enterKey() {
  if (await page.$("#api-key")) {
    await page.fill("#api-key", ARGS.key);
    await page.press("#api-key", "Enter");
    await page.waitForSelector("#api-key", { state: "detached" });
    await settled();
  }
}

async function patchResponse(method, click) {
  const [r] = await Promise.all([page.waitForResponse((x) => x.request().method() === method), click()]);
  return r;
}

test("explorer_corrects_a_speaker_and_rejects_a_quote", async () => {
  const a = await postArticle({
    title: "Qwzx curation desk",
    body:
      "LONDON: \u201cWe will review the figures next week,\u201d the Treasury said on Monday.\n\n" +
      "Chancellor Rachel Dunmore said the review was routine. \u201cNothing is hidden from the public,\u201d Dunmore said. " +
      "\u201cThe accounts are open,\u201d said Peter Vane, an adviser.",
  });
  const quotes = (await getJson("/articles/" + a.id + "/quotes")).items;
  const org = quotes.find((q) => q.speaker === "the Treasury");
  const vane = quotes.find((q) => q.speaker === "Peter Vane");
  assert.ok(org && vane, "fixture quotes: " + JSON.stringify(quotes.map((q) => q.speaker)));
  const dunmore = (await getJson("/people?q=Dunmore")).items[0];
  await open("#/article/" + a.id);
  assert.strictEqual(await page.$(".quote-editor"), null, "correction forms without a key");
  await enterKey();
  const form = '.quote-editor[data-quote="' + org.id + '"]';
  await page.click('tr:has(' + form + ') details.correct summary');
  await page.selectOption(form + " select", "p" + dunmore.id);
  const r = await patchResponse("PATCH", () => page.click(form + ' button[type="submit"]'));
  assert.strictEqual(r.status(), 200, "PATCH answered " + r.status());
  await page.waitForSelector(".chip-corrected");
  await settled();
  const q = await getJson("/quotes/" + org.id);
  assert.strictEqual(q.speaker_person_id, dunmore.id, "the speaker was not corrected");
  assert.ok(q.curated && q.extracted_speaker === "the Treasury", "curated " + q.curated + " " + q.extracted_speaker);
  const row = await text('tr:has(.quote-editor[data-quote="' + org.id + '"])');
  assert.ok(row.includes("Rachel Dunmore") && row.includes("corrected"), "the row shows " + row);
  await shot("correction-speaker");

  /* a source that is not a person, typed in */
  const own = quotes.find((q) => q.speaker === "Rachel Dunmore");
  const oform = '.quote-editor[data-quote="' + own.id + '"]';
  await page.click('tr:has(' + oform + ') details.correct summary');
  await page.fill(oform + ' input[name="source"]', "the Treasury press office");
  const ro = await patchResponse("PATCH", () => page.click(oform + ' button[type="submit"]'));
  assert.strictEqual(ro.status(), 200, "PATCH with a typed source answered " + ro.status());
  await page.waitForFunction(() => document.querySelectorAll(".chip-corrected").length >= 2);
  await settled();
  const oq = await getJson("/quotes/" + own.id);
  assert.ok(oq.speaker === "the Treasury press office" && oq.speaker_person_id === null, "typed source: " + oq.speaker + " " + oq.speaker_person_id);

  const vform = '.quote-editor[data-quote="' + vane.id + '"]';
  await page.click('tr:has(' + vform + ') details.correct summary');
  const rr = await patchResponse("PATCH", () => page.click(vform + " button.danger"));
  assert.strictEqual(rr.status(), 200, "reject answered " + rr.status());
  await page.waitForSelector(vform, { state: "detached" });
  await settled();
  const left = (await getJson("/articles/" + a.id + "/quotes")).items.map((x) => x.id);
  assert.ok(!left.includes(vane.id), "the rejected quote is still listed");
  const gone = await fetch(BASE + "/quotes/" + vane.id);
  assert.strictEqual(gone.status, 404, "GET of the rejected quote: " + gone.status);
  await open("#/corrections");
  await shot("corrections-trail");
  const rows = await texts(".corrections-table tbody tr");
  assert.ok(rows.length >= 3 && rows[0].includes("rejected") && rows.some((r) => r.includes("Rachel Dunmore")), "the trail page shows " + rows.slice(0, 3));
  const trail = (await getJson("/corrections?sort=-id&limit=2")).items.map((c) => c.field);
  assert.deepStrictEqual(trail, ["status", "speaker"], "audit trail " + trail);
  assert.strictEqual((await getJson("/corrections?target=quote")).items.length, 3, "three quote corrections");
});

test("explorer_merges_two_people", async () => {
  await postArticle({ title: "Qwzx merge desk one", body: "LEEDS: \u201cWe will win the cup,\u201d said Jonathan Smyth, the coach." });
  await postArticle({ title: "Qwzx merge desk two", body: "LEEDS: \u201cWe lost on penalties,\u201d said Jon Smith, the manager." });
  const a = (await getJson("/people?q=Jonathan%20Smyth")).items[0];
  const b = (await getJson("/people?q=Jon%20Smith")).items[0];
  assert.ok(a && b && a.id !== b.id, "two people to merge");
  await open("#/person/" + a.id);
  await enterKey();
  await page.fill("#merge-find", "Jon Smith");
  await page.press("#merge-find", "Enter");
  const button = 'button[data-into="' + b.id + '"]';
  await page.waitForSelector(button);
  const r = await patchResponse("POST", () => page.click(button));
  assert.strictEqual(r.status(), 200, "merge answered " + r.status());
  await page.waitForFunction((id) => location.hash === "#/person/" + id, b.id);
  await settled();
  assert.strictEqual(await text("h1"), "Jon Smith");
  const after = await getJson("/people/" + b.id);
  assert.strictEqual(after.quote_count, 2, "survivor quote_count " + after.quote_count);
  assert.ok(after.aliases.includes("Jonathan Smyth"), "aliases " + after.aliases);
  const gone = await fetch(BASE + "/people/" + a.id);
  assert.strictEqual(gone.status, 404, "the merged person still answers " + gone.status);
  await shot("correction-merge");
});

test("no_script_errors_or_policy_violations", async () => {
  assert.deepStrictEqual(pageErrors, [], "errors on the pages");
  const csp = await fetch(BASE + "/ui/").then((r) => r.headers.get("content-security-policy"));
  assert.ok(/script-src 'self'/.test(csp || ""), "the page is not served with its policy");
});

/* ---- main ---- */

(async () => {
  let passed = 0;
  let failed = 0;
  const t0 = Date.now();
  let ctx;
  try {
    await fixtures();
    ctx = await chromium.launchPersistentContext(ARGS.profile, { executablePath: ARGS.chromium, headless: true, args: FLAGS, viewport: DESKTOP, reducedMotion: "reduce", colorScheme: "light" });
    page = ctx.pages()[0] || (await ctx.newPage());
    page.setDefaultTimeout(15000);
    page.on("pageerror", (e) => pageErrors.push("pageerror: " + e.message));
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) pageErrors.push("csp: " + m.text());
    });
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => console.error("Refused to (securitypolicyviolation) " + e.violatedDirective + " " + e.blockedURI));
    });
  } catch (e) {
    console.log("FAIL setup: " + (e.stack || e.message));
    console.log("browser: 0 passed, 1 failed");
    if (ctx) await ctx.close().catch(() => {});
    process.exit(1);
  }
  for (const t of TESTS) {
    if (ARGS.only && !t.name.includes(ARGS.only)) continue;
    const started = Date.now();
    try {
      await t.fn();
      passed++;
      console.log("ok   " + t.name + " (" + (Date.now() - started) + " ms)");
    } catch (e) {
      failed++;
      console.log("FAIL " + t.name + ": " + String(e.message || e).split("\n").slice(0, 12).join("\n    "));
      await shot("FAIL-" + t.name).catch(() => {});
    }
  }
  await ctx.close().catch(() => {});
  console.log("(" + ((Date.now() - t0) / 1000).toFixed(1) + " s; screenshots in " + ARGS.shots + ")");
  console.log("browser: " + passed + " passed, " + failed + " failed");
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
})();
