/* One session: transcript with highlighted evidence, mood chart, scorecard, overrides. */
"use strict";

const sessionId = new URLSearchParams(location.search).get("id") || "";
let current = null;
let editing = null;

function markClass(labels) {
  if (labels.some(l => l.kind === "penalty")) return "m-penalty";
  return "m-" + labels[0].name;
}

function messageText(message) {
  const text = el("div", { class: "text" });
  for (const piece of message.segments || [{ text: message.text, labels: [] }]) {
    if (!piece.labels.length) { text.append(piece.text); continue; }
    const names = piece.labels.map(l => (l.kind === "penalty" ? "penalty: " : "") + l.name +
      (l.detail ? (l.kind === "penalty" ? " (not this customer's: " : " (restated: ") + l.detail + ")" : "")).join(", ");
    text.append(el("mark", { class: markClass(piece.labels), title: names, dataset: { labels: piece.labels.map(l => l.name).join(" ") } }, piece.text));
  }
  return text;
}

function renderTranscript(data) {
  const list = document.getElementById("transcript");
  list.replaceChildren(...data.messages.map(message => {
    const who = el("div", { class: "who" });
    const item = el("li", { class: message.role });
    if (message.role === "trainee") {
      who.append(el("span", { text: (data.trainee || "Trainee") + (message.turn ? " · reply " + message.turn : "") }));
      if (message.scored) {
        if (message.response_seconds !== null && message.response_seconds !== undefined)
          who.append(el("span", { class: "response-time", text: "answered in " + fmtNumber(message.response_seconds) + " s" }));
        who.append(el("span", { text: `mood ${fmtNumber(message.mood_before)} → ${fmtNumber(message.mood_after)}` }));
      }
      item.append(who, messageText(message));
      const tags = el("div", { class: "tags" });
      if (!message.scored) tags.append(el("span", { class: "tag plain", text: "not scored" }));
      else {
        for (const move of message.moves) tags.append(el("span", { class: "tag m-" + move, text: move }));
        for (const penalty of message.penalties) tags.append(el("span", { class: "tag m-penalty", text: penalty }));
        if (!message.moves.length && !message.penalties.length) tags.append(el("span", { class: "tag plain", text: "no move" }));
        if (message.truncated) tags.append(el("span", { class: "tag plain", text: "only the start was scored" }));
      }
      item.append(tags);
    } else {
      who.append(el("span", { text: message.role === "customer" ? "Customer" + (message.nudge ? " (kept waiting)" : "") : "System" }));
      item.append(who, el("div", { class: "text", text: message.text }));
    }
    return item;
  }));
}

function renderMood(data) {
  const trace = data.mood_trace;
  const target = document.getElementById("mood-chart");
  if (!trace.length) { target.replaceChildren(el("p", { class: "muted", text: "No mood recorded." })); return; }
  const labels = trace.map((p, i) => (i === 0 ? "open" : (p.nudge ? "wait" : "r" + p.turn)));
  const hollow = trace.map((p, i) => (p.nudge ? i : -1)).filter(i => i >= 0);
  target.replaceChildren(lineChart([{ name: "mood", colour: SERIES_COLOURS.mood, values: trace.map(p => p.mood), hollow }],
    labels, { yMin: 0, yMax: 10, width: 420, height: 170, yTicks: [0, 5, 10], label: "customer mood by reply" }));
}

function changeButton(kind, target, label, automatic, value) {
  return el("button", { type: "button", class: "small secondary", dataset: { kind, target }, text: "Change",
                        onclick: () => openOverride(kind, target, label, automatic, value) });
}

function overrideNote(change) {
  return el("div", { class: "small muted override-note" }, `changed by ${change.lead}: ${change.reason}`);
}

function renderScorecard(data) {
  const card = data.scorecard;
  const overall = document.getElementById("overall");
  const note = document.getElementById("overall-note");
  const moves = document.querySelector("#moves tbody");
  const penalties = document.querySelector("#penalties tbody");
  if (!card) {
    overall.textContent = "–";
    note.textContent = "no reply was scored";
    moves.replaceChildren(); penalties.replaceChildren();
    return;
  }
  overall.replaceChildren(String(card.overall));
  if (card.overridden) overall.append(el("span", { class: "was", title: "automatic score", text: card.overall_auto }));
  note.textContent = [card.grade ? "grade " + card.grade : "",
                      card.overridden ? "changed by " + card.overridden_by.join(", ") : "",
                      data.provisional ? "provisional: never closed with /end_session" : ""].filter(Boolean).join(" · ");
  moves.replaceChildren(...MOVES.map(move => {
    const m = card.moves[move] || {};
    const changed = Boolean(m.override);
    const name = el("td", {}, el("span", { class: "tag m-" + move, text: move }));
    if (changed) name.append(overrideNote(m.override));
    for (const d of m.deductions || []) name.append(el("div", { class: "small muted", text: "−: " + d }));
    return el("tr", { class: changed ? "changed" : "", dataset: { move } }, name,
      el("td", { class: "num score", text: fmtNumber(m.score) }),
      el("td", { class: "num auto", text: fmtNumber(m.score_auto) }),
      el("td", { class: "num" }, changeButton("move", move, move, m.score_auto, m.score)));
  }));
  if (!card.penalties.length) {
    penalties.replaceChildren(el("tr", {}, el("td", { colspan: 5, class: "muted", text: "No penalties." })));
  } else {
    penalties.replaceChildren(...card.penalties.map(p => {
      const changed = Boolean(p.override);
      const name = el("td", {}, el("span", { class: "tag m-penalty", text: p.penalty }), el("div", { class: "small muted", text: "reply " + p.turn }));
      if (changed) name.append(overrideNote(p.override));
      return el("tr", { class: changed ? "changed" : "", dataset: { penalty: p.key } }, name,
        el("td", { class: "small", text: "“" + p.quote + "”" }),
        el("td", { class: "num score", text: fmtNumber(p.points) }),
        el("td", { class: "num auto", text: fmtNumber(p.points_auto) }),
        el("td", { class: "num" }, changeButton("penalty", p.key, `${p.penalty} (reply ${p.turn})`, p.points_auto, p.points)));
    }));
  }
  document.getElementById("tips").replaceChildren(...(card.tips || []).map(tip =>
    el("li", {}, tip.text, tip.quote ? el("div", { class: "small muted", text: "“" + tip.quote + "”" }) : null)));
  const order = card.order || {};
  document.getElementById("order").textContent = (order.violations || []).length
    ? order.violations.map(v => `${v.after} came before ${v.before} (reply ${v.turn})`).join("; ")
    : "Acknowledged before resolving" + ((order.required || []).length ? "; required order kept: " + order.required.join(" → ") : ".");
}

