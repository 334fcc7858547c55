/* One trainee's progress: overall and per-move scores over their finished sessions. */
"use strict";

const traineeName = new URLSearchParams(location.search).get("name") || "";

async function start() {
  showLead();
  let data;
  try {
    data = await api("/review/api/progress?trainee=" + encodeURIComponent(traineeName));
  } catch (e) {
    document.getElementById("title").textContent = "Could not load: " + e.message;
    return;
  }
  document.title = `${data.trainee} · progress · Sparring review`;
  document.getElementById("title").textContent = "Progress of " + data.trainee;
  const trend = data.first_half_mean !== null
    ? ` · first half ${fmtNumber(data.first_half_mean)} → second half ${fmtNumber(data.second_half_mean)}` : "";
  document.getElementById("summary").textContent = data.sessions
    ? `${data.sessions} finished session${data.sessions === 1 ? "" : "s"} · mean score ${fmtNumber(data.mean_overall)}` +
      trend + (data.weakest_move ? " · weakest move: " + data.weakest_move : "")
    : "No finished sessions yet.";
  const labels = data.points.map(p => fmtDay(p.started_at));
  const series = MOVES.map((m, i) => ({ name: m, colour: SERIES_COLOURS[m], values: data.points.map(p => p.moves[m]),
                                         dashed: true, offset: (i - 1.5) * 3 }))
    .concat([{ name: "overall", colour: SERIES_COLOURS.overall, values: data.points.map(p => p.overall), width: 3, dot: 4 }]);
  if (data.points.length) {
    document.getElementById("chart").replaceChildren(lineChart(series, labels, { width: 900, height: 260, yTicks: [0, 25, 50, 75, 100],
                                                                                label: "scores over time" }));
    legend(document.getElementById("chart-legend"), series);
  }
  document.querySelector("#points tbody").replaceChildren(...data.points.slice().reverse().map(p => el("tr", {},
    el("td", {}, el("a", { href: sessionUrl(p.session_id), text: fmtDate(p.started_at) })),
    el("td", { text: p.scenario_id }),
    el("td", {}, outcomeCell(p.outcome)),
    el("td", { class: "num" }, p.overridden ? el("span", { class: "badge changed", text: "reviewed" }) : "", " ", el("strong", { text: fmtNumber(p.overall) })),
    ...MOVES.map(m => el("td", { class: "num", text: fmtNumber(p.moves[m]) })))));
}

document.addEventListener("DOMContentLoaded", start);
