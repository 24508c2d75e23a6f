// The barejwt token debugger: reads the form, asks the server, draws the
// answer. No crypto and no decoding here: every value comes from
// POST /debugger/explain and POST /debugger/sign, computed by the library.
// Untrusted text is only ever set as textContent, never as HTML.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  async function post(path, body) {
    const resp = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer",
    });
    const answer = await resp.json();
    if (!resp.ok) {
      const detail = typeof answer.detail === "string" ? answer.detail : JSON.stringify(answer.detail);
      throw new Error(detail);
    }
    return answer;
  }

  function options() {
    const algorithms = ["HS256", "HS384", "HS512"].filter((a) => $("alg-" + a).checked);
    const clock = $("clock").value.trim();
    const text = (id) => $(id).value.trim();
    return {
      algorithms,
      leeway: Number.parseInt(text("leeway") || "0", 10) || 0,
      iss: text("iss") || null,
      aud: text("aud") || null,
      sub: text("sub") || null,
      required: text("required").split(",").map((s) => s.trim()).filter(Boolean),
      typ: text("typ") || null,
      now: clock === "" ? null : Number.parseInt(clock, 10),
      allow_weak: $("allow-weak").checked,
    };
  }

  function showError(node, msg) {
    node.textContent = msg;
    node.hidden = !msg;
  }

  function drawVerdict(v, failing) {
    const box = $("verdict");
    clear(box);
    box.className = "verdict " + (v.valid ? "good" : v.result === "NOT VERIFIED" ? "warn" : "bad");
    const word = el("strong", "word", v.code ? v.result + " (" + v.code + ")" : v.result);
    box.append(word, el("span", "message", ": " + v.message));
    if (v.rfc) box.append(el("span", "clause", " — " + v.rfc));
    if (failing) box.append(el("span", "rfc", " (at step " + failing.step + ", " + failing.title + ")"));
  }

  function drawWarnings(list) {
    const ul = $("warnings");
    clear(ul);
    for (const w of list) {
      const li = el("li", "warning");
      li.append(el("strong", null, "Warning: "), el("span", null, w.message), el("span", "rfc", " (" + w.rfc + ")"));
      li.dataset.code = w.code;
      ul.append(li);
    }
  }

  function drawSegments(segments, mark) {
    const p = $("segments");
    const ranges = $("ranges");
    clear(p);
    clear(ranges);
    segments.forEach((s, i) => {
      if (i > 0) p.append(el("span", "dot", "."));
      const span = el("span", "seg seg-" + s.name);
      span.title = s.name + ": bytes " + s.start + ".." + s.end;
      if (mark && mark.within === "token" && mark.offset >= s.start && mark.offset < s.end) {
        const at = mark.offset - s.start;
        span.append(document.createTextNode(s.text.slice(0, at)), el("mark", "offending", s.text.slice(at, at + 1)), document.createTextNode(s.text.slice(at + 1)));
      } else {
        span.textContent = s.text;
      }
      p.append(span);
      const li = el("li", "seg-" + s.name);
      li.append(el("strong", null, s.name), el("span", null, " bytes " + s.start + ".." + s.end + (s.error ? ": " + s.error : "")));
      ranges.append(li);
    });
    if (mark && mark.within === "token" && mark.offset >= (segments.length ? segments[segments.length - 1].end : 0)) {
      p.append(el("mark", "offending", "⟂"));
    }
  }

  function drawJson(node, seg) {
    node.textContent = !seg ? "" : seg.json ? seg.json : seg.decoded !== null && seg.decoded !== undefined ? seg.decoded : "(does not decode: " + seg.error + ")";
  }

  function drawClaims(rows) {
    const tbody = $("claims").tBodies[0];
    clear(tbody);
    for (const r of rows || []) {
      const tr = el("tr");
      const meaning = el("td", null, r.meaning);
      meaning.append(el("span", "rfc", " " + r.rfc));
      const name = el("th", "claim", r.name);
      name.scope = "row";
      tr.append(name, el("td", "value", r.value), meaning, el("td", null, r.date || ""), el("td", "when", r.relative || ""));
      tbody.append(tr);
    }
  }

  function drawSteps(steps) {
    const ol = $("steps");
    // Steps the reader opened stay open when the walk is redrawn.
    const open = new Set(Array.from(ol.querySelectorAll("details[open]")).map((d) => d.dataset.title));
    clear(ol);
    let failing = null;
    for (const s of steps) {
      const failed = Boolean(s.data && s.data.error);
      if (failed) failing = s;
      const li = el("li", "step" + (failed ? " failed" : ""));
      const details = el("details");
      details.dataset.title = s.title;
      details.open = failed || open.has(s.title);
      const summary = el("summary");
      summary.append(el("span", "title", s.step + ". " + s.title));
      if (failed) summary.append(el("span", "failed-here", " ✗ fails here: " + s.data.error.code));
      summary.append(el("span", "rfc", " (" + s.rfc + ")"));
      details.append(summary, el("pre", "lines", s.text.join("\n")));
      li.append(details);
      ol.append(li);
    }
    return failing;
  }

  // Answers are drawn only if no newer question was asked since; the
  // body's data-busy says a question is pending (for tests and screen
  // readers' sake the page only changes when it is answered).
  let asked = 0;
  let timer = null;

  function busy(on) {
    if (on) document.body.dataset.busy = "1";
    else delete document.body.dataset.busy;
  }

  async function explain() {
    clearTimeout(timer);
    const token = $("token").value.trim();
    const mine = ++asked;
    if (!token) {
      busy(false);
      return;
    }
    busy(true);
    try {
      const out = await post("/debugger/explain", {
        token,
        secret: $("secret").value,
        encoding: $("encoding").value,
        options: options(),
      });
      if (mine !== asked) return;
      showError($("error"), "");
      const failing = drawSteps(out.explain.steps);
      drawVerdict(out.explain.verdict, failing);
      drawWarnings(out.warnings);
      drawSegments(out.segments, failing && failing.mark);
      drawJson($("header-json"), out.segments[0]);
      drawJson($("payload-json"), out.segments[1]);
      drawClaims(out.claims);
    } catch (e) {
      if (mine === asked) showError($("error"), e.message);
    } finally {
      if (mine === asked) busy(false);
    }
  }

  async function sign() {
    try {
      const out = await post("/debugger/sign", {
        header: $("enc-header").value,
        payload: $("enc-payload").value,
        alg: $("enc-alg").value,
        secret: $("enc-secret").value,
        encoding: $("enc-encoding").value,
        allow_weak: $("enc-allow-weak").checked,
      });
      showError($("sign-error"), "");
      $("signing-input").textContent = out.signing_input;
      $("mac").textContent = out.mac;
      $("signed-token").textContent = out.token;
      $("signed").hidden = false;
    } catch (e) {
      $("signed").hidden = true;
      showError($("sign-error"), e.message);
    }
  }

  // A token may come in the fragment (#token=...), which the browser never
  // sends to any server; never in the query string.
  function tokenFromFragment() {
    const hash = window.location.hash.replace(/^#/, "");
    for (const part of hash.split("&")) {
      const [name, value] = part.split("=");
      if (name === "token" && value) {
        try {
          return decodeURIComponent(value);
        } catch (_) {
          return value;
        }
      }
    }
    return "";
  }

  function soon() {
    clearTimeout(timer);
    busy(true);
    timer = setTimeout(explain, 250);
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("explain-form").addEventListener("submit", (e) => {
      e.preventDefault();
      explain();
    });
    // "input" fires for typing, checkboxes and selects alike; "change"
    // would also fire when a field loses focus, redrawing for nothing.
    $("explain-form").addEventListener("input", soon);
    $("sign-form").addEventListener("submit", (e) => {
      e.preventDefault();
      sign();
    });
    $("use-token").addEventListener("click", () => {
      $("token").value = $("signed-token").textContent;
      $("token").focus();
      explain();
    });
    const token = tokenFromFragment();
    if (token) {
      $("token").value = token;
      explain();
    }
  });
})();
