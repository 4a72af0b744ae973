/// The page `lantern-sim studio` serves: vanilla JavaScript and SVG, nothing fetched but the studio's own
/// endpoints (`/api/info`, `/frame/N.png`, `/api/check`, `/api/save`, `/api/replay`, `/api/calibrate`, `/api/person`).
public enum StudioPage {
    public static let html = #"""
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Lantern studio</title>
<link rel="icon" href="data:,">
<style>
body { font-family: sans-serif; margin: 0; color: #2f3542; }
#bar { padding: 6px 10px; background: #f1f2f6; border-bottom: 1px solid #dfe4ea; display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
#bar button.active { background: #2e86de; color: white; }
#main { display: flex; gap: 12px; padding: 10px; }
#view { background: #222; user-select: none; cursor: crosshair; flex: none; }
#side { min-width: 300px; font-size: 13px; }
#side h3 { font-size: 14px; margin: 12px 0 4px; }
.item { margin: 3px 0; } .item input { width: 140px; }
.error { color: #c0392b; font-size: 12px; }
#status { min-height: 2.4em; padding: 4px; background: #f8f9fa; border: 1px solid #dfe4ea; }
#status.bad { color: #c0392b; border-color: #e55039; } #status.good { color: #0a7d3b; }
.handle { fill: white; stroke: #2f3542; stroke-width: 1; cursor: move; }
</style></head><body>
<div id="bar">
  <button id="tool-select" data-tool="select">Move</button>
  <button id="tool-zone" data-tool="zone">Zone</button>
  <button id="finish-zone">Finish zone</button>
  <button id="tool-line" data-tool="line">Line</button>
  <button id="tool-crop" data-tool="crop">Crop</button>
  <button id="tool-people" data-tool="people">Calibrate: click 2 people</button>
  <button id="tool-calibrate" data-tool="calibrate">By hand (feet, head) x2</button>
  <button id="self-calibrate">Self-calibrate</button>
  <span>frame <input type="range" id="frame-slider" min="0" value="0"> <span id="frame-label">0</span></span>
  <button id="replay">Replay</button> <button id="stop">Stop</button>
  <button id="check">Check</button> <button id="save">Save</button>
</div>
<div id="main">
  <svg id="view" xmlns="http://www.w3.org/2000/svg">
    <defs><marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#ff3f34"/></marker></defs>
    <image id="frame" x="0" y="0"/>
    <g id="shapes"></g><g id="pending"></g><g id="live"></g>
  </svg>
  <div id="side">
    <div>site name <input id="site-name" size="30"></div>
    <div id="site-path"></div>
    <div id="status">Pick a tool: draw zones and lines, click two walking people (one near, one far) to calibrate.</div>
    <h3>Calibration</h3><div id="calibration-info"></div><div class="error" id="calibration-error"></div>
    <h3>Crop</h3><div id="crop-info"></div><div class="error" id="crop-error"></div>
    <h3>Zones</h3><div id="zone-list"></div>
    <h3>Lines</h3><div id="line-list"></div>
    <h3>Replay</h3><div id="counts">-</div>
  </div>
</div>
<script>
"use strict";
const colours = ["#2e86de", "#10ac84", "#f368e0", "#ff9f43", "#8854d0", "#00d2d3", "#ee5253", "#c8d6e5"];
const svgNS = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);
let info = null, site = null, tool = "select", pending = [], calibrationClicks = [], cropStart = null, people = [];
let errors = { path: null, message: null }, drag = null, replayTimer = null, replayRows = null, checkTimer = null;

function el(name, attrs, parent) {
  const e = document.createElementNS(svgNS, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}
function text(parent, x, y, s, colour, cls) {
  const t = el("text", { x: x, y: y, "font-size": 12, "font-family": "sans-serif", fill: colour, stroke: "#fff", "stroke-width": 3, "paint-order": "stroke" }, parent);
  if (cls) t.setAttribute("class", cls);
  t.textContent = s;
  return t;
}
function point(ev) {
  const p = $("view").createSVGPoint();
  p.x = ev.clientX; p.y = ev.clientY;
  const q = p.matrixTransform($("view").getScreenCTM().inverse());
  return [Math.max(0, Math.min(info.width, Math.round(q.x))), Math.max(0, Math.min(info.height, Math.round(q.y)))];
}
function status(message, kind) {
  $("status").textContent = message;
  $("status").className = kind || "";
}
function setTool(name) {
  tool = name; pending = []; calibrationClicks = []; cropStart = null; people = [];
  for (const b of document.querySelectorAll("#bar button[data-tool]")) b.classList.toggle("active", b.dataset.tool === name);
  const hints = {
    select: "Drag a corner or a line end to move it; drag inside a zone to move the zone.",
    zone: "Click the zone's corners, then Finish zone.",
    line: "Click where the line starts, then where it ends (crossing towards its left is in).",
    crop: "Drag a rectangle: the part of the frame Lantern analyses.",
    calibrate: "Person 1 (near the camera): click their feet.",
    people: "Click a walking person near the camera (Lantern finds their feet and head); pick another frame with the slider if needed.",
  };
  status(hints[name] || "");
  draw();
}

function siteJSON() {
  const s = Object.assign({}, site);
  s.name = $("site-name").value;
  s.frame = { width: info.width, height: info.height };
  // Two spaces of indent, but a point on one line: [x, y].
  return JSON.stringify(s, null, 2).replace(/\[\s+(-?[\d.e+-]+),\s+(-?[\d.e+-]+)\s+\]/g, "[$1, $2]") + "\n";
}
async function post(path) {
  const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: siteJSON() });
  return r.json();
}
function showCheck(result) {
  errors = result.ok ? { path: null, message: null } : { path: result.path || "", message: result.message };
  draw();
  return result;
}
function scheduleCheck() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(async () => {
    const r = showCheck(await post("/api/check"));
    if (r.ok) status("The site is valid: " + r.zones + " zones, " + r.lines + " lines.", "good");
    else status(r.message, "bad");
  }, 250);
}
function changed() { draw(); scheduleCheck(); }

// Which shape an error's key path is about: "zones[1].points" -> ["zones", 1].
function errorFor(kind, index) {
  if (errors.path === null) return null;
  const m = /^(zones|lines)\[(\d+)\]/.exec(errors.path);
  if (kind === "zones" || kind === "lines") return m && m[1] === kind && Number(m[2]) === index ? errors.message : null;
  return errors.path.startsWith(kind) ? errors.message : null;
}

function draw() {
  const shapes = $("shapes"), live = $("pending");
  shapes.replaceChildren(); live.replaceChildren();
  if (site.crop) {
    const c = site.crop;
    el("rect", { class: "crop", x: c.x, y: c.y, width: c.width, height: c.height, fill: "none", stroke: "#feca57", "stroke-width": 2, "stroke-dasharray": "6 4" }, shapes);
  }
  (site.zones || []).forEach((z, i) => {
    const colour = colours[i % colours.length];
    const poly = el("polygon", { class: "zone", "data-index": i, points: z.points.map((p) => p.join(",")).join(" "), fill: colour, "fill-opacity": 0.25, stroke: colour, "stroke-width": 2 }, shapes);
    poly.addEventListener("mousedown", (ev) => startDrag(ev, { kind: "zone", index: i }));
    text(shapes, z.points[0][0] + 4, z.points[0][1] + 14, z.name, colour, "zone-label");
    const e = errorFor("zones", i);
    if (e) text(shapes, z.points[0][0] + 4, z.points[0][1] + 28, e, "#c0392b", "shape-error");
  });
  (site.lines || []).forEach((l, i) => {
    const line = el("line", { class: "count-line", "data-index": i, x1: l.from[0], y1: l.from[1], x2: l.to[0], y2: l.to[1], stroke: "#ff3f34", "stroke-width": 3 }, shapes);
    line.addEventListener("mousedown", (ev) => startDrag(ev, { kind: "line", index: i }));
    const mx = (l.from[0] + l.to[0]) / 2, my = (l.from[1] + l.to[1]) / 2;
    const dx = l.to[0] - l.from[0], dy = l.to[1] - l.from[1], len = Math.max(Math.hypot(dx, dy), 1);
    el("line", { x1: mx, y1: my, x2: mx + dy / len * 14, y2: my - dx / len * 14, stroke: "#ff3f34", "stroke-width": 2, "marker-end": "url(#arrow)" }, shapes);
    text(shapes, mx + dy / len * 16 + 2, my - dx / len * 16, l.name + " (in)", "#ff3f34", "line-label");
    const e = errorFor("lines", i);
    if (e) text(shapes, mx + 4, my + 16, e, "#c0392b", "shape-error");
  });
  drawRuler(shapes);
  if (tool === "select") {
    (site.zones || []).forEach((z, i) => z.points.forEach((p, k) => handle(shapes, p, { kind: "zone-point", index: i, point: k })));
    (site.lines || []).forEach((l, i) => { handle(shapes, l.from, { kind: "line-end", index: i, end: "from" }); handle(shapes, l.to, { kind: "line-end", index: i, end: "to" }); });
  }
  if (pending.length) {
    el("polyline", { points: pending.map((p) => p.join(",")).join(" "), fill: "none", stroke: "#feca57", "stroke-width": 2, "stroke-dasharray": "4 3" }, live);
    for (const p of pending) el("circle", { cx: p[0], cy: p[1], r: 3, fill: "#feca57" }, live);
  }
  for (const p of calibrationClicks) el("circle", { cx: p[0], cy: p[1], r: 4, fill: "#00d2d3", stroke: "#222" }, live);
  for (const p of people) el("rect", { class: "person", x: p.left, y: p.head, width: p.right - p.left + 1, height: p.height, fill: "none", stroke: "#00d2d3", "stroke-width": 2 }, live);
  lists();
}
function handle(parent, p, target) {
  const c = el("circle", { class: "handle", cx: p[0], cy: p[1], r: 5 }, parent);
  c.addEventListener("mousedown", (ev) => startDrag(ev, target));
}
function drawRuler(parent) {
  const samples = ((site.calibration || {}).personHeights || []).slice().sort((a, b) => a.row - b.row);
  samples.forEach((s, k) => {
    const x = 10 + k * 12;
    el("line", { class: "ruler", x1: x, y1: s.row, x2: x, y2: s.row - s.height, stroke: "#00d2d3", "stroke-width": 4 }, parent);
    text(parent, x + 5, s.row - s.height / 2, Math.round(s.height) + " px", "#0a3d62");
  });
}
function lists() {
  // Rebuilt only when shapes come or go, so a name being typed keeps its field; errors update in place.
  const fill = (parent, kind) => {
    const shapes = site[kind] || [];
    if (parent.children.length !== shapes.length) {
      parent.replaceChildren();
      shapes.forEach((shape, i) => {
        const d = document.createElement("div"); d.className = "item";
        const input = document.createElement("input");
        input.dataset.kind = kind; input.dataset.index = i; input.className = kind + "-name";
        input.addEventListener("change", () => { site[kind][i].name = input.value; changed(); });
        const del = document.createElement("button"); del.textContent = "delete";
        del.addEventListener("click", () => { site[kind].splice(i, 1); changed(); });
        const err = document.createElement("div"); err.className = "error";
        d.append(input, " ", del, err);
        parent.append(d);
      });
    }
    shapes.forEach((shape, i) => {
      const d = parent.children[i], input = d.querySelector("input");
      if (document.activeElement !== input) input.value = shape.name;
      d.querySelector(".error").textContent = errorFor(kind, i) || "";
    });
  };
  fill($("zone-list"), "zones");
  fill($("line-list"), "lines");
  const hs = (site.calibration || {}).personHeights || [];
  $("calibration-info").textContent = hs.length ? hs.map((h) => "row " + h.row + ": " + h.height + " px").join("; ") : "none yet";
  $("calibration-error").textContent = errorFor("calibration") || "";
  $("crop-info").textContent = site.crop ? site.crop.x + "," + site.crop.y + " " + site.crop.width + "x" + site.crop.height : "the whole frame";
  $("crop-error").textContent = errorFor("crop") || "";
}

function startDrag(ev, target) {
  if (tool !== "select") return;
  ev.stopPropagation(); ev.preventDefault();
  drag = { target: target, last: point(ev) };
}
function onMove(ev) {
  if (!drag) return;
  const p = point(ev), dx = p[0] - drag.last[0], dy = p[1] - drag.last[1];
  drag.last = p;
  const t = drag.target;
  if (t.kind === "zone-point") site.zones[t.index].points[t.point] = p;
  else if (t.kind === "line-end") site.lines[t.index][t.end] = p;
  else if (t.kind === "zone") site.zones[t.index].points = site.zones[t.index].points.map((q) => [q[0] + dx, q[1] + dy]);
  else if (t.kind === "line") { const l = site.lines[t.index]; l.from = [l.from[0] + dx, l.from[1] + dy]; l.to = [l.to[0] + dx, l.to[1] + dy]; }
  draw();
}
function onUp(ev) {
  if (drag) { drag = null; changed(); return; }
  if (tool === "crop" && cropStart) {
    const p = point(ev);
    const x = Math.min(p[0], cropStart[0]), y = Math.min(p[1], cropStart[1]);
    const w = Math.abs(p[0] - cropStart[0]), h = Math.abs(p[1] - cropStart[1]);
    cropStart = null;
    if (w >= 16 && h >= 16) site.crop = { x: x, y: y, width: w, height: h };
    changed();
  }
}
function uniqueName(kind, stem) {
  const names = new Set((site[kind] || []).map((s) => s.name));
  let n = (site[kind] || []).length + 1;
  while (names.has(stem + "-" + n)) n++;
  return stem + "-" + n;
}
function onDown(ev) {
  if (tool === "crop") { cropStart = point(ev); return; }
  if (tool === "select") return;
  const p = point(ev);
  if (tool === "zone") { pending.push(p); draw(); status(pending.length + " corners; click more, then Finish zone."); }
  else if (tool === "line") {
    pending.push(p);
    if (pending.length === 2) {
      site.lines = site.lines || [];
      site.lines.push({ name: uniqueName("lines", "line"), from: pending[0], to: pending[1] });
      pending = []; changed();
      status("Line added; rename it on the right.");
    } else draw();
  } else if (tool === "people") {
    findPerson(p);
  } else if (tool === "calibrate") {
    calibrationClicks.push(p);
    const prompts = ["Person 1: click their head.", "Person 2 (far from the camera): click their feet.", "Person 2: click their head."];
    if (calibrationClicks.length === 4) {
      const c = calibrationClicks;
      const sample = (feet, head) => ({ row: feet[1], height: Math.round(Math.abs(feet[1] - head[1]) * 10) / 10 });
      site.calibration = Object.assign({}, site.calibration, { personHeights: [sample(c[0], c[1]), sample(c[2], c[3])].sort((a, b) => a.row - b.row) });
      calibrationClicks = [];
      changed();
      status("Calibration set from two people.", "good");
    } else { status(prompts[calibrationClicks.length - 1]); draw(); }
  }
}
// One click per person: the server measures the walker under the click against the clip's background.
async function findPerson(p) {
  const frame = Number($("frame-slider").value);
  const r = await (await fetch("/api/person?frame=" + frame + "&x=" + Math.round(p[0]) + "&y=" + Math.round(p[1]))).json();
  if (!r.ok) { status(r.message, "bad"); return; }
  people.push(r);
  if (people.length === 2) {
    const heights = people.map((q) => ({ row: q.row, height: q.height })).sort((a, b) => a.row - b.row);
    if (heights[0].row === heights[1].row) { people = [people[1]]; status("Both people stand on the same row: click one nearer or farther.", "bad"); draw(); return; }
    site.calibration = Object.assign({}, site.calibration, { personHeights: heights });
    changed();
    status("Calibration set from two people: " + heights.map((h) => h.height + " px at row " + h.row).join(", ") + ".", "good");
    people = [];
  } else {
    status("Person 1: " + r.height + " px tall, feet at row " + r.row + ". Now click a person far from the camera.");
    draw();
  }
}
function finishZone() {
  if (tool !== "zone" || pending.length < 3) { status("A zone needs at least 3 corners: pick Zone and click them first.", "bad"); return; }
  site.zones = site.zones || [];
  site.zones.push({ name: uniqueName("zones", "zone"), points: pending });
  pending = []; changed();
  status("Zone added; rename it on the right.");
}

function showFrame(i) {
  $("frame").setAttribute("href", "/frame/" + i + ".png");
  $("frame-slider").value = i;
  $("frame-label").textContent = i;
}
async function replay() {
  stopReplay();
  clearTimeout(checkTimer);
  status("Replaying the clip with this site...");
  const r = showCheck(await post("/api/replay"));
  if (!r.ok) { status(r.message, "bad"); return; }
  replayRows = r.frames;
  let i = 0;
  const period = 1000 / Math.min(Math.max(info.fps, 1), 25);
  status("Replaying " + replayRows.length + " frames (counting starts after the warm-up of " + r.warmup + ").", "good");
  replayTimer = setInterval(() => {
    if (i >= replayRows.length) { stopReplay(); return; }
    showFrame(i); drawLive(replayRows[i]); i++;
  }, period);
}
function stopReplay() { if (replayTimer) clearInterval(replayTimer); replayTimer = null; }
function drawLive(row) {
  const g = $("live");
  g.replaceChildren();
  text(g, 8, 16, "frame " + row.frame + ": " + row.count + " people" + (row.trusted ? "" : " (not trusted)"), "#fff", "live-count").setAttribute("stroke", "#000");
  const parts = ["frame " + row.frame + ": " + row.count + " people"];
  (site.zones || []).forEach((z, k) => {
    text(g, z.points[0][0] + 4, z.points[0][1] + 28, z.name + ": " + row.zones[k], colours[k % colours.length], "live-zone");
    parts.push(z.name + " " + row.zones[k]);
  });
  (site.lines || []).forEach((l, k) => {
    text(g, l.to[0] + 4, l.to[1] - 4, "in " + row.in[k] + " / out " + row.out[k], "#ff3f34", "live-line");
    parts.push(l.name + " in " + row.in[k] + " out " + row.out[k]);
  });
  $("counts").textContent = parts.join(", ");
}
async function save() {
  clearTimeout(checkTimer);  // a check still waiting would overwrite the save's verdict
  const r = showCheck(await post("/api/save"));
  if (r.ok) status("saved " + r.saved, "good"); else status(r.message, "bad");
}
async function selfCalibrate() {
  status("Watching the walkers of the clip to fit the person height per row...");
  const r = await (await fetch("/api/calibrate", { method: "POST" })).json();
  if (!r.ok) { status(r.message, "bad"); return; }
  site.calibration = Object.assign({}, site.calibration, { personHeights: r.personHeights });
  changed();
  status("Self-calibrated: " + r.summary, "good");
}

async function start() {
  info = await (await fetch("/api/info")).json();
  const scale = Math.max(1, Math.min(3, Math.floor(900 / info.width)));
  const view = $("view");
  view.setAttribute("viewBox", "0 0 " + info.width + " " + info.height);
  view.setAttribute("width", info.width * scale); view.setAttribute("height", info.height * scale);
  $("frame").setAttribute("width", info.width); $("frame").setAttribute("height", info.height);
  $("frame-slider").max = info.frames - 1;
  $("site-path").textContent = "saves to " + info.sitePath;
  site = info.siteText ? JSON.parse(info.siteText) : { name: "", calibration: { personHeights: [] }, zones: [], lines: [] };
  site.zones = site.zones || []; site.lines = site.lines || [];
  $("site-name").value = site.name || "";
  $("site-name").addEventListener("change", scheduleCheck);
  for (const b of document.querySelectorAll("#bar button[data-tool]")) b.addEventListener("click", () => setTool(b.dataset.tool));
  $("finish-zone").addEventListener("click", finishZone);
  $("check").addEventListener("click", scheduleCheck);
  $("save").addEventListener("click", save);
  $("replay").addEventListener("click", replay);
  $("stop").addEventListener("click", stopReplay);
  $("self-calibrate").addEventListener("click", selfCalibrate);
  $("frame-slider").addEventListener("input", () => { stopReplay(); showFrame(Number($("frame-slider").value)); if (replayRows) drawLive(replayRows[Number($("frame-slider").value)]); });
  view.addEventListener("mousedown", onDown);
  window.addEventListener("mousemove", onMove);
  window.addEventListener("mouseup", onUp);
  showFrame(Math.min(info.frames - 1, 50));
  setTool("select");
  document.body.dataset.ready = "1";
}
start();
</script>
</body></html>
"""#
}
