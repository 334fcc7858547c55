/* The trainers' page: list scenarios, edit one with live problems, run its tests, preview
   the customer, publish. Every text is set with textContent (common.js `el`). */
"use strict";

let current = null;        // the scenario id being edited
let lintTimer = null;
let lintSeq = 0;           // answers to older lint requests are ignored
let preview = null;        // {state} of the preview conversation

const $ = id => document.getElementById(id);

function post(path, body) {
  return api(path, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
                     body: JSON.stringify(body) });
}

function setStatus(text, tone) {
  const status = $("status");
  status.textContent = text;
  status.className = "status" + (tone ? " " + tone : "");
}

// The published tests' badge: known, or still being played (the list asks again).
function testsBadge(row) {
  if (!row.published_valid) return null;
  if (!row.tests) return el("span", { class: "badge pending", dataset: { testid: "tests-badge" }, text: "tests running…" });
  const missed = row.tests.total - row.tests.passed;
  const ok = !missed && row.tests.complete;
  return el("span", { class: "badge" + (ok ? " good" : " bad"), dataset: { testid: "tests-badge" },
    text: missed ? `tests: ${missed} of ${row.tests.total} missed` :
      row.tests.complete ? `tests: ${row.tests.total} of ${row.tests.total} pass` : "tests: a kind of script is missing" });
}

function publishedBy(row) {
  const last = row.last_published;
  if (!last) return null;
  return el("div", { class: "small muted", text: `published by ${last.published_by}, ` +
                     new Date(last.published_at * 1000).toLocaleString() });
}

let listTimer = null;

async function loadList() {
  clearTimeout(listTimer);
  const rows = await api("/trainer/api/scenarios");
  $("scenario-list").replaceChildren(...rows.map(row => {
    const badges = el("span", { class: "badges" });
    if (row.published) badges.append(el("span", { class: "badge" + (row.published_valid ? "" : " bad"),
      text: row.published_valid ? "published " + row.version : "published, refused by lint" }));
    if (row.draft) badges.append(el("span", { class: "badge draft" + (row.draft_valid ? "" : " bad"),
      text: row.draft_valid ? "draft" : "draft with problems" }));
    const tests = testsBadge(row);
    if (tests) badges.append(" ", tests);
    const item = el("li", { tabindex: "0", class: row.id === current ? "current" : "",
                            dataset: { scenarioId: row.id, testid: "scenario-item" } },
      el("strong", { text: row.id }), row.title ? el("div", { class: "small", text: row.title }) : null,
      publishedBy(row), badges);
    item.addEventListener("click", () => open(row.id));
    item.addEventListener("keydown", e => { if (e.key === "Enter") open(row.id); });
    return item;
  }));
  if (rows.some(row => row.published_valid && !row.tests)) listTimer = setTimeout(loadList, 4000);
}

async function open(id, template) {
  const data = await api(`/trainer/api/${template ? "template" : "draft"}?id=${encodeURIComponent(id)}`);
  current = id;
  preview = null;
  $("editor").hidden = false;
  $("editing").textContent = id;
  $("file-id").textContent = id;
  $("tests-id").textContent = id;
  $("scenario-text").value = data.text;
  $("tests-text").value = data.tests;
  $("test-results").replaceChildren(el("p", { class: "muted", text: "Not run yet." }));
  $("preview-log").replaceChildren();
  $("preview-form").hidden = true;
  setStatus(template ? "New scenario: edit it, save it as a draft, test it, publish it." : "");
  drawGutter([]);
  lint();
  loadList();
}

// --- the editor --------------------------------------------------------------------------------

function drawGutter(problemLines) {
  const lines = $("scenario-text").value.split("\n").length;
  const flagged = new Set(problemLines);
  const gutter = $("gutter");
  gutter.replaceChildren(...Array.from({ length: lines }, (_, i) =>
    el("span", { class: flagged.has(i + 1) ? "flagged" : "", text: String(i + 1) + "\n" })));
  gutter.scrollTop = $("scenario-text").scrollTop;
}

