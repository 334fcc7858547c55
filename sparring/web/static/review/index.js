/* Sessions list: filters (kept in the URL), sort by any column, exports, team figures. */
"use strict";

const state = { sort: "started_at", order: "desc" };
const FILTERS = ["trainee", "scenario", "outcome", "since", "until"];

function formQuery() {
  const form = document.getElementById("filters");
  const query = new URLSearchParams();
  for (const name of FILTERS) {
    const value = form.elements[name].value.trim();
    if (value) query.set(name, value);
  }
  return query;
}

function fillSelect(select, values, labels) {
  const current = select.value;
  select.replaceChildren(el("option", { value: "", text: "all" }),
    ...values.map(v => el("option", { value: v, text: (labels && labels[v]) || v })));
  select.value = current;
}

function scoreCell(row) {
  const cell = el("td", { class: "num" });
  if (row.overall === null || row.overall === undefined) {
    cell.append(el("span", { class: "muted", text: "–" }));
    return cell;
  }
  if (row.overridden) {
    cell.append(el("span", { class: "badge changed", title: "changed by " + row.overridden_by.join(", ") +
                                                         " (automatic " + row.overall_auto + ")", text: "reviewed" }), " ");
  }
  if (row.provisional) cell.append(el("span", { class: "badge", title: "never closed with /end_session", text: "provisional" }), " ");
  cell.append(el("strong", { text: row.overall }));
  return cell;
}

function renderRows(rows) {
  const body = document.querySelector("#sessions tbody");
  body.replaceChildren(...rows.map(row => el("tr", { dataset: { session: row.session_id } },
    el("td", {}, el("a", { href: sessionUrl(row.session_id), text: fmtDate(row.started_at) })),
    el("td", {}, row.trainee ? el("a", { href: traineeUrl(row.trainee), text: row.trainee }) : el("span", { class: "muted", text: "(no name)" })),
    el("td", { title: row.scenario_id, text: row.scenario_title || row.scenario_id }),
    el("td", { text: row.persona }),
    el("td", { class: "num", text: fmtDuration(row.duration_seconds) }),
    el("td", { class: "num", text: row.turns }),
    el("td", {}, outcomeCell(row.outcome)),
    scoreCell(row))));
  if (!rows.length) body.append(el("tr", {}, el("td", { colspan: 8, class: "muted", text: "No sessions match these filters." })));
}

function renderSortMarks() {
  for (const th of document.querySelectorAll("#sessions th[data-sort]")) {
    if (th.dataset.sort === state.sort) th.setAttribute("aria-sort", state.order === "asc" ? "ascending" : "descending");
    else th.removeAttribute("aria-sort");
  }
}

function renderTeam(team) {
  const bars = document.getElementById("move-bars");
  bars.className = "bars";
  bars.replaceChildren(...MOVES.map(move => {
    const value = team.per_move[move];
    const fill = el("div", { class: "fill" });
    fill.style.width = (value || 0) + "%";
    return el("div", { class: "bar" + (team.weakest_move === move ? " weakest" : "") },
      el("span", { text: move }), el("div", { class: "track" }, fill), el("span", { class: "num", text: fmtNumber(value) }));
  }));
  document.getElementById("weakest").textContent = team.weakest_move ? "weakest: " + team.weakest_move : "";
  document.querySelector("#hardest tbody").replaceChildren(...team.hardest_scenarios.map(s => el("tr", {},
    el("td", { title: s.scenario_id, text: s.scenario_title || s.scenario_id }),
    el("td", { class: "num", text: s.sessions }),
    el("td", { class: "num", text: fmtNumber(s.mean_overall) }),
    el("td", { class: "num", text: Math.round(s.resolved_rate * 100) + "%" }),
    el("td", { text: s.weakest_move || "" }))));
  document.querySelector("#trainees tbody").replaceChildren(...team.trainees.map(t => el("tr", {},
    el("td", {}, el("a", { href: traineeUrl(t.trainee), text: t.trainee || "(no name)" })),
    el("td", { class: "num", text: t.sessions }),
    el("td", { class: "num", text: fmtNumber(t.mean_overall) }),
    el("td", { text: t.weakest_move || "" }))));
}

async function load() {
  const filters = formQuery();
  history.replaceState(null, "", "/review/" + (filters.toString() ? "?" + filters : ""));
  const listQuery = new URLSearchParams(filters);
  listQuery.set("sort", state.sort);
  listQuery.set("order", state.order);
  for (const fmt of ["csv", "json", "html"]) document.getElementById("x-" + fmt).href = `/review/export.${fmt}?${listQuery}`;
  const status = document.getElementById("status");
  status.textContent = "Loading…";
  try {
    const [list, team] = await Promise.all([api("/review/api/sessions?" + listQuery), api("/review/api/team?" + filters)]);
    renderRows(list.sessions);
    renderSortMarks();
    renderTeam(team);
    status.textContent = `${list.count} session${list.count === 1 ? "" : "s"}`;
  } catch (error) {
    status.textContent = "Could not load the sessions: " + error.message;
  }
}

async function start() {
  showLead();
  const form = document.getElementById("filters");
  const params = new URLSearchParams(location.search);
  const options = await api("/review/api/options");
  fillSelect(form.elements.trainee, options.trainees);
  fillSelect(form.elements.scenario, options.scenarios);
  fillSelect(form.elements.outcome, options.outcomes, OUTCOME_TEXT);
  for (const name of FILTERS) if (params.get(name)) form.elements[name].value = params.get(name);
  form.addEventListener("submit", event => { event.preventDefault(); load(); });
  for (const name of ["trainee", "scenario", "outcome"]) form.elements[name].addEventListener("change", load);
  document.getElementById("f-reset").addEventListener("click", () => { form.reset(); load(); });
  for (const th of document.querySelectorAll("#sessions th[data-sort]")) {
    th.tabIndex = 0;
    const sortBy = () => {
      if (state.sort === th.dataset.sort) state.order = state.order === "asc" ? "desc" : "asc";
      else { state.sort = th.dataset.sort; state.order = ["started_at", "overall", "duration", "turns"].includes(state.sort) ? "desc" : "asc"; }
      load();
    };
    th.addEventListener("click", sortBy);
    th.addEventListener("keydown", e => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(); } });
  }
  await load();
}

document.addEventListener("DOMContentLoaded", start);
