// Panel 2, a curve from pieces: the page's average year (or a curve drawn with the mouse) as a constant plus n hard
// sigmoids, or n sigmoids of the same slope; each piece drawn from 0, their sum over the curve, the error of the
// sum. The server (gradstep's engine) builds the pieces; the page draws them.
(function () {
  "use strict";
  const gs = window.gradstep;
  const { panel, hook } = gs.panel("pieces");
  const canvas = document.getElementById("pieces-canvas");

  let data = null; // the server's answer: {x, curve, n, knots, constant, hard, sigmoid, hard_sum, ...}
  let drawn = null; // the user's curve (views, one value per position) or null for the average year
  let drawing = null; // while drawing: {stroke: [[px, py]…], frame, range}
  let asked = 0; // the latest request; older answers are dropped

  const kind = () => hook("pieces-kind").value; // "hard" or "sigmoid"
  // A calm colour per piece, turning around the hue circle by the golden angle.
  const pieceColour = (i) => `hsl(${(195 + i * 137.5) % 360}, 42%, 48%)`;

  async function fit() {
    const id = ++asked;
    const body = { count: Number(hook("pieces-count").value) };
    if (drawn) body.curve = drawn;
    try {
      const answer = await gs.api("/api/pieces", body);
      if (id !== asked) return;
      gs.showError(panel, "");
      data = answer;
      draw();
    } catch (error) {
      if (id === asked) gs.showError(panel, error.message);
    }
  }

  function draw() {
    if (drawing) return drawCanvas();
    hook("pieces-year").hidden = !drawn;
    hook("pieces-draw").classList.remove("active");
    if (!data) return;
    const k = kind();
    hook("pieces-error").textContent = gs.kViews(data[`${k}_mae`]);
    hook("pieces-note").textContent = gs.t(drawn ? "pg.pieces.curve_drawn" : `pg.pieces.curve_${gs.info.curve}`);
    drawCanvas();
  }

  // The y range of the chart: everything drawn, 0 included (the pieces start there), with a little room.
  function rangeOf(d, k) {
    let lo = 0, hi = 0;
    const take = (values) => values.forEach((v) => { lo = Math.min(lo, v); hi = Math.max(hi, v); });
    take(d.curve); take(d[`${k}_sum`]); d[k].forEach(take);
    const pad = (hi - lo) * 0.06 || 1;
    return [lo - pad, hi + pad * 2.2]; // more room on top for the legend
  }

  function drawCanvas() {
    const area = gs.prepare(canvas);
    canvas.classList.toggle("drawing", !!drawing);
    const k = kind();
    const xLabel = gs.t(drawn || drawing ? "pg.pieces.axis_drawn" : `pg.pieces.axis_${gs.info.curve}`);
    if (drawing) { // an empty chart with the old curve faint, and the stroke so far
      const f = (drawing.frame = gs.frame(area, {
        x: drawing.x, y: drawing.range, xLabel, yLabel: gs.t("pg.unit.k"), yFormat: gs.kViews,
      }));
      if (data) gs.line(f, data.x.map((x) => x * (drawing.x[1] / data.x[data.x.length - 1])), data.curve,
        { color: gs.colors.curve, width: 2, alpha: 0.18 });
      const ctx = area.ctx;
      ctx.save();
      ctx.strokeStyle = gs.colors.curve; ctx.lineWidth = 3; ctx.lineJoin = "round"; ctx.lineCap = "round";
      ctx.beginPath();
      drawing.stroke.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      ctx.stroke();
      ctx.restore();
      return;
    }
    if (!data) return;
    const x = data.x, range = rangeOf(data, k);
    const f = gs.frame(area, {
      x: [x[0], x[x.length - 1]], y: range, xLabel, yLabel: gs.t("pg.unit.k"), yFormat: gs.kViews,
    });
    const ctx = area.ctx;
    // knots (light, dashed) and the zero line
    ctx.save();
    ctx.strokeStyle = "#d8d1c2"; ctx.setLineDash([3, 4]); ctx.lineWidth = 1;
    if (data.knots.length <= 33) {
      ctx.beginPath();
      data.knots.forEach((a) => { const px = Math.round(f.sx(a)) + 0.5; ctx.moveTo(px, f.top); ctx.lineTo(px, f.bottom); });
      ctx.stroke();
    }
    ctx.setLineDash([]); ctx.strokeStyle = gs.colors.axis;
    ctx.beginPath(); ctx.moveTo(f.left, Math.round(f.sy(0)) + 0.5); ctx.lineTo(f.right, Math.round(f.sy(0)) + 0.5);
    ctx.stroke();
    ctx.restore();
    // the curve, the pieces from 0, the constant, the sum on top
    gs.line(f, x, data.curve, { color: gs.colors.curve, width: 4, alpha: 0.3 });
    const thin = data.n > 16 ? 0.9 : 1.4;
    data[k].forEach((piece, i) => gs.line(f, x, piece, { color: pieceColour(i), width: thin, alpha: 0.85 }));
    gs.line(f, [x[0], x[x.length - 1]], [data.constant, data.constant],
      { color: gs.colors.plum, width: 1.5, dash: [6, 4] });
    gs.line(f, x, data[`${k}_sum`], { color: gs.colors.orange, width: 2.2 });
    const pieceName = gs.t(k === "hard" ? "pg.pieces.hard" : "pg.pieces.sigmoid");
    gs.legend(f, [
      { label: gs.t("pg.pieces.legend.curve"), color: "rgba(74, 79, 85, 0.35)", width: 4 },
      { label: gs.t("pg.pieces.legend.constant"), color: gs.colors.plum, dash: [6, 4], width: 1.5 },
      { label: gs.t("pg.pieces.legend.pieces", { kind: pieceName }), color: pieceColour(0), width: 1.4 },
      { label: gs.t("pg.pieces.legend.sum"), color: gs.colors.orange, width: 2.2 },
    ]);
  }

  // ---- drawing a curve with the mouse (or a finger) ----------------------------------------------------------
  const POSITIONS = 365; // the drawn curve's length: one value per position, as many as the days of a year

  function startDrawing() {
    const top = data ? Math.max(...data.curve) * 1.3 : 10000;
    drawing = { stroke: [], x: [1, POSITIONS], range: [0, top], down: false };
    hook("pieces-draw").classList.add("active");
    hook("pieces-note").textContent = gs.t("pg.pieces.drawing");
    drawCanvas();
  }

  function point(event) {
    const rect = canvas.getBoundingClientRect();
    const f = drawing.frame;
    return [Math.min(f.right, Math.max(f.left, event.clientX - rect.left)),
      Math.min(f.bottom, Math.max(f.top, event.clientY - rect.top))];
  }

  // The stroke as one value per position: straight lines between the stroke's points (a later stroke over the
  // same positions wins), the ends held flat; null when it covers fewer than two positions.
  function curveOf(stroke, f) {
    const values = new Array(POSITIONS).fill(NaN);
    const pts = stroke.map(([px, py]) => [f.ix(px), f.iy(py)]);
    for (let i = 0; i < pts.length; i++) {
      const [xa, ya] = pts[Math.max(0, i - 1)], [xb, yb] = pts[i];
      const from = Math.round(Math.min(xa, xb)), to = Math.round(Math.max(xa, xb));
      for (let c = Math.max(1, from); c <= Math.min(POSITIONS, to); c++) {
        const s = xb === xa ? 1 : (c - xa) / (xb - xa);
        values[c - 1] = ya + Math.min(1, Math.max(0, s)) * (yb - ya);
      }
    }
    const known = values.map((v, i) => (Number.isNaN(v) ? -1 : i)).filter((i) => i >= 0);
    if (known.length < 2) return null;
    for (let i = 0; i < POSITIONS; i++) {
      if (!Number.isNaN(values[i])) continue;
      const before = known.filter((k) => k < i).pop(), after = known.find((k) => k > i);
      if (before === undefined) values[i] = values[after];
      else if (after === undefined) values[i] = values[before];
      else values[i] = values[before] + ((i - before) / (after - before)) * (values[after] - values[before]);
    }
    return values.map((v) => Math.round(v * 100) / 100);
  }

  function init() {
    gs.setting("count", hook("pieces-count"));
    gs.setting("kind", hook("pieces-kind"), draw);
    hook("pieces-fit").addEventListener("click", fit);
    hook("pieces-count").addEventListener("change", fit);
    hook("pieces-count").addEventListener("keydown", (event) => { if (event.key === "Enter") fit(); });
    hook("pieces-kind").addEventListener("change", draw);
    hook("pieces-draw").addEventListener("click", () => {
      if (drawing) { drawing = null; draw(); } else startDrawing();
    });
    hook("pieces-year").addEventListener("click", () => { drawn = null; drawing = null; fit(); });
    canvas.addEventListener("pointerdown", (event) => {
      if (!drawing) return;
      canvas.setPointerCapture(event.pointerId);
      drawing.down = true;
      drawing.stroke.push(point(event));
      drawCanvas();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing || !drawing.down) return;
      drawing.stroke.push(point(event));
      drawCanvas();
    });
    canvas.addEventListener("pointerup", () => {
      if (!drawing || !drawing.down) return;
      const values = curveOf(drawing.stroke, drawing.frame);
      drawing.down = false;
      if (!values) return; // a click, not a stroke: keep drawing
      drawn = values;
      drawing = null;
      fit();
    });
  }

  gs.pieces = { init, load: fit, draw };
})();