function goToLine(line) {
  const area = $("scenario-text");
  const lines = area.value.split("\n");
  const start = lines.slice(0, line - 1).reduce((sum, text) => sum + text.length + 1, 0);
  area.focus();
  area.setSelectionRange(start, start + (lines[line - 1] || "").length);
  area.scrollTop = Math.max(0, (line - 5) * parseFloat(getComputedStyle(area).lineHeight));
}

function showProblems(problems) {
  $("problems").replaceChildren(...(problems.length ? problems.map(p => {
    const item = el("li", { dataset: { line: p.line, testid: "problem" }, title: "Go to line " + p.line,
                            text: `line ${p.line}: ${p.field || "(file)"}: ${p.message}` });
    item.addEventListener("click", () => goToLine(p.line));
    return item;
  }) : [el("li", { class: "none", text: "No problems." })]));
  drawGutter(problems.map(p => p.line));
}

async function lint() {
  if (!current) return;
  const seq = ++lintSeq;
  try {
    const result = await post("/trainer/api/lint", { id: current, text: $("scenario-text").value });
    if (seq === lintSeq) showProblems(result.problems);
  } catch (error) {
    if (seq === lintSeq) setStatus(error.message, "bad");
  }
}

function scheduleLint() {
  clearTimeout(lintTimer);
  lintTimer = setTimeout(lint, 400);
  drawGutter([]);
}

// --- actions -----------------------------------------------------------------------------------

function draft() {
  return { id: current, text: $("scenario-text").value, tests: $("tests-text").value };
}

async function save() {
  await post("/trainer/api/save", draft());
  setStatus("Draft saved. Trainees do not see it until you publish.", "good");
  loadList();
}

const CHECK_NAMES = { own: "its own scripts", template: "content-free templates played against it",
                      cross_in: "other scenarios' good scripts played against it",
                      cross_out: "its good scripts played against the other scenarios" };

function checkOf(play) {
  return play.check === "cross" ? (play.source === current ? "cross_out" : "cross_in") : play.check;
}

function playRow(p) {
  const who = p.check === "cross" && p.source === current ? `yours, against ${p.scenario}` :
    p.check === "cross" ? `${p.source}: ${p.script}` : p.script;
  return el("tr", { class: p.passed ? "" : "miss", dataset: { passed: String(p.passed) } },
    el("td", { text: p.check === "own" ? p.kind : checkOf(p).replace("_", " ") }), el("td", { text: who }),
    el("td", { text: p.expected }), el("td", { text: String(p.overall) }), el("td", { text: p.outcome || "none" }),
    el("td", { text: p.passed ? "ok" : "MISS" }));
}

function playTable(plays) {
  return el("table", {}, el("thead", {}, el("tr", {}, ...["kind", "script", "expected", "score", "outcome", ""]
    .map(h => el("th", { text: h })))), el("tbody", {}, ...plays.map(playRow)));
}

// Misses first, then a line per kind of check; every play in a table one click away.
function showResults(result) {
  const box = $("test-results");
  if (!result.lint_clean) {
    box.replaceChildren(el("p", { class: "miss", text: "Fix the problems in the scenario first." }));
    return;
  }
  const misses = result.plays.filter(p => !p.passed);
  const summary = Object.entries(CHECK_NAMES).map(([check, name]) => {
    const plays = result.plays.filter(p => checkOf(p) === check);
    const failed = plays.filter(p => !p.passed).length;
    return el("li", { class: failed ? "miss" : "", text: `${name}: ${plays.length - failed} of ${plays.length} as expected` });
  });
  box.replaceChildren(...[
    el("p", { class: result.tests_pass ? "" : "miss", dataset: { testid: "tests-verdict" },
              text: result.tests_pass ? `All ${result.plays.length} plays as expected.` :
                `${misses.length} of ${result.plays.length} plays missed.` }),
    ...result.test_problems.map(text => el("p", { class: "miss", text })),
    el("ul", {}, ...summary),
    misses.length ? playTable(misses) : null,
    el("details", {}, el("summary", { text: "Every play" }), playTable(result.plays))].filter(Boolean));
}

