/* quotewire explorer: a one-page app over the JSON API of the server that
 * serves it.  Pages are hash routes, so the server needs no route per page:
 *
 *   #/                     home: counts, most quoted people, latest articles
 *   #/search?q=WORDS       quotes, articles and people matching WORDS
 *   #/person/ID            a person: facts, timeline, quotes, co-mentions, articles
 *   #/article/ID[?quote=Q] an article's text, every quote highlighted, speakers linked
 *   #/charts               most quoted people; gender balance over time
 *   #/corrections[?orphaned=true]  the audit trail of users' corrections
 *   #/api[?path=/x]        the API reference, read from /openapi.yaml
 *
 * Every value from the API enters the page as text (textContent, text
 * nodes, attributes set one by one): nothing from the API is ever parsed
 * as HTML.  Search snippets, whose <mark> tags the server adds after
 * escaping the text, are split on those tags and unescaped into text
 * nodes.  No inline script or style: the page runs under a strict CSP.
 *
 * While a page loads, <main> has aria-busy="true"; it turns "false" when
 * every part of the page has loaded or failed (the browser tests wait on
 * it). */
(function () {
  "use strict";

  const main = document.getElementById("main");
  const statusRegion = document.getElementById("status");
  const searchForm = document.getElementById("search-form");
  const searchInput = document.getElementById("q");
  const reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  let charts = []; /* Chart instances of the current page, destroyed on navigation */
  let renderSeq = 0; /* each render's number: late answers for an old page are dropped */
  let firstRender = true;
  let specCache = null; /* the parsed /openapi.yaml */

  /* ---- DOM: values go in as text, never as markup ---- */

  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === null || v === undefined || v === false) continue;
        if (k === "text") node.textContent = String(v);
        else if (k === "class") node.className = v;
        else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
        else node.setAttribute(k, v === true ? "" : String(v));
      }
    }
    append(node, children);
    return node;
  }

  function append(node, c) {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) {
      for (const x of c) append(node, x);
      return;
    }
    node.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  /* An external link only for http(s) URLs; anything else stays text. */
  function externalLink(url, text) {
    let u = null;
    try {
      u = new URL(String(url));
    } catch (e) {
      u = null;
    }
    if (!u || (u.protocol !== "http:" && u.protocol !== "https:")) return h("span", { text: text || url });
    return h("a", { href: u.href, rel: "noopener noreferrer nofollow", text: text || url });
  }

  const isId = (v) => /^[1-9][0-9]{0,18}$/.test(String(v));
  const personHref = (id) => "#/person/" + encodeURIComponent(String(id));
  const articleHref = (id, quoteId) =>
    "#/article/" + encodeURIComponent(String(id)) + (quoteId ? "?quote=" + encodeURIComponent(String(quoteId)) : "");
  const searchHref = (q) => "#/search?q=" + encodeURIComponent(q);

  function plural(n, one, many) {
    return Number(n).toLocaleString("en") + " " + (Number(n) === 1 ? one : many || one + "s");
  }

  function announce(text) {
    statusRegion.textContent = "";
    window.setTimeout(() => {
      statusRegion.textContent = text;
    }, 30);
  }

  /* ---- the API ---- */

  class ApiError extends Error {
    constructor(status, problem, path) {
      const detail = problem && typeof problem.detail === "string" ? problem.detail : "";
      super(detail || "GET " + path + " answered " + status);
      this.status = status;
      this.problem = problem;
      this.path = path;
    }
  }

  async function api(path) {
    let r;
    try {
      r = await fetch(path, { headers: { Accept: "application/json" } });
    } catch (e) {
      throw new ApiError(0, { detail: "The server did not answer (" + e.message + ")." }, path);
    }
    const ct = r.headers.get("Content-Type") || "";
    let body = null;
    if (/json/.test(ct)) {
      try {
        body = await r.json();
      } catch (e) {
        body = null;
      }
    }
    if (!r.ok) throw new ApiError(r.status, body, path);
    return body;
  }

  /* ---- corrections: the API key (kept for this tab only) and writes ---- */

  const KEY_STORE = "quotewire-api-key";

  function apiKey() {
    try {
      return sessionStorage.getItem(KEY_STORE) || "";
    } catch (e) {
      return "";
    }
  }

  function setApiKey(k) {
    try {
      if (k) sessionStorage.setItem(KEY_STORE, k);
      else sessionStorage.removeItem(KEY_STORE);
    } catch (e) {
      /* storage refused (private mode): the key is asked again */
    }
  }

  async function apiWrite(method, path, body) {
    let r;
    try {
      r = await fetch(path, {
        method,
        headers: { Accept: "application/json", "Content-Type": "application/json", Authorization: "Bearer " + apiKey() },
        body: JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, { detail: "The server did not answer (" + e.message + ")." }, path);
    }
    let doc = null;
    try {
      doc = await r.json();
    } catch (e) {
      doc = null;
    }
    if (r.status === 401) setApiKey("");
    if (!r.ok) throw new ApiError(r.status, doc, path);
    return doc;
  }

  async function apiText(path) {
    const r = await fetch(path);
    if (!r.ok) throw new ApiError(r.status, null, path);
    return r.text();
  }

  /* Every page of a list (links.next), up to max items. */
  async function allPages(path, max) {
    const items = [];
    let next = path;
    while (next && items.length < (max || 5000)) {
      const page = await api(next);
      items.push(...(page.items || []));
      next = page.links && typeof page.links.next === "string" && page.links.next.startsWith("/") ? page.links.next : null;
    }
    return items;
  }

  /* A problem as a paragraph: a missing endpoint reads as what it is. */
  function errorBox(err, what) {
    if (err instanceof ApiError && err.status === 404 && err.problem && /No such resource/.test(err.problem.detail || ""))
      return h("p", { class: "note" }, (what || "This part") + " is not available on this server (", h("code", { text: "GET " + err.path.split("?")[0] }), " is not there).");
    return h("p", { class: "error", role: "alert" }, (what ? what + ": " : "") + err.message);
  }

  /* ---- search snippets: "<mark>" from the server, the rest escaped ---- */

  const ENTITIES = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#39;": "'" };

  function unescapeHtml(s) {
    return s.replace(/&(?:lt|gt|amp|quot|#39);/g, (m) => ENTITIES[m]);
  }

  function snippetNodes(s) {
    const out = [];
    let inMark = false;
    for (const part of String(s).split(/(<mark>|<\/mark>)/)) {
      if (part === "<mark>") inMark = true;
      else if (part === "</mark>") inMark = false;
      else if (part) out.push(inMark ? h("mark", null, unescapeHtml(part)) : unescapeHtml(part));
    }
    return out;
  }

  /* A quote is short: show all of it, with the words the snippet marked
   * (literal substrings of the text) marked wherever they occur.  Without
   * a snippet, or when its marks are not in the text, the snippet as it is. */
  function quoteTextNodes(q) {
    if (!q.snippet) return [q.text];
    const terms = [];
    String(q.snippet).replace(/<mark>(.*?)<\/mark>/g, (m, t) => {
      const u = unescapeHtml(t);
      if (u && !terms.includes(u)) terms.push(u);
      return m;
    });
    const text = String(q.text);
    if (!terms.length || !terms.every((t) => text.includes(t))) return snippetNodes(q.snippet);
    terms.sort((a, b) => b.length - a.length);
    const rx = new RegExp("(" + terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|") + ")");
    return text.split(rx).map((part, i) => (i % 2 ? h("mark", null, part) : part)).filter((x) => x !== "");
  }

  /* ---- pieces shared by pages ---- */

  function speakerNode(q) {
    let n;
    if (q.speaker_person_id && isId(q.speaker_person_id))
      n = h("a", { href: personHref(q.speaker_person_id), text: q.speaker || "person " + q.speaker_person_id });
    else if (q.speaker) n = h("span", { text: q.speaker });
    else n = h("span", { class: "muted", text: q.curated ? "no speaker" : "no speaker found" });
    if (!q.curated) return n;
    const said = q.extracted_speaker ? "the extractor said " + q.extracted_speaker : "the extractor named no speaker";
    return h("span", null, n, " ", h("span", { class: "chip-corrected", title: "Corrected by a user; " + said, text: "corrected" }));
  }

  /* The key form, or a note that writes use the key entered: pages that
   * offer corrections end with it. */
  function keySection(ctx, what) {
    const s = section(ctx.view, "Corrections");
    if (apiKey()) {
      s.append(
        h("p", { class: "muted", text: "You can " + what + " with the API key you entered (kept in this tab only)." }),
        h("button", { type: "button", class: "secondary", onclick: () => { setApiKey(""); render(); }, text: "Forget the key" })
      );
      return s;
    }
    const input = h("input", { id: "api-key", name: "key", type: "password", autocomplete: "off", required: true });
    const form = h("form", { class: "key-form" }, h("label", { for: "api-key", text: "API key " }), input, " ", h("button", { type: "submit", text: "Use the key" }));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const k = input.value.trim();
      if (!k) return;
      setApiKey(k);
      render();
    });
    s.append(h("p", { text: "To " + what + ", enter the server's API key." }), form);
    return s;
  }

  /* A quote's correction form: another speaker (one of the article's
   * people, a source typed in, or none) or rejected as no quotation. */
  function quoteEditor(q, people, onDone) {
    const sid = "speaker-" + q.id,
      tid = "source-" + q.id;
    const opts = [["", "choose…"]].concat(
      people.map((p) => ["p" + p.id, p.name]),
      [["none", "no speaker"]]
    );
    const sel = h("select", { id: sid, name: "speaker" }, opts.map((o) => h("option", { value: o[0], text: o[1] })));
    const src = h("input", { id: tid, name: "source", type: "text", maxlength: "200", placeholder: "e.g. the State Department" });
    const msg = h("p", { class: "form-error", role: "alert" });
    const send = async (body, done) => {
      msg.textContent = "";
      try {
        await apiWrite("PATCH", "/quotes/" + q.id, body);
      } catch (err) {
        msg.textContent = err.message;
        return;
      }
      announce(done);
      onDone();
    };
    const form = h(
      "form",
      { class: "quote-editor", "data-quote": String(q.id) },
      h("label", { for: sid, text: "Speaker " }),
      sel,
      " ",
      h("label", { for: tid, text: "or another source " }),
      src,
      " ",
      h("button", { type: "submit", text: "Save speaker" }),
      " ",
      h("button", { type: "button", class: "danger", text: "Not a quote: reject", onclick: () => send({ status: "rejected" }, "Quote rejected.") }),
      msg
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const t = src.value.trim();
      let body;
      if (t) body = { speaker: t };
      else if (sel.value.startsWith("p")) body = { speaker_person_id: Number(sel.value.slice(1)) };
      else if (sel.value === "none") body = { speaker: null };
      else {
        msg.textContent = "Choose a speaker or type another source.";
        return;
      }
      send(body, "Speaker corrected.");
    });
    return h("details", { class: "correct" }, h("summary", { text: "Correct" }), form);
  }

  function quoteItem(q, opts) {
    const o = opts || {};
    return [
      h("blockquote", { class: "quote" }, quoteTextNodes(q)),
      h(
        "p",
        { class: "meta" },
        o.noSpeaker ? null : h("span", null, "— ", speakerNode(q)),
        h("span", null, "in ", h("a", { href: articleHref(q.article_id, q.id), text: q.article_title || "article " + q.article_id })),
        q.published ? h("span", { text: q.published }) : null,
        q.kind === "partial" ? h("span", { text: "partial quote" }) : null,
        q.cluster_articles > 1 ? h("span", { text: "carried by " + plural(q.cluster_articles, "article") }) : null
      ),
    ];
  }

  function articleItem(a) {
    return [
      h("a", { href: articleHref(a.id), class: "title", text: a.title || "(untitled article " + a.id + ")" }),
      h(
        "p",
        { class: "meta" },
        a.source ? h("span", { text: a.source }) : null,
        a.section ? h("span", { text: a.section }) : null,
        a.published ? h("span", { text: a.published }) : null,
        h("span", { text: plural(a.quote_count || 0, "quote") })
      ),
      a.snippet ? h("p", { class: "snippet" }, snippetNodes(a.snippet)) : null,
    ];
  }

  function personItem(p) {
    return [
      h("a", { href: personHref(p.id), text: p.name }),
      h(
        "p",
        { class: "meta" },
        h("span", { text: plural(p.quote_count || 0, "quote") }),
        h("span", { text: plural(p.article_count || 0, "article") }),
        p.roles && p.roles.length ? h("span", { text: p.roles.join("; ") }) : null
      ),
    ];
  }

  function section(parent, title, opts) {
    const id = "sec-" + title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    const s = h("section", { "aria-labelledby": id, class: (opts && opts.class) || null }, h("h2", { id, text: title }));
    parent.appendChild(s);
    return s;
  }

  /* A list read page by page: a "More" button follows links.next. */
  function pagedList(ctx, parent, path, renderItem, noun) {
    const list = h("ol", { class: "plain results" });
    const info = h("p", { class: "muted" });
    const more = h("button", { type: "button", class: "secondary more", text: "More " + noun.many });
    more.hidden = true;
    parent.append(info, list, more);
    let next = path;
    let shown = 0;
    const load = async (isMore) => {
      more.disabled = true;
      try {
        const page = await api(next);
        if (!ctx.alive()) return;
        const items = page.items || [];
        let firstNew = null;
        for (const it of items) {
          const li = h("li", null, renderItem(it));
          if (!firstNew) firstNew = li;
          list.appendChild(li);
        }
        shown += items.length;
        next = page.links && typeof page.links.next === "string" && page.links.next.startsWith("/") ? page.links.next : null;
        more.hidden = !next;
        more.disabled = false;
        const total = typeof page.total === "number" ? page.total : null;
        info.textContent =
          shown === 0 ? "No " + noun.many + "."
          : !next ? plural(shown, noun.one, noun.many) + "."
          : total !== null ? "Showing " + shown.toLocaleString("en") + " of " + plural(total, noun.one, noun.many) + "."
          : "The first " + plural(shown, noun.one, noun.many) + ".";
        if (isMore) {
          announce(plural(items.length, "more " + noun.one, "more " + noun.many) + " loaded.");
          if (firstNew) {
            const focusable = firstNew.querySelector("a");
            if (focusable) focusable.focus();
          }
        }
      } catch (err) {
        if (!ctx.alive()) return;
        info.replaceWith(errorBox(err));
        more.hidden = true;
      }
    };
    more.addEventListener("click", () => ctx.track(load(true)));
    return ctx.track(load(false));
  }

  /* ---- charts (Chart.js from Debian's libjs-chart.js) ---- */

  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function makeChart(parent, label, config, tall) {
    if (typeof window.Chart !== "function") {
      parent.appendChild(h("p", { class: "note", text: "Charts need /ui/chart.js, which did not load; the data is in the table below." }));
      return null;
    }
    const canvas = h("canvas", { role: "img", "aria-label": label });
    parent.appendChild(h("div", { class: tall ? "chart tall" : "chart" }, canvas));
    const Chart = window.Chart;
    Chart.defaults.color = cssVar("--muted") || "#555";
    Chart.defaults.borderColor = cssVar("--line") || "#ddd";
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: reduceMotion ? false : { duration: 300 } }, config.options || {});
    const chart = new Chart(canvas, config);
    charts.push(chart);
    return chart;
  }

  function dataTable(caption, head, rows) {
    return h(
      "details",
      null,
      h("summary", { text: caption }),
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          null,
          h("thead", null, h("tr", null, head.map((c) => h("th", { scope: "col", class: c.num ? "num" : null, text: c.label })))),
          h("tbody", null, rows.map((r) => h("tr", null, r.map((cell, i) => h("td", { class: head[i].num ? "num" : null }, cell)))))
        )
      )
    );
  }

  function bucketLabel(bucket, interval) {
    const b = String(bucket);
    if (interval === "year") return b.slice(0, 4);
    if (interval === "month") return b.slice(0, 7);
    return b.slice(0, 10);
  }

  function select(label, name, options, value, onChange) {
    const id = "ctl-" + name;
    const s = h("select", { id, name }, options.map((o) => h("option", { value: o[0], selected: o[0] === value, text: o[1] })));
    s.addEventListener("change", () => onChange(s.value));
    return h("span", null, h("label", { for: id, text: label + " " }), s);
  }

  /* ---- pages ---- */

  function setTitle(ctx, text, sub) {
    const h1 = h("h1", { tabindex: "-1", text });
    ctx.view.appendChild(h1);
    if (sub) ctx.view.appendChild(sub);
    document.title = text + " — quotewire";
    ctx.heading = h1;
    return h1;
  }

  async function homePage(ctx) {
    setTitle(ctx, "Who said what, in which article");
    const lead = h("p", { class: "lead", text: "Search the quotes, or open a person or an article." });
    ctx.view.appendChild(lead);
    ctx.track(
      api("/health").then(
        (hl) => {
          if (ctx.alive())
            lead.textContent =
              "This archive holds " + plural(hl.articles, "article") + ", " + plural(hl.people, "person", "people") + " and " + plural(hl.quotes, "quote") + ". Search them above, or start here.";
        },
        () => {}
      )
    );
    const grid = h("div", { class: "grid2" });
    ctx.view.appendChild(grid);
    const s1 = section(grid, "Most quoted people");
    pagedList(ctx, s1, "/people?sort=-quotes&limit=10&count=exact", personItem, { one: "person", many: "people" });
    const s2 = section(grid, "Latest articles");
    pagedList(ctx, s2, "/articles?sort=-published&limit=10&count=exact", articleItem, { one: "article", many: "articles" });
  }

  const SYNTAX = [
    ["strike deadline", "both words"],
    ["strike OR mildew", "either word"],
    ["council -mildew", "council but not mildew"],
    ['"interest rates"', "the words in this order"],
    ["dockwork*", "words starting with dockwork"],
  ];

  async function searchPage(ctx) {
    const q = (ctx.params.get("q") || "").trim();
    searchInput.value = q;
    if (!q) {
      setTitle(ctx, "Search");
      ctx.view.appendChild(h("p", { text: "Type words in the search box above: quotes and articles are searched by their text, people by their names and aliases. Case and accents do not matter." }));
      ctx.view.appendChild(
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            null,
            h("caption", { class: "muted", text: "Search syntax" }),
            h("thead", null, h("tr", null, h("th", { scope: "col", text: "You write" }), h("th", { scope: "col", text: "Finds" }))),
            h("tbody", null, SYNTAX.map(([w, f]) => h("tr", null, h("td", null, h("a", { href: searchHref(w) }, h("code", { text: w }))), h("td", { text: f }))))
          )
        )
      );
      return;
    }
    setTitle(ctx, "Search: " + q);
    const enc = encodeURIComponent(q);
    const sq = section(ctx.view, "Quotes");
    pagedList(ctx, sq, "/quotes?q=" + enc + "&limit=20&count=exact", (it) => quoteItem(it), { one: "quote", many: "quotes" });
    const grid = h("div", { class: "grid2" });
    ctx.view.appendChild(grid);
    const sa = section(grid, "Articles");
    pagedList(ctx, sa, "/articles?q=" + enc + "&limit=10&count=exact", articleItem, { one: "article", many: "articles" });
    const sp = section(grid, "People");
    pagedList(ctx, sp, "/people?q=" + enc + "&limit=10&count=exact", personItem, { one: "person", many: "people" });
  }

  async function personPage(ctx) {
    const id = ctx.parts[1];
    if (!isId(id)) return notFound(ctx);
    let p;
    try {
      p = await api("/people/" + id);
    } catch (err) {
      if (!ctx.alive()) return;
      setTitle(ctx, err.status === 404 ? "No such person" : "Person " + id);
      ctx.view.appendChild(errorBox(err));
      return;
    }
    if (!ctx.alive()) return;
    setTitle(ctx, p.name);
    const facts = h(
      "dl",
      { class: "facts" },
      h("dt", { text: "Gender" }),
      h("dd", { text: p.gender || "not known" }),
      h("dt", { text: "Quoted" }),
      h("dd", { text: plural(p.quote_count || 0, "time") }),
      h("dt", { text: "Mentioned in" }),
      h("dd", { text: plural(p.article_count || 0, "article") }),
      h("dt", { text: "Roles" }),
      h("dd", null, p.roles && p.roles.length ? h("ul", { class: "chips roles" }, p.roles.map((r) => h("li", { text: r }))) : h("span", { class: "muted", text: "none given" })),
      h("dt", { text: "Also named" }),
      h("dd", null, p.aliases && p.aliases.length ? h("ul", { class: "chips aliases" }, p.aliases.map((a) => h("li", { text: a }))) : h("span", { class: "muted", text: "no other names" }))
    );
    ctx.view.appendChild(facts);

    const st = section(ctx.view, "Quotes over time");
    const timeline = h("div", { class: "timeline" });
    let interval = "month";
    st.append(
      h(
        "div",
        { class: "controls" },
        select("By", "interval", [["week", "week"], ["month", "month"], ["year", "year"]], interval, (v) => {
          interval = v;
          ctx.track(drawTimeline());
        })
      ),
      timeline
    );
    const drawTimeline = async () => {
      let ts;
      try {
        ts = await api("/stats/timeseries?metric=quotes&interval=" + interval + "&person=" + id);
      } catch (err) {
        if (!ctx.alive()) return;
        clear(timeline);
        timeline.appendChild(errorBox(err, "The timeline"));
        return;
      }
      if (!ctx.alive()) return;
      for (const c of charts.filter((c) => c.canvas && timeline.contains(c.canvas))) {
        c.destroy();
        charts = charts.filter((x) => x !== c);
      }
      clear(timeline);
      const series = ts.series || [];
      const undated = ts.undated ? " " + plural(ts.undated, "quote") + " in undated articles " + (ts.undated === 1 ? "is" : "are") + " not shown." : "";
      if (!series.length) {
        timeline.appendChild(h("p", { class: "note", text: "No dated quotes to chart." + undated }));
        return;
      }
      const total = series.reduce((s, r) => s + (r.count || 0), 0);
      timeline.appendChild(h("p", { class: "muted", text: plural(total, "quote") + " by " + interval + ", " + bucketLabel(ts.from, interval) + " to " + bucketLabel(ts.to, interval) + "." + undated }));
      const labels = series.map((r) => bucketLabel(r.bucket, interval));
      makeChart(timeline, "Quotes by " + p.name + " per " + interval, {
        type: "line",
        data: {
          labels,
          datasets: [{ label: "Quotes", data: series.map((r) => r.count), borderColor: cssVar("--series"), backgroundColor: cssVar("--series"), pointRadius: 4, tension: 0, fill: false }],
        },
        options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      });
      timeline.appendChild(dataTable("Data: quotes per " + interval, [{ label: interval }, { label: "quotes", num: true }], series.map((r, i) => [labels[i], String(r.count)])));
    };
    ctx.track(drawTimeline());

    const sq = section(ctx.view, "Quotes");
    pagedList(ctx, sq, "/people/" + id + "/quotes?limit=20&count=exact", (q) => quoteItem(q, { noSpeaker: true }), { one: "quote", many: "quotes" });

    const grid = h("div", { class: "grid2" });
    ctx.view.appendChild(grid);
    const sc = section(grid, "Mentioned with");
    const co = h("div", { class: "co-mentions" });
    sc.appendChild(co);
    ctx.track(
      api("/people/" + id + "/co-mentions?limit=20").then(
        (r) => {
          if (!ctx.alive()) return;
          const items = r.items || [];
          if (!items.length) {
            co.appendChild(h("p", { class: "muted", text: "No one else is mentioned in " + (p.article_count === 1 ? "this article" : "these articles") + "." }));
            return;
          }
          co.appendChild(
            h(
              "ol",
              { class: "plain results" },
              items.map((c) =>
                h(
                  "li",
                  null,
                  h("a", { href: personHref(c.id), text: c.name }),
                  h("p", { class: "meta" }, h("span", { text: "together in " + plural(c.articles || 0, "article") }), h("span", { text: plural(c.quotes || 0, "quote") }), c.gender ? h("span", { text: c.gender }) : null)
                )
              )
            )
          );
        },
        (err) => {
          if (ctx.alive()) co.appendChild(errorBox(err, "Co-mentioned people"));
        }
      )
    );
    const sa = section(grid, "Articles");
    pagedList(ctx, sa, "/people/" + id + "/articles?limit=10&count=exact", articleItem, { one: "article", many: "articles" });
    const sk = keySection(ctx, "correct this person or merge them with another");
    if (apiKey()) personEditors(sk, p);
  }

  /* Name and gender, and a merge into another person found by name. */
  function personEditors(parent, p) {
    const msg = h("p", { class: "form-error", role: "alert" });
    const name = h("input", { id: "person-name", name: "name", type: "text", maxlength: "200", value: p.name, required: true });
    const gender = h(
      "select",
      { id: "person-gender", name: "gender" },
      [["male", "male"], ["female", "female"], ["unknown", "not known"]].map((o) => h("option", { value: o[0], selected: (p.gender || "unknown") === o[0], text: o[1] }))
    );
    const edit = h(
      "form",
      { class: "person-editor" },
      h("label", { for: "person-name", text: "Name " }),
      name,
      " ",
      h("label", { for: "person-gender", text: "Gender " }),
      gender,
      " ",
      h("button", { type: "submit", text: "Save" })
    );
    edit.addEventListener("submit", async (e) => {
      e.preventDefault();
      msg.textContent = "";
      const body = {};
      if (name.value.trim() !== p.name) body.name = name.value.trim();
      if (gender.value !== (p.gender || "unknown")) body.gender = gender.value;
      if (!Object.keys(body).length) {
        msg.textContent = "Nothing changed.";
        return;
      }
      try {
        await apiWrite("PATCH", "/people/" + p.id, body);
      } catch (err) {
        msg.textContent = err.message;
        return;
      }
      announce("Person corrected.");
      render();
    });

    const find = h("input", { id: "merge-find", name: "merge", type: "search", placeholder: "a name" });
    const found = h("ul", { class: "plain merge-candidates" });
    const merge = h("form", { class: "merge-form" }, h("label", { for: "merge-find", text: "Merge into another person: " }), find, " ", h("button", { type: "submit", text: "Find" }));
    merge.addEventListener("submit", async (e) => {
      e.preventDefault();
      msg.textContent = "";
      clear(found);
      const q = find.value.trim();
      if (!q) return;
      let r;
      try {
        r = await api("/people?q=" + encodeURIComponent(q) + "&limit=10");
      } catch (err) {
        msg.textContent = err.message;
        return;
      }
      const others = (r.items || []).filter((o) => o.id !== p.id);
      if (!others.length) found.appendChild(h("li", { class: "muted", text: "No one else is called that." }));
      for (const o of others)
        found.appendChild(
          h(
            "li",
            null,
            h("a", { href: personHref(o.id), text: o.name }),
            " ",
            h("span", { class: "muted", text: plural(o.quote_count || 0, "quote") }),
            " ",
            h("button", {
              type: "button",
              "data-into": String(o.id),
              text: "Merge " + p.name + " into " + o.name,
              onclick: async () => {
                try {
                  await apiWrite("POST", "/people/" + p.id + "/merge", { into: o.id });
                } catch (err) {
                  msg.textContent = err.message;
                  return;
                }
                announce(p.name + " merged into " + o.name + ".");
                location.hash = personHref(o.id);
              },
            })
          )
        );
    });
    parent.append(edit, merge, found, msg);
  }

  /* The article's text from byte `from` on, each quote's span (byte
   * offsets into the UTF-8 text) in a <mark> followed by its speaker. */
  function highlightedText(text, quotes, from) {
    const bytes = new TextEncoder().encode(text);
    const dec = new TextDecoder("utf-8");
    const slice = (a, b) => dec.decode(bytes.subarray(a, b));
    const box = h("div", { class: "article-text" });
    const sorted = quotes
      .filter((q) => Number.isInteger(q.start) && Number.isInteger(q.end) && q.start >= 0 && q.end > q.start && q.end <= bytes.length)
      .sort((a, b) => a.start - b.start || a.end - b.end);
    let pos = from;
    let shown = 0;
    for (const q of sorted) {
      if (q.start < pos) continue; /* overlaps the previous one: listed in the table only */
      if (q.start > pos) box.appendChild(document.createTextNode(slice(pos, q.start)));
      const who = q.speaker || "no speaker found";
      const conf = typeof q.confidence === "number" ? ", confidence " + q.confidence.toFixed(2) : "";
      box.appendChild(
        h("mark", { class: "quote", id: "quote-" + q.id, "data-quote-id": q.id, "data-start": q.start, "data-end": q.end, tabindex: "-1", title: who + " (" + q.kind + " quote" + conf + ")" }, slice(q.start, q.end))
      );
      if (q.speaker_person_id && isId(q.speaker_person_id))
        box.appendChild(h("a", { class: "speaker", href: personHref(q.speaker_person_id), "data-quote-id": q.id, text: q.speaker || "speaker" }));
      else if (q.speaker) box.appendChild(h("span", { class: "speaker", "data-quote-id": q.id, text: q.speaker }));
      pos = q.end;
      shown++;
    }
    box.appendChild(document.createTextNode(slice(pos, bytes.length)));
    box.normalize();
    box.dataset.quotes = String(shown);
    return box;
  }

  async function articlePage(ctx) {
    const id = ctx.parts[1];
    if (!isId(id)) return notFound(ctx);
    let a, quotes, people;
    try {
      [a, quotes, people] = await Promise.all([api("/articles/" + id), allPages("/articles/" + id + "/quotes?limit=1000"), allPages("/articles/" + id + "/people?limit=1000")]);
    } catch (err) {
      if (!ctx.alive()) return;
      setTitle(ctx, err.status === 404 ? "No such article" : "Article " + id);
      ctx.view.appendChild(errorBox(err));
      return;
    }
    if (!ctx.alive()) return;
    setTitle(ctx, a.title || "Untitled article " + a.id);
    ctx.view.appendChild(
      h(
        "p",
        { class: "meta" },
        a.source ? h("span", { text: a.source }) : null,
        a.published ? h("span", { text: a.published }) : h("span", { text: "no date" }),
        a.dateline ? h("span", { text: "dateline " + a.dateline }) : null,
        a.section ? h("span", { text: "section " + a.section }) : null,
        a.author ? h("span", { text: "by " + a.author }) : null,
        a.url ? h("span", null, externalLink(a.url, "original")) : null,
        a.image_credit ? h("span", { text: "image: " + a.image_credit }) : null
      )
    );
    const speakers = new Set(quotes.map((q) => q.speaker).filter(Boolean));
    ctx.view.appendChild(h("p", { class: "muted", text: plural(quotes.length, "quote") + " from " + plural(speakers.size, "speaker") + "; " + plural(people.length, "person", "people") + " mentioned." }));

    const text = typeof a.text === "string" ? a.text : "";
    let from = Number.isInteger(a.body_start) ? a.body_start : 0;
    for (const q of quotes) if (Number.isInteger(q.start) && q.start < from) from = 0;
    const st = section(ctx.view, "Text", { class: "article-body" });
    st.querySelector("h2").className = "visually-hidden";
    st.appendChild(highlightedText(text, quotes, from));

    const editing = !!apiKey();
    const sq = section(ctx.view, "Quotes");
    if (!quotes.length) sq.appendChild(h("p", { class: "muted", text: "No quotes were found in this article." }));
    else
      sq.appendChild(
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "quotes-table" },
            h("thead", null, h("tr", null, ["Quote", "Speaker", "Kind", "Confidence"].concat(editing ? ["Correction"] : []).map((c, i) => h("th", { scope: "col", class: i === 3 ? "num" : null, text: c })))),
            h(
              "tbody",
              null,
              quotes.map((q) =>
                h(
                  "tr",
                  null,
                  h("td", null, h("a", { href: articleHref(a.id, q.id), "aria-label": "Show in the text: " + q.text }, q.text.length > 90 ? q.text.slice(0, 88) + "…" : q.text)),
                  h("td", null, speakerNode(q)),
                  h("td", { text: q.kind }),
                  h("td", { class: "num", text: typeof q.confidence === "number" ? q.confidence.toFixed(2) : "" }),
                  editing ? h("td", null, quoteEditor(q, people, render)) : null
                )
              )
            )
          )
        )
      );

    const sp = section(ctx.view, "People mentioned");
    if (!people.length) sp.appendChild(h("p", { class: "muted", text: "No people were found in this article." }));
    else
      sp.appendChild(
        h(
          "ul",
          { class: "chips people" },
          people.map((p) => h("li", null, h("a", { href: personHref(p.id), text: p.name }), " ", h("span", { class: "muted", text: "×" + ((p.mentions && p.mentions.length) || 0) })))
        )
      );
    keySection(ctx, "correct a quote's speaker or reject a false quote");

    const want = ctx.params.get("quote");
    if (want && isId(want)) {
      const m = document.getElementById("quote-" + want);
      if (m) {
        m.classList.add("current");
        ctx.focusTarget = m;
      }
    }
  }

  /* A correction's value (a JSON value from the trail) as a short text. */
  function correctionValue(field, v) {
    if (v === null || v === undefined) return field === "gender" ? "not known" : "none";
    if (typeof v === "string") return v;
    if (field === "speaker") return v.speaker === null || v.speaker === undefined ? "no speaker" : v.speaker;
    if (field === "merge") return v.name + (v.into ? " (" + v.into + ")" : v.id ? " (" + v.id + ")" : "");
    return JSON.stringify(v);
  }

  /* The audit trail: every correction, newest first; orphaned ones apart. */
  async function correctionsPage(ctx) {
    const orphaned = ctx.params.get("orphaned") === "true";
    setTitle(ctx, orphaned ? "Orphaned corrections" : "Corrections");
    ctx.view.appendChild(
      h(
        "p",
        { class: "muted" },
        orphaned
          ? "Corrections whose quote the article's extraction no longer finds (after a re-extraction with another extractor). Correct the quote it finds now. "
          : "What users changed: speakers, kinds and rejected quotes, names, genders and merges, kept across re-extraction and re-loading. ",
        h("a", { href: orphaned ? "#/corrections" : "#/corrections?orphaned=true", text: orphaned ? "All corrections" : "Orphaned ones only" })
      )
    );
    let r;
    try {
      r = await api("/corrections?sort=-id&limit=100" + (orphaned ? "&orphaned=true" : ""));
    } catch (err) {
      if (ctx.alive()) ctx.view.appendChild(errorBox(err));
      return;
    }
    if (!ctx.alive()) return;
    const items = r.items || [];
    if (!items.length) {
      ctx.view.appendChild(h("p", { class: "muted", text: orphaned ? "No correction is orphaned." : "No corrections yet." }));
      return;
    }
    const target = (c) => {
      if (c.target === "quote")
        return c.article_id && c.state !== "orphaned" ? h("a", { href: articleHref(c.article_id), text: "quote " + c.target_id }) : h("span", { text: "quote " + c.target_id });
      return c.field === "merge" ? h("span", { text: "person " + c.target_id }) : h("a", { href: personHref(c.target_id), text: "person " + c.target_id });
    };
    ctx.view.appendChild(
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "corrections-table" },
          h("thead", null, h("tr", null, ["When (UTC)", "Who", "What", "Change", "Before", "After", "State"].map((c) => h("th", { scope: "col", text: c })))),
          h(
            "tbody",
            null,
            items.map((c) =>
              h(
                "tr",
                { "data-correction": String(c.id) },
                h("td", { text: (c.at || "").replace("T", " ").replace("Z", "") }),
                h("td", { text: c.actor }),
                h("td", null, target(c)),
                h("td", { text: c.field }),
                h("td", { text: correctionValue(c.field, c.before) }),
                h("td", { text: correctionValue(c.field, c.after) }),
                h("td", { text: c.state })
              )
            )
          )
        )
      )
    );
    if (r.next) ctx.view.appendChild(h("p", { class: "muted", text: "The latest 100; the API lists all (GET /corrections)." }));
  }

  async function chartsPage(ctx) {
    setTitle(ctx, "Charts");

    const s1 = section(ctx.view, "Most quoted people");
    const topBox = h("div");
    let metric = "quotes";
    s1.append(
      h(
        "div",
        { class: "controls" },
        select("Count", "metric", [["quotes", "quotes"], ["mentions", "mentions"], ["articles", "articles"]], metric, (v) => {
          metric = v;
          ctx.track(drawTop());
        })
      ),
      topBox
    );
    const drawTop = async () => {
      let top;
      try {
        top = await api("/stats/top?of=people&metric=" + metric + "&limit=10");
      } catch (err) {
        if (!ctx.alive()) return;
        clearCharts(topBox);
        topBox.appendChild(errorBox(err, "The top people chart"));
        return;
      }
      if (!ctx.alive()) return;
      clearCharts(topBox);
      const items = top.items || [];
      if (!items.length) {
        topBox.appendChild(h("p", { class: "muted", text: "Nobody to rank yet." }));
        return;
      }
      const chart = makeChart(
        topBox,
        "The " + items.length + " people with the most " + metric,
        {
          type: "bar",
          data: { labels: items.map((i) => i.name), datasets: [{ label: metric, data: items.map((i) => i.count), backgroundColor: cssVar("--series") }] },
          options: {
            indexAxis: "y",
            plugins: { legend: { display: false } },
            scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
            onClick: (evt, els) => {
              if (els && els.length && isId(items[els[0].index].id)) location.hash = personHref(items[els[0].index].id);
            },
          },
        },
        true
      );
      if (chart) chart.canvas.dataset.chart = "top";
      topBox.appendChild(
        dataTable(
          "Data: people by " + metric,
          [{ label: "rank", num: true }, { label: "person" }, { label: metric, num: true }],
          items.map((i) => [String(i.rank), isId(i.id) ? h("a", { href: personHref(i.id), text: i.name }) : i.name, String(i.count)])
        )
      );
    };

    const s2 = section(ctx.view, "Gender balance of quoted people");
    s2.appendChild(h("p", { class: "muted", text: "Quotes by the gender of their speaker, where the text tells it (titles, pronouns); unknown otherwise." }));
    const genderBox = h("div");
    let interval = "year";
    s2.append(
      h(
        "div",
        { class: "controls" },
        select("By", "gender-interval", [["month", "month"], ["year", "year"]], interval, (v) => {
          interval = v;
          ctx.track(drawGender());
        })
      ),
      genderBox
    );
    const drawGender = async () => {
      let g;
      try {
        g = await api("/stats/gender?interval=" + interval);
      } catch (err) {
        if (!ctx.alive()) return;
        clearCharts(genderBox);
        genderBox.appendChild(errorBox(err, "The gender chart"));
        return;
      }
      if (!ctx.alive()) return;
      clearCharts(genderBox);
      const series = g.series || [];
      if (!series.length) {
        genderBox.appendChild(h("p", { class: "muted", text: "No dated quotes to chart." }));
        return;
      }
      const labels = series.map((r) => bucketLabel(r.bucket, interval));
      const ds = (key, label, color) => ({ label, data: series.map((r) => r[key] || 0), backgroundColor: cssVar(color), stack: "g", maxBarThickness: 96 });
      const chart = makeChart(genderBox, "Quotes per " + interval + " by the speaker's gender", {
        type: "bar",
        data: { labels, datasets: [ds("female", "female", "--female"), ds("male", "male", "--male"), ds("unknown", "unknown", "--unknown")] },
        options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
      });
      if (chart) chart.canvas.dataset.chart = "gender";
      const pct = (v) => (typeof v === "number" ? Math.round(v * 100) + "%" : "–");
      genderBox.appendChild(
        dataTable(
          "Data: quotes per " + interval + " by gender",
          [{ label: interval }, { label: "female", num: true }, { label: "male", num: true }, { label: "unknown", num: true }, { label: "total", num: true }, { label: "female share", num: true }],
          series.map((r, i) => [labels[i], String(r.female), String(r.male), String(r.unknown), String(r.total), pct(r.share_female)])
        )
      );
    };
    ctx.track(drawTop());
    ctx.track(drawGender());
  }

  function clearCharts(box) {
    for (const c of charts.filter((c) => c.canvas && box.contains(c.canvas))) c.destroy();
    charts = charts.filter((c) => c.canvas && !box.contains(c.canvas));
    clear(box);
  }

  /* ---- the API reference, from /openapi.yaml ---- */

  function refTarget(spec, ref) {
    if (typeof ref !== "string" || !ref.startsWith("#/")) return null;
    let node = spec;
    for (const part of ref.slice(2).split("/")) {
      const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
      if (!node || typeof node !== "object" || !Object.prototype.hasOwnProperty.call(node, key)) return null;
      node = node[key];
    }
    return node;
  }

  function resolve(spec, node) {
    for (let i = 0; node && typeof node === "object" && node.$ref && i < 20; i++) node = refTarget(spec, node.$ref);
    return node || {};
  }

  /* Markdown as the spec writes it: paragraphs, "* " lists, `code`. */
  function prose(text) {
    const box = h("div", { class: "prose" });
    if (!text) return box;
    const inline = (s) => String(s).split(/(`[^`]*`)/).map((part) => (part.length > 1 && part[0] === "`" && part[part.length - 1] === "`" ? h("code", { text: part.slice(1, -1) }) : part));
    for (const block of String(text).split(/\n\s*\n/)) {
      const lines = block.split("\n");
      if (/^\s*[*-] /.test(lines[0])) {
        const items = [];
        for (const l of lines) {
          if (/^\s*[*-] /.test(l)) items.push([l.replace(/^\s*[*-] /, "")]);
          else items[items.length - 1].push(l.trim());
        }
        box.appendChild(h("ul", null, items.map((words) => h("li", null, inline(words.join(" "))))));
      } else if (block.trim()) box.appendChild(h("p", null, inline(lines.map((l) => l.trim()).join(" "))));
    }
    return box;
  }

  function schemaText(spec, s) {
    if (!s || typeof s !== "object") return "";
    if (s.$ref) return String(s.$ref).split("/").pop();
    if (s.oneOf || s.anyOf) return (s.oneOf || s.anyOf).map((x) => schemaText(spec, x)).join(" or ");
    if ("const" in s) return JSON.stringify(s.const);
    let t = Array.isArray(s.type) ? s.type.join(" or ") : s.type || "";
    if (t === "array" && s.items) t = "array of " + schemaText(spec, s.items);
    if (s.format) t += " (" + s.format + ")";
    const extra = [];
    if (s.enum) extra.push("one of " + s.enum.map((e) => String(e)).join(", "));
    if ("minimum" in s) extra.push("≥ " + s.minimum);
    if ("maximum" in s) extra.push("≤ " + s.maximum);
    if ("default" in s) extra.push("default " + JSON.stringify(s.default));
    if (s.pattern) extra.push("pattern " + s.pattern);
    return [t, extra.join("; ")].filter(Boolean).join(", ");
  }

  const METHODS = ["get", "post", "put", "patch", "delete", "head", "options"];

  function opBlock(spec, path, method, op, pathParams) {
    const box = h("details", { class: "op", "data-method": method.toUpperCase(), "data-path": path });
    box.appendChild(h("summary", null, h("span", { class: "method " + method, text: method.toUpperCase() }), h("code", { text: path }), op.summary ? " — " + op.summary : ""));
    if (op.description) box.appendChild(prose(op.description));
    const params = [...(pathParams || []), ...(op.parameters || [])].map((p) => resolve(spec, p));
    if (params.length) {
      box.appendChild(h("h4", { text: "Parameters" }));
      box.appendChild(
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "params" },
            h("thead", null, h("tr", null, ["Name", "In", "Schema", "Description"].map((c) => h("th", { scope: "col", text: c })))),
            h(
              "tbody",
              null,
              params.map((p) =>
                h(
                  "tr",
                  null,
                  h("td", null, h("code", { text: p.name }), p.required ? h("span", { class: "pill", text: "required" }) : null),
                  h("td", { text: p.in }),
                  h("td", { text: schemaText(spec, resolve(spec, p.schema)) }),
                  h("td", null, prose(p.description))
                )
              )
            )
          )
        )
      );
    }
    if (op.requestBody) {
      const rb = resolve(spec, op.requestBody);
      box.appendChild(h("h4", { text: "Request body" + (rb.required ? " (required)" : "") }));
      if (rb.description) box.appendChild(prose(rb.description));
      box.appendChild(h("ul", null, Object.entries(rb.content || {}).map(([ct, c]) => h("li", null, h("code", { text: ct }), c && c.schema ? " — " + schemaText(spec, c.schema) : ""))));
    }
    const responses = Object.entries(op.responses || {});
    if (responses.length) {
      box.appendChild(h("h4", { text: "Responses" }));
      box.appendChild(
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "responses" },
            h("thead", null, h("tr", null, ["Status", "Description", "Content", "Headers"].map((c) => h("th", { scope: "col", text: c })))),
            h(
              "tbody",
              null,
              responses.map(([status, r0]) => {
                const r = resolve(spec, r0);
                const content = Object.entries(r.content || {});
                return h(
                  "tr",
                  { "data-status": status },
                  h("td", null, h("code", { text: status })),
                  h("td", null, prose(r.description)),
                  h("td", null, content.map(([ct, c]) => h("div", null, h("code", { text: ct }), c && c.schema ? " " + schemaText(spec, c.schema) : ""))),
                  h("td", null, Object.keys(r.headers || {}).map((name) => h("div", null, h("code", { text: name }))))
                );
              })
            )
          )
        )
      );
    }
    return box;
  }

  async function apiPage(ctx) {
    setTitle(ctx, "API reference");
    let spec = specCache;
    if (!spec) {
      try {
        const text = await apiText("/openapi.yaml");
        spec = window.QWYaml.parse(text);
        specCache = spec;
      } catch (err) {
        if (!ctx.alive()) return;
        ctx.view.appendChild(h("p", { class: "error", role: "alert", text: "Could not read /openapi.yaml: " + err.message }));
        return;
      }
    }
    if (!ctx.alive()) return;
    const info = spec.info || {};
    ctx.view.appendChild(
      h("p", { class: "lead" }, (info.title || "API") + " " + (info.version || "") + (info.summary ? " — " + info.summary : ""), " Read from ", h("a", { href: "/openapi.yaml", text: "/openapi.yaml" }), ", which the server serves as it is (OpenAPI " + (spec.openapi || "?") + ").")
    );
    if (info.description) ctx.view.appendChild(h("details", { class: "conventions" }, h("summary", { text: "Conventions for every operation" }), prose(info.description)));
    const paths = Object.entries(spec.paths || {});
    const toc = section(ctx.view, "Paths");
    toc.appendChild(
      h(
        "ol",
        { class: "toc" },
        paths.map(([p, item]) =>
          h("li", null, h("a", { href: "#/api?path=" + encodeURIComponent(p) }, h("code", { text: p })), " ", h("span", { class: "muted", text: METHODS.filter((m) => item[m]).map((m) => m.toUpperCase()).join(" ") }))
        )
      )
    );
    const operations = section(ctx.view, "Operations");
    operations.appendChild(
      h(
        "p",
        { class: "controls" },
        h("span", { class: "muted", text: "Each operation opens to show its parameters and responses." }),
        h("button", { type: "button", class: "secondary", text: "Open all", onclick: () => ctx.view.querySelectorAll("details.op").forEach((d) => (d.open = true)) }),
        h("button", { type: "button", class: "secondary", text: "Close all", onclick: () => ctx.view.querySelectorAll("details.op").forEach((d) => (d.open = false)) })
      )
    );
    for (const [p, item] of paths) {
      const s = h("section", { class: "path", "data-path": p }, h("h3", { class: "path-title", tabindex: "-1" }, h("code", { text: p })));
      for (const m of METHODS) if (item[m]) s.appendChild(opBlock(spec, p, m, item[m], item.parameters));
      operations.appendChild(s);
    }
    const schemas = Object.entries((spec.components && spec.components.schemas) || {});
    if (schemas.length) {
      const ss = section(ctx.view, "Schemas");
      for (const [name, s0] of schemas) {
        const s = resolve(spec, s0);
        const req = new Set(s.required || []);
        const props = Object.entries(s.properties || {});
        ss.appendChild(
          h(
            "details",
            { class: "schema", "data-schema": name },
            h("summary", null, h("code", { text: name }), " ", h("span", { class: "muted", text: schemaText(spec, Object.assign({}, s, { enum: undefined })) })),
            s.description ? prose(s.description) : null,
            props.length
              ? h(
                  "div",
                  { class: "table-wrap" },
                  h(
                    "table",
                    null,
                    h("thead", null, h("tr", null, ["Property", "Schema", "Description"].map((c) => h("th", { scope: "col", text: c })))),
                    h(
                      "tbody",
                      null,
                      props.map(([pn, ps]) => h("tr", null, h("td", null, h("code", { text: pn }), req.has(pn) ? h("span", { class: "pill", text: "required" }) : null), h("td", { text: schemaText(spec, ps) }), h("td", null, prose(resolve(spec, ps).description))))
                    )
                  )
                )
              : null
          )
        );
      }
    }
    const want = ctx.params.get("path");
    if (want) {
      const target = [...ctx.view.querySelectorAll("section.path")].find((s) => s.dataset.path === want);
      if (target) {
        for (const d of target.querySelectorAll("details.op")) d.open = true;
        ctx.focusTarget = target.querySelector("h3");
      }
    }
  }

  function notFound(ctx) {
    setTitle(ctx, "Not found");
    ctx.view.appendChild(h("p", null, "There is no such page in the explorer. ", h("a", { href: "#/", text: "Go to the start" }), "."));
  }

  /* ---- router ---- */

  const ROUTES = { "": homePage, search: searchPage, person: personPage, article: articlePage, charts: chartsPage, corrections: correctionsPage, api: apiPage };

  function parseHash() {
    const raw = location.hash.replace(/^#\/?/, "");
    const qi = raw.indexOf("?");
    const path = qi < 0 ? raw : raw.slice(0, qi);
    let parts;
    try {
      parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    } catch (e) {
      parts = ["\u0000"];
    }
    return { parts, params: new URLSearchParams(qi < 0 ? "" : raw.slice(qi + 1)) };
  }

  function render() {
    const seq = ++renderSeq;
    for (const c of charts) c.destroy();
    charts = [];
    const { parts, params } = parseHash();
    const name = parts[0] || "";
    const page = Object.prototype.hasOwnProperty.call(ROUTES, name) ? ROUTES[name] : null;
    const view = h("div", { class: "view", "data-page": page ? name || "home" : "not-found" });
    clear(main);
    main.appendChild(view);
    main.setAttribute("aria-busy", "true");
    for (const a of document.querySelectorAll("[data-nav]")) {
      if (a.dataset.nav === name) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    if (name !== "search") searchInput.value = "";
    const pending = [];
    const ctx = {
      view,
      parts,
      params,
      heading: null,
      focusTarget: null,
      alive: () => seq === renderSeq,
      track(p) {
        pending.push(Promise.resolve(p).catch(() => {}));
        return p;
      },
    };
    const wasFirst = firstRender;
    firstRender = false;
    ctx.track((page || notFound)(ctx));
    /* wait for everything the page started, including what it started
     * while loading, then tell the tests and move the focus */
    const settle = async () => {
      let n = 0;
      while (n < pending.length) {
        n = pending.length;
        await Promise.all(pending.slice());
      }
      if (!ctx.alive()) return;
      main.setAttribute("aria-busy", "false");
      const target = ctx.focusTarget || (wasFirst ? null : ctx.heading);
      if (target) {
        if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
        target.focus({ preventScroll: true });
        target.scrollIntoView({ block: ctx.focusTarget ? "center" : "start", behavior: reduceMotion ? "auto" : "smooth" });
      } else if (!wasFirst) window.scrollTo(0, 0);
    };
    settle();
  }

  searchForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = searchInput.value.trim();
    const target = q ? searchHref(q) : "#/search";
    if (location.hash === target) render();
    else location.hash = target;
  });

  /* The skip link's "#main" would be a route: move the focus instead. */
  document.getElementById("skip").addEventListener("click", (e) => {
    e.preventDefault();
    const h1 = main.querySelector("h1");
    (h1 || main).focus();
  });

  window.addEventListener("hashchange", render);
  render();
})();