function renderHistory(data) {
  const list = document.getElementById("history");
  if (!data.overrides.length) { list.replaceChildren(el("li", { class: "muted", text: "No changes: automatic scores." })); return; }
  list.replaceChildren(...data.overrides.slice().reverse().map(o => el("li", {},
    el("strong", { text: o.lead }), ` ${fmtDate(o.created_at)}: ${o.kind === "move" ? o.target : "penalty " + o.target} `,
    `${fmtNumber(o.previous)} → ${fmtNumber(o.value)} (automatic ${fmtNumber(o.automatic)})`,
    el("div", { class: "muted", text: o.reason }))));
}

function render(data) {
  current = data;
  document.title = `${data.trainee || "Session"} · ${data.scenario_title || data.scenario_id} · Sparring review`;
  document.getElementById("title").textContent = `${data.trainee || "(no name)"} · ${data.scenario_title || data.scenario_id}`;
  document.getElementById("meta").textContent = [fmtDate(data.started_at), fmtDuration(data.duration_seconds),
    `${data.turns} replies`, "persona " + data.persona, data.mode, "outcome: " + (OUTCOME_TEXT[data.outcome] || data.outcome),
    data.mean_response_seconds !== null ? "mean answer time " + fmtNumber(data.mean_response_seconds) + " s" : ""]
    .filter(Boolean).join(" · ");
  renderVersions(data);
  const link = document.getElementById("trainee-link");
  link.replaceChildren(data.trainee ? el("a", { href: traineeUrl(data.trainee), text: "Progress of " + data.trainee }) : "");
  document.getElementById("print").href = "/review/scorecard.html?id=" + encodeURIComponent(data.session_id);
  renderTranscript(data);
  renderMood(data);
  renderScorecard(data);
  renderHistory(data);
}

// Which text of the scenario and the playbook the session was played against: each opens
// the archived version.
function renderVersions(data) {
  const parts = [];
  for (const [label, kind, name, version] of [["scenario", "scenarios", data.scenario_id, data.scenario_version],
                                              ["playbook", "playbook", "playbook", data.playbook_version]]) {
    if (!version) continue;
    const href = "/review/version?" + new URLSearchParams({ kind, name, version });
    if (parts.length) parts.push(" · ");
    parts.push(label + " version ", el("a", { href, target: "_blank", rel: "noopener", text: version, dataset: { kind } }));
  }
  document.getElementById("versions").replaceChildren(...(parts.length ? parts : ["played before versions were recorded"]));
}

function openOverride(kind, target, label, automatic, value) {
  editing = { kind, target };
  document.getElementById("override-title").textContent = (kind === "move" ? "Change the score of " : "Change the penalty ") + label;
  document.getElementById("override-auto").textContent = kind === "move"
    ? `Automatic score ${fmtNumber(automatic)}, now ${fmtNumber(value)} (0–100).`
    : `Automatic points ${fmtNumber(automatic)}, now ${fmtNumber(value)} (0 waives the penalty).`;
  const input = document.getElementById("override-value");
  input.value = value;
  document.getElementById("override-reason").value = "";
  document.getElementById("override-error").hidden = true;
  document.getElementById("override-dialog").showModal();
  input.focus();
}

async function saveOverride(event) {
  event.preventDefault();
  const error = document.getElementById("override-error");
  const reason = document.getElementById("override-reason").value.trim();
  if (!reason) { error.textContent = "Write why you change it."; error.hidden = false; return; }
  try {
    const result = await api("/review/api/overrides", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ session_id: sessionId, kind: editing.kind, target: editing.target,
                             value: Number(document.getElementById("override-value").value), reason }),
    });
    document.getElementById("override-dialog").close();
    render(result.session);
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
  }
}

async function start() {
  showLead();
  document.getElementById("override-form").addEventListener("submit", saveOverride);
  document.getElementById("override-cancel").addEventListener("click", () => document.getElementById("override-dialog").close());
  try {
    render(await api("/review/api/session?id=" + encodeURIComponent(sessionId)));
  } catch (e) {
    document.getElementById("title").textContent = e.status === 404 ? "No such session" : "Could not load the session: " + e.message;
  }
}

document.addEventListener("DOMContentLoaded", start);
