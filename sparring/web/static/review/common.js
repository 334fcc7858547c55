/* Shared helpers of the review pages. Every text goes into the page through textContent
   (never innerHTML), so nothing a trainee typed can become markup. */
"use strict";

const MOVES = ["listen", "empathize", "apologize", "resolve"];
const SERIES_COLOURS = { overall: "#1f2a44", listen: "#2f6fde", empathize: "#8e44ad", apologize: "#138a72",
                         resolve: "#5a9e1a", mood: "#c0392b" };
const SVG_NS = "http://www.w3.org/2000/svg";

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function loginUrl() {  // the login of the part of the site this page is in (/review, /trainer)
  const base = "/" + location.pathname.split("/")[1];
  return base + "/login?next=" + encodeURIComponent(location.pathname + location.search);
}

async function api(path, options) {
  const response = await fetch(path, Object.assign({ credentials: "same-origin", headers: { Accept: "application/json" } }, options || {}));
  if (response.status === 401) {
    location.assign(loginUrl());
    throw new Error("login required");
  }
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (!response.ok) {
    const error = new Error((body && body.message) || ("request failed: " + response.status));
    error.status = response.status;
    throw error;
  }
  return body;
}

function pad(n) { return String(n).padStart(2, "0"); }

function fmtDate(ts) {
  if (ts === null || ts === undefined) return "";
  const d = new Date(ts * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fmtDay(ts) {
  const d = new Date(ts * 1000);
  return `${pad(d.getDate())}/${pad(d.getMonth() + 1)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m ? `${m} min ${pad(s % 60)} s` : `${s} s`;
}

function fmtNumber(value) {
  if (value === null || value === undefined) return "–";
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 10) / 10);
}

const OUTCOME_TEXT = { resolved: "resolved", hung_up: "hung up", escalated: "escalated", none: "no outcome",
                       unfinished: "unfinished" };

function outcomeCell(outcome) {
  return el("span", { class: "outcome-" + outcome, text: OUTCOME_TEXT[outcome] || outcome });
}

function sessionUrl(id) { return "/review/session?id=" + encodeURIComponent(id); }
function traineeUrl(name) { return "/review/trainee?name=" + encodeURIComponent(name); }

async function showLead() {
  try {
    const me = await api("/review/api/me");
    const target = document.getElementById("lead");
    if (target) target.textContent = "Signed in as " + me.lead;
  } catch (e) { /* redirected to login */ }
}

/* A line chart as inline SVG. series: [{name, colour, values: [number|null], dashed}];
   labels: one x label per index; options: {yMin, yMax, height, marks: [indexes drawn hollow]}. */
function lineChart(series, labels, options) {
  const opts = Object.assign({ yMin: 0, yMax: 100, width: 640, height: 220, yTicks: null }, options || {});
  const left = 34, right = 12, top = 10, bottom = 28;
  const w = opts.width - left - right, h = opts.height - top - bottom;
  const n = Math.max(1, labels.length - 1);
  const x = i => left + (labels.length === 1 ? w / 2 : (w * i) / n);
  const y = v => top + h * (1 - (v - opts.yMin) / (opts.yMax - opts.yMin));
  const root = svg("svg", { viewBox: `0 0 ${opts.width} ${opts.height}`, class: "chart", role: "img",
                            "aria-label": opts.label || "chart" });
  const ticks = opts.yTicks || [opts.yMin, (opts.yMin + opts.yMax) / 2, opts.yMax];
  for (const t of ticks) {
    root.append(svg("line", { x1: left, x2: left + w, y1: y(t), y2: y(t), class: "grid-line" }));
    root.append(svg("text", { x: left - 6, y: y(t) + 3, "text-anchor": "end" }, t));
  }
  const every = Math.max(1, Math.ceil(labels.length / 12));
  labels.forEach((label, i) => {
    if (i % every !== 0 && i !== labels.length - 1) return;
    const anchor = labels.length > 1 && i === 0 ? "start" : labels.length > 1 && i === labels.length - 1 ? "end" : "middle";
    root.append(svg("text", { x: x(i), y: opts.height - 10, "text-anchor": anchor }, label));
  });
  for (const s of series) {
    const shift = s.offset || 0;  // a few pixels apart, so equal series stay visible
    const points = s.values.map((v, i) => (v === null || v === undefined ? null : [x(i), y(v) + shift]));
    let path = "", pen = false;
    for (const p of points) {
      if (!p) { pen = false; continue; }
      path += (pen ? " L" : " M") + p[0].toFixed(1) + " " + p[1].toFixed(1);
      pen = true;
    }
    const line = svg("path", { d: path.trim(), fill: "none", stroke: s.colour, "stroke-width": s.width || 2 });
    if (s.dashed) line.setAttribute("stroke-dasharray", "4 3");
    line.append(svg("title", {}, s.name));
    root.append(line);
    points.forEach((p, i) => {
      if (!p) return;
      const hollow = (s.hollow || []).includes(i);
      const dot = svg("circle", { cx: p[0], cy: p[1], r: s.dot || 3, fill: hollow ? "#fff" : s.colour,
                                   stroke: s.colour, "stroke-width": 1.5 });
      dot.append(svg("title", {}, `${s.name}: ${fmtNumber(s.values[i])} (${labels[i]})`));
      root.append(dot);
    });
  }
  return root;
}

function legend(target, series) {
  target.replaceChildren(...series.map(s => {
    const swatch = el("span", { class: "swatch", text: "\u25A0 " });
    swatch.style.color = s.colour;
    return el("span", { class: "legend-item" }, swatch, s.name, "  ");
  }));
}
