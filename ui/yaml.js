/* A reader for the YAML that openapi.yaml is written in, so that the
 * explorer's API reference can be built from the spec the server serves
 * (no library at run time).  It reads block mappings and sequences
 * ("- key: value" included), flow collections over one or more lines
 * ({$ref: '#/x'}, [a, b]), plain, 'single' and "double" quoted scalars,
 * literal and folded block scalars (|, |-, |+, >, >-, >+, with an
 * indentation digit), and comments.  Plain scalars resolve as in YAML
 * 1.2's core schema: null, ~, true, false, integers and floats; the rest
 * are strings.  Anchors, aliases, tags and several documents are not read:
 * they are an error, never a silent wrong answer.
 *
 *   QWYaml.parse(text) -> the value; throws QWYaml.YamlError with a line.
 *
 * Loaded by the page as a classic script (window.QWYaml) and by the tests
 * under Node (module.exports). */
(function (root) {
  "use strict";

  function YamlError(message, line) {
    this.name = "YamlError";
    this.line = line;
    this.message = "line " + line + ": " + message;
  }
  YamlError.prototype = Object.create(Error.prototype);
  YamlError.prototype.constructor = YamlError;

  /* Plain scalars, YAML 1.2 core schema. */
  function resolvePlain(s) {
    if (s === "" || s === "~" || /^(null|Null|NULL)$/.test(s)) return null;
    if (/^(true|True|TRUE)$/.test(s)) return true;
    if (/^(false|False|FALSE)$/.test(s)) return false;
    if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
    if (/^0o[0-7]+$/.test(s)) return parseInt(s.slice(2), 8);
    if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
    if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(s)) return parseFloat(s);
    if (/^[-+]?\.(inf|Inf|INF)$/.test(s)) return s[0] === "-" ? -Infinity : Infinity;
    if (/^\.(nan|NaN|NAN)$/.test(s)) return NaN;
    return s;
  }

  var ESCAPES = { "0": "\0", a: "\x07", b: "\b", t: "\t", "\t": "\t", n: "\n", v: "\x0b",
    f: "\f", r: "\r", e: "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", N: "\x85",
    _: "\xa0", L: "\u2028", P: "\u2029" };

  /* s[pos] is the opening quote.  Returns {value, end} (end: after the
   * closing quote), or null when the quote does not close in s. */
  function readQuoted(s, pos, line) {
    var q = s[pos], out = "", k = pos + 1;
    while (k < s.length) {
      var c = s[k];
      if (q === "'") {
        if (c === "'") {
          if (s[k + 1] === "'") { out += "'"; k += 2; continue; }
          return { value: out, end: k + 1 };
        }
        out += c; k++;
        continue;
      }
      if (c === '"') return { value: out, end: k + 1 };
      if (c === "\\") {
        var e = s[k + 1];
        if (e === "x" || e === "u" || e === "U") {
          var n = e === "x" ? 2 : e === "u" ? 4 : 8, hex = s.substr(k + 2, n);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n)
            throw new YamlError("bad escape \\" + e + hex, line);
          out += String.fromCodePoint(parseInt(hex, 16));
          k += 2 + n;
          continue;
        }
        if (!(e in ESCAPES)) throw new YamlError("bad escape \\" + e, line);
        out += ESCAPES[e];
        k += 2;
        continue;
      }
      out += c; k++;
    }
    return null;
  }

  /* Quoted scalars may run over several lines: each line break with the
   * spaces around it folds into one space (an empty line into "\n"). */
  function foldQuotedLines(text) {
    return text.replace(/[ \t]*\n([ \t]*\n)*[ \t]*/g, function (m) {
      var breaks = (m.match(/\n/g) || []).length;
      return breaks === 1 ? " " : new Array(breaks).join("\n");
    });
  }

  /* A flow collection or scalar: s is the whole text (lines joined). */
  function parseFlow(s, line) {
    var pos = 0;
    function ws() { while (pos < s.length && /\s/.test(s[pos])) pos++; }
    function plain(stops) {
      var start = pos;
      while (pos < s.length) {
        var c = s[pos];
        if (stops.indexOf(c) >= 0) break;
        if (c === ":" && (pos + 1 >= s.length || /[\s,\[\]{}]/.test(s[pos + 1]))) break;
        if (c === "#" && pos > start && /\s/.test(s[pos - 1])) throw new YamlError("comment inside a flow collection", line);
        pos++;
      }
      return s.slice(start, pos).trim().replace(/\s+/g, " ");
    }
    function value(inFlow) {
      ws();
      var c = s[pos];
      if (c === "[") {
        pos++;
        var arr = [];
        for (;;) {
          ws();
          if (s[pos] === "]") { pos++; return arr; }
          arr.push(value(true));
          ws();
          if (s[pos] === ",") { pos++; continue; }
          if (s[pos] === "]") { pos++; return arr; }
          throw new YamlError("expected , or ] in a flow sequence", line);
        }
      }
      if (c === "{") {
        pos++;
        var obj = {};
        for (;;) {
          ws();
          if (s[pos] === "}") { pos++; return obj; }
          var key = value(true);
          ws();
          var v = null;
          if (s[pos] === ":") { pos++; ws(); v = s[pos] === "," || s[pos] === "}" ? null : value(true); ws(); }
          obj[String(key)] = v;
          if (s[pos] === ",") { pos++; continue; }
          if (s[pos] === "}") { pos++; return obj; }
          throw new YamlError("expected , or } in a flow mapping", line);
        }
      }
      if (c === "'" || c === '"') {
        var r = readQuoted(s, pos, line);
        if (!r) throw new YamlError("unterminated quoted scalar", line);
        pos = r.end;
        return r.value;
      }
      if (c === "&" || c === "*" || c === "!") throw new YamlError("anchors, aliases and tags are not supported", line);
      return resolvePlain(plain(inFlow ? ",[]{}" : ""));
    }
    var v = value(false);
    ws();
    if (pos < s.length) throw new YamlError("unexpected text after a value: " + s.slice(pos, pos + 20), line);
    return v;
  }

  function parse(text) {
    var lines = String(text).replace(/\r\n?/g, "\n").split("\n");
    if (lines.length && lines[0].charCodeAt(0) === 0xfeff) lines[0] = lines[0].slice(1);
    var i = 0, n = lines.length;

    function indentOf(s) { var k = 0; while (s[k] === " ") k++; return k; }
    function blank(s) { var t = s.trim(); return t === "" || t[0] === "#"; }
    function skipBlank() { while (i < n && blank(lines[i])) i++; }

    /* The line without a trailing comment (a # after white space, outside
     * quotes). */
    function uncomment(s) {
      var q = null;
      for (var k = 0; k < s.length; k++) {
        var c = s[k];
        if (q === "'") { if (c === "'") { if (s[k + 1] === "'") k++; else q = null; } }
        else if (q === '"') { if (c === "\\") k++; else if (c === '"') q = null; }
        else if ((c === "'" || c === '"') && (k === 0 || /[\s\[{,:\-]/.test(s[k - 1]))) q = c;
        else if (c === "#" && (k === 0 || /\s/.test(s[k - 1]))) return s.slice(0, k).replace(/\s+$/, "");
      }
      return s.replace(/\s+$/, "");
    }

    /* "key: rest" -> {key, rest}; null when the line is not a mapping entry. */
    function splitKey(content) {
      var key, k;
      if (content[0] === "'" || content[0] === '"') {
        var r = readQuoted(content, 0, i + 1);
        if (!r) return null;
        k = r.end;
        while (content[k] === " ") k++;
        if (content[k] !== ":" || (k + 1 < content.length && content[k + 1] !== " ")) return null;
        return { key: r.value, rest: content.slice(k + 1).trim() };
      }
      if (/^[\[{&*!|>%@`]/.test(content) || content === "-" || content.slice(0, 2) === "- ") return null;
      for (k = 0; k < content.length; k++) {
        if (content[k] === ":" && (k + 1 === content.length || content[k + 1] === " ")) {
          key = content.slice(0, k).trim();
          if (key === "") return null;
          return { key: String(resolvePlain(key)), rest: content.slice(k + 1).trim() };
        }
      }
      return null;
    }

    function isSeqItem(content) { return content === "-" || content.slice(0, 2) === "- "; }

    /* A block scalar whose header ("|-", ">2") is on line i-1 and whose
     * parent is at parentIndent. */
    function blockScalar(header, parentIndent) {
      var m = /^([|>])([-+]?)([1-9]?)([-+]?)$/.exec(header);
      if (!m || (m[2] && m[4])) throw new YamlError("bad block scalar header " + header, i);
      var folded = m[1] === ">", chomp = m[2] || m[4], explicit = m[3] ? parseInt(m[3], 10) : 0;
      var start = i, ind = explicit ? parentIndent + explicit : 0;
      if (!ind) {
        for (var k = i; k < n; k++) {
          if (lines[k].trim() !== "") { ind = indentOf(lines[k]); break; }
        }
        if (ind <= parentIndent) ind = parentIndent + 1; /* empty scalar */
      }
      var body = [];
      while (i < n) {
        var l = lines[i];
        if (l.trim() === "") { body.push(""); i++; continue; }
        if (indentOf(l) < ind) break;
        body.push(l.slice(ind));
        i++;
      }
      if (start === i) return "";
      var trailing = 0;
      while (body.length && body[body.length - 1] === "") { body.pop(); trailing++; }
      var out = "";
      if (!folded) {
        out = body.join("\n");
      } else {
        var empties = 0, prev = null; /* prev: "normal" or "more" (more indented) */
        for (var b = 0; b < body.length; b++) {
          var t = body[b];
          if (t === "") { empties++; continue; }
          var kind = /^[ \t]/.test(t) ? "more" : "normal";
          if (prev === null) out += new Array(empties + 1).join("\n");
          else if (prev === "normal" && kind === "normal") out += empties ? new Array(empties + 1).join("\n") : " ";
          else out += new Array(empties + 2).join("\n");
          out += t;
          empties = 0;
          prev = kind;
        }
      }
      if (body.length === 0) return chomp === "+" ? new Array(trailing + 1).join("\n") : "";
      if (chomp === "-") return out;
      if (chomp === "+") return out + "\n" + new Array(trailing + 1).join("\n");
      return out + "\n";
    }

    /* The value after "key:" or "- " (rest, on line i-1), whose parent
     * entry sits at parentIndent. */
    function value(rest, parentIndent) {
      var line = i;
      if (rest === "") {
        skipBlank();
        if (i >= n) return null;
        var li = indentOf(lines[i]), c = uncomment(lines[i]).slice(li);
        if (li > parentIndent) return block(li);
        if (li === parentIndent && isSeqItem(c)) return sequence(li); /* "key:\n- a" */
        return null;
      }
      if (rest[0] === "|" || rest[0] === ">") return blockScalar(rest, parentIndent);
      if (/^[&*!]/.test(rest)) throw new YamlError("anchors, aliases and tags are not supported", line);
      /* flow collections and quoted or plain scalars may go on over the
       * lines below that are more indented than the parent */
      var text = rest;
      var open = function () {
        if (text[0] === "[" || text[0] === "{") {
          var depth = 0, q = null;
          for (var k = 0; k < text.length; k++) {
            var ch = text[k];
            if (q === "'") { if (ch === "'") { if (text[k + 1] === "'") k++; else q = null; } }
            else if (q === '"') { if (ch === "\\") k++; else if (ch === '"') q = null; }
            else if (ch === "'" || ch === '"') q = ch;
            else if (ch === "[" || ch === "{") depth++;
            else if (ch === "]" || ch === "}") depth--;
          }
          return depth > 0 || q !== null;
        }
        if (text[0] === "'" || text[0] === '"') return readQuoted(text, 0, line) === null;
        return true; /* a plain scalar: continues while lines are more indented */
      };
      var quoted = text[0] === "'" || text[0] === '"';
      while (open() && i < n) {
        var l = lines[i];
        if (l.trim() === "") {
          if (text[0] === "[" || text[0] === "{" || quoted) { text += "\n"; i++; continue; }
          /* a plain scalar stops at an empty line unless more follows */
          var k2 = i;
          while (k2 < n && lines[k2].trim() === "") k2++;
          if (k2 < n && indentOf(lines[k2]) > parentIndent && !blank(lines[k2])) {
            text += new Array(k2 - i + 1).join("\n");
            i = k2;
            continue;
          }
          break;
        }
        if (indentOf(l) <= parentIndent) break;
        if (!quoted && text[0] !== "[" && text[0] !== "{" && blank(l)) break;
        text += "\n" + (quoted ? l : uncomment(l)).trim();
        i++;
      }
      if (quoted) {
        var r = readQuoted(foldQuotedLines(text), 0, line);
        if (!r) throw new YamlError("unterminated quoted scalar", line);
        return r.value;
      }
      if (text[0] === "[" || text[0] === "{") {
        if (open()) throw new YamlError("unterminated flow collection", line);
        return parseFlow(text, line);
      }
      /* plain: lines fold into spaces, empty lines into "\n"; ": " cannot
       * be in one (it is a mapping where none may start, or a line
       * indented too far) */
      if (/:(\s|$)/.test(text)) throw new YamlError("a mapping is not allowed here", line);
      return resolvePlain(foldQuotedLines(text).trim());
    }

    function mapping(ind) {
      var obj = {};
      for (;;) {
        skipBlank();
        if (i >= n) break;
        var li = indentOf(lines[i]);
        if (li < ind) break;
        if (li > ind) throw new YamlError("unexpected indentation", i + 1);
        var content = uncomment(lines[i]).slice(ind);
        if (isSeqItem(content)) break;
        var kv = splitKey(content);
        if (!kv) throw new YamlError("expected key: value", i + 1);
        if (Object.prototype.hasOwnProperty.call(obj, kv.key)) throw new YamlError("duplicate key " + kv.key, i + 1);
        i++;
        obj[kv.key] = value(kv.rest, ind);
      }
      return obj;
    }

    function sequence(ind) {
      var arr = [];
      for (;;) {
        skipBlank();
        if (i >= n) break;
        var li = indentOf(lines[i]);
        if (li !== ind) {
          if (li > ind) throw new YamlError("unexpected indentation", i + 1);
          break;
        }
        var content = uncomment(lines[i]).slice(ind);
        if (!isSeqItem(content)) break;
        var rest = content.slice(1), off = 1;
        while (rest[0] === " ") { rest = rest.slice(1); off++; }
        if (rest !== "" && (splitKey(rest) || isSeqItem(rest))) {
          /* "- key: v" or "- - v": a collection whose first line starts
           * after the dash; read it as if the dash were a space */
          lines[i] = new Array(ind + off + 1).join(" ") + rest;
          arr.push(block(ind + off));
          continue;
        }
        i++;
        arr.push(value(rest, ind));
      }
      return arr;
    }

    /* The block node on line i, at indentation ind. */
    function block(ind) {
      skipBlank();
      var content = uncomment(lines[i]).slice(ind);
      if (isSeqItem(content)) return sequence(ind);
      if (splitKey(content)) return mapping(ind);
      i++;
      return value(content, ind - 1);
    }

    skipBlank();
    if (i < n && /^(%|---)/.test(lines[i])) {
      while (i < n && lines[i][0] === "%") i++;
      if (i < n && /^---(\s|$)/.test(lines[i])) {
        var after = lines[i].slice(3).trim();
        if (after !== "" && after[0] !== "#") throw new YamlError("content after --- is not supported", i + 1);
        i++;
      }
    }
    skipBlank();
    if (i >= n) return null;
    var top = block(indentOf(lines[i]));
    skipBlank();
    if (i < n) throw new YamlError(/^(---|\.\.\.)/.test(lines[i]) ? "only one document is supported" : "unexpected text", i + 1);
    return top;
  }

  var api = { parse: parse, YamlError: YamlError };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.QWYaml = api;
})(this);