async function runTests() {
  setStatus("Running the scenario tests…");
  $("run-tests").disabled = true;
  try {
    const result = await post("/trainer/api/check", draft());
    showResults(result);
    setStatus(result.tests_pass ? "Tests pass." : "Tests miss: see the results.", result.tests_pass ? "good" : "bad");
  } finally {
    $("run-tests").disabled = false;
  }
}

async function discard() {
  if (!confirm(`Discard your draft of ${current}? The published version, if any, stays as it is.`)) return;
  await post("/trainer/api/discard", { id: current });
  await open(current);
  setStatus("Draft discarded: showing the published version.", "good");
}

async function publish() {
  await save();
  setStatus("Checking and publishing…");
  $("publish").disabled = true;
  try {
    const result = await post("/trainer/api/publish", { id: current });
    setStatus(`Published version ${result.version}` + (result.previous_version ? ` (previous version ${result.previous_version} kept)` : "") +
              ". Trainees meet it in their next conversation.", "good");
    loadList();
  } catch (error) {
    setStatus(error.message, "bad");
  } finally {
    $("publish").disabled = false;
  }
}

// --- preview -----------------------------------------------------------------------------------

function say(role, text) {
  const log = $("preview-log");
  log.append(el("li", { class: role, dataset: { testid: "preview-" + role }, text }));
  log.scrollTop = log.scrollHeight;
}

async function startPreview() {
  $("preview-log").replaceChildren();
  try {
    const result = await post("/trainer/api/preview/start", { id: current, text: $("scenario-text").value });
    preview = { state: result.state };
    result.lines.forEach(line => say("customer", line));
    $("preview-form").hidden = false;
    $("preview-input").focus();
  } catch (error) {
    setStatus(error.message, "bad");
  }
}

async function sendPreview(event) {
  event.preventDefault();
  const input = $("preview-input");
  const reply = input.value.trim();
  if (!reply || !preview) return;
  input.value = "";
  say("trainee", reply);
  try {
    const result = await post("/trainer/api/preview/reply", { id: current, text: $("scenario-text").value,
                                                               state: preview.state, reply });
    preview.state = result.state;
    const turn = result.turn;
    say("scores", `mood ${turn.mood} · ${[...turn.moves, ...turn.penalties].join(", ") || "no move"}` +
                  (turn.ended ? ` · ended: ${turn.outcome || "by the trainee"}` : ""));
    result.lines.forEach(line => say("customer", line));
    if (turn.ended) $("preview-form").hidden = true;
  } catch (error) {
    setStatus(error.message, "bad");
  }
}

// --- start -------------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", async () => {
  const me = await api("/trainer/api/me");
  $("trainer").textContent = me.trainer;
  $("scenario-text").addEventListener("input", scheduleLint);
  $("scenario-text").addEventListener("scroll", () => { $("gutter").scrollTop = $("scenario-text").scrollTop; });
  $("save").addEventListener("click", () => save().catch(e => setStatus(e.message, "bad")));
  $("discard").addEventListener("click", () => discard().catch(e => setStatus(e.message, "bad")));
  $("run-tests").addEventListener("click", () => runTests().catch(e => setStatus(e.message, "bad")));
  $("publish").addEventListener("click", publish);
  $("preview-start").addEventListener("click", startPreview);
  $("preview-form").addEventListener("submit", sendPreview);
  $("new-form").addEventListener("submit", event => {
    event.preventDefault();
    open($("new-id").value.trim(), true).catch(e => setStatus(e.message, "bad"));
  });
  await loadList();
  const wanted = new URLSearchParams(location.search).get("id");
  if (wanted) open(wanted).catch(e => setStatus(e.message, "bad"));
});
