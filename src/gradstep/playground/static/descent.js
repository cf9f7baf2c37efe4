// Panel 1, gradient descent: the error surface L(w, b) of the 1-day model y = b + w·x₁ as a heat map (log colour
// scale, contour lines at 1, 2, 5 × 10^k), the path of the descent on it, the optimum ★. The steps are taken by the
// server (gradstep's engine); the page only asks for them and draws.
(function () {
  "use strict";
  const gs = window.gradstep;
  const { panel, hook } = gs.panel("descent");
  const canvas = document.getElementById("descent-canvas");
  const scaleCanvas = document.getElementById("descent-scale");

  const CAP = 40; // the view widens to follow a path up to CAP times the surface's grid; beyond, an arrow points
  let surface = null; // the server's grid: {w, b, loss, optimum, start}
  let quad = null; // L(w, b) fitted to the grid (see fitSurface)
  let path = []; // [{w, b, loss, lr}], the first is the start (lr: the rate of the step that reached a point)
  let ghosts = []; // the last few paths before a reset, drawn faint to compare rates: [{points, lr}]
  let start = null; // where a reset goes back to: the surface's start or a clicked point
  let pendingStart = null; // a start point from the address, kept until the surface arrives
  let busy = false, truncated = false, frame = null, heat = null;

  // ---- the surface as a function -----------------------------------------------------------------------------
  // The MSE of y = b + w·x₁ is exactly a quadratic in (w, b), so six numbers fitted to the server's 61×61 grid
  // (least squares, coordinates scaled to [-1, 1]) give L anywhere: the heat map can follow a path that leaves the
  // grid, and the loss of a clicked start is known at once.
  function fitSurface(grid) {
    const cw = (grid.w[0] + grid.w[grid.w.length - 1]) / 2, sw = (grid.w[grid.w.length - 1] - grid.w[0]) / 2;
    const cb = (grid.b[0] + grid.b[grid.b.length - 1]) / 2, sb = (grid.b[grid.b.length - 1] - grid.b[0]) / 2;
    const features = (u, v) => [1, u, v, u * u, u * v, v * v];
    const A = Array.from({ length: 6 }, () => new Array(6).fill(0)), y = new Array(6).fill(0);
    grid.b.forEach((b, i) => grid.w.forEach((w, j) => {
      const phi = features((w - cw) / sw, (b - cb) / sb), L = grid.loss[i][j];
      for (let r = 0; r < 6; r++) {
        y[r] += phi[r] * L;
        for (let c = 0; c < 6; c++) A[r][c] += phi[r] * phi[c];
      }
    }));
    const coef = solve(A, y);
    return (w, b) => {
      const phi = features((w - cw) / sw, (b - cb) / sb);
      return Math.max(phi.reduce((sum, p, k) => sum + p * coef[k], 0), grid.optimum.loss);
    };
  }
  // Gaussian elimination with partial pivoting (A is 6×6).
  function solve(A, y) {
    const n = y.length, M = A.map((row, i) => [...row, y[i]]);
    for (let c = 0; c < n; c++) {
      let pivot = c;
      for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[pivot][c])) pivot = r;
      [M[c], M[pivot]] = [M[pivot], M[c]];
      for (let r = c + 1; r < n; r++) {
        const factor = M[r][c] / M[c][c];
        for (let k = c; k <= n; k++) M[r][k] -= factor * M[c][k];
      }
    }
    const x = new Array(n).fill(0);
    for (let r = n - 1; r >= 0; r--) {
      let sum = M[r][n];
      for (let k = r + 1; k < n; k++) sum -= M[r][k] * x[k];
      x[r] = sum / M[r][r];
    }
    return x;
  }

  // ---- the view -------------------------------------------------------------------------------------------------
  // The grid's box, widened (with a margin) to hold every point of the path, at most CAP times the grid.
  function viewFor(points) {
    const w = surface.w, b = surface.b;
    let w0 = w[0], w1 = w[w.length - 1], b0 = b[0], b1 = b[b.length - 1];
    const cw = (w0 + w1) / 2, hw = (w1 - w0) / 2, cb = (b0 + b1) / 2, hb = (b1 - b0) / 2;
    points.forEach((p) => {
      if (!Number.isFinite(p.w) || !Number.isFinite(p.b)) return;
      w0 = Math.min(w0, p.w); w1 = Math.max(w1, p.w); b0 = Math.min(b0, p.b); b1 = Math.max(b1, p.b);
    });
    const grew = w0 < w[0] || w1 > w[w.length - 1] || b0 < b[0] || b1 > b[b.length - 1];
    if (grew) { // a margin around the widened box, so the last point is not on the edge
      const mw = (w1 - w0) * 0.06, mb = (b1 - b0) * 0.06;
      w0 -= mw; w1 += mw; b0 -= mb; b1 += mb;
    }
    return {
      w0: Math.max(w0, cw - CAP * hw), w1: Math.min(w1, cw + CAP * hw),
      b0: Math.max(b0, cb - CAP * hb), b1: Math.min(b1, cb + CAP * hb),
    };
  }
  const inView = (v, p) => p.w >= v.w0 && p.w <= v.w1 && p.b >= v.b0 && p.b <= v.b1;

  // ---- colours ---------------------------------------------------------------------------------------------------
  // From deep blue (low loss) through teal and green to pale sand (high loss).
  const STOPS = [[0, [22, 50, 79]], [0.28, [31, 111, 139]], [0.55, [79, 163, 165]], [0.8, [168, 213, 186]],
    [1, [245, 240, 225]]];
  function colour(t) {
    t = Math.min(1, Math.max(0, t));
    let k = 1;
    while (k < STOPS.length - 1 && STOPS[k][0] < t) k++;
    const [t0, c0] = STOPS[k - 1], [t1, c1] = STOPS[k], s = (t - t0) / (t1 - t0);
    return [0, 1, 2].map((i) => Math.round(c0[i] + s * (c1[i] - c0[i])));
  }
  // The contour band of L: 1, 2, 5 × 10^k each start one.
  function band(L) {
    const e = Math.floor(Math.log10(L)), m = L / Math.pow(10, e);
    return 3 * e + (m >= 5 ? 2 : m >= 2 ? 1 : 0);
  }

  // The heat map of the view in the plot area of frame f, drawn pixel by pixel (cached until the view or size changes).
  function heatMap(f, view, ratio) {
    const key = [view.w0, view.w1, view.b0, view.b1, f.right - f.left, f.bottom - f.top, ratio].join(",");
    if (heat && heat.key === key) return heat;
    const width = Math.round((f.right - f.left) * ratio), height = Math.round((f.bottom - f.top) * ratio);
    // The colour range: the optimum to the highest corner of the view (a quadratic bowl is highest at a corner).
    const lo = Math.log(surface.optimum.loss);
    const hi = Math.log(Math.max(quad(view.w0, view.b0), quad(view.w1, view.b0), quad(view.w0, view.b1),
      quad(view.w1, view.b1), surface.optimum.loss * 1.01));
    const bands = new Int16Array(width * height), image = new ImageData(width, height);
    const values = new Float64Array(width * height);
    for (let py = 0; py < height; py++) {
      const b = view.b1 - ((py + 0.5) / height) * (view.b1 - view.b0);
      for (let px = 0; px < width; px++) {
        const w = view.w0 + ((px + 0.5) / width) * (view.w1 - view.w0);
        const L = quad(w, b);
        values[py * width + px] = L;
        bands[py * width + px] = band(L);
      }
    }
    for (let k = 0; k < width * height; k++) {
      const [r, g, b] = colour((Math.log(values[k]) - lo) / (hi - lo));
      const px = k % width;
      const edge = (px + 1 < width && bands[k + 1] !== bands[k]) || (k + width < bands.length && bands[k + width] !== bands[k]);
      const shade = edge ? 0.72 : 1;
      image.data.set([r * shade, g * shade, b * shade, 255], 4 * k);
    }
    const offscreen = document.createElement("canvas");
    offscreen.width = width; offscreen.height = height;
    offscreen.getContext("2d").putImageData(image, 0, 0);
    heat = { key, canvas: offscreen, lo, hi };
    return heat;
  }

  // ---- drawing --------------------------------------------------------------------------------------------------
  function draw() {
    if (!surface) return;
    const area = gs.prepare(canvas);
    const view = viewFor(path);
    const f = (frame = gs.frame(area, {
      x: [view.w0, view.w1], y: [view.b0, view.b1], noGrid: true,
      xLabel: gs.t("pg.descent.axis_w"), yLabel: gs.t("pg.descent.axis_b"), yFormat: gs.kViews,
      margin: { left: 60, bottom: 44, right: 12, top: 10 },
    }));
    f.view = view;
    const map = heatMap(f, view, area.ratio);
    const ctx = area.ctx;
    ctx.drawImage(map.canvas, f.left, f.top, f.right - f.left, f.bottom - f.top);
    drawScale(map);

    ctx.save();
    ctx.beginPath(); ctx.rect(f.left, f.top, f.right - f.left, f.bottom - f.top); ctx.clip();
    const clamp = (v) => Math.max(-1e5, Math.min(1e5, v)); // far points stay drawable
    const px = (p) => [clamp(f.sx(p.w)), clamp(f.sy(p.b))];
    // earlier paths, faint, each named by its learning rate
    ghosts.forEach((ghost) => drawGhost(ctx, px, ghost, view));
    // the optimum ★
    star(ctx, f.sx(surface.optimum.w), f.sy(surface.optimum.b), 9);
    // the path: a white halo under an orange line, a dot per point, a ring at the start
    // (a long path that jumps to and fro gets thin lines, so its crossings stay a light hatch)
    const shown = visible(path, view);
    const line = shown.exit ? [...shown.points, shown.exit] : shown.points;
    const long = path.length > 16;
    if (line.length > 1) {
      [["rgba(255,255,255,0.75)", long ? 2.5 : 4.5], [gs.colors.orange, long ? 1.2 : 2]].forEach(([color, width]) => {
        ctx.strokeStyle = color; ctx.lineWidth = width; ctx.lineJoin = "round";
        ctx.beginPath();
        line.forEach((p, i) => { const [x, y] = px(p); if (i) ctx.lineTo(x, y); else ctx.moveTo(x, y); });
        ctx.stroke();
      });
    }
    shown.points.forEach((p, i) => {
      const [x, y] = px(p);
      ctx.beginPath();
      ctx.arc(x, y, i === 0 ? 5.5 : path.length > 120 ? 2 : 3, 0, 2 * Math.PI);
      ctx.fillStyle = i === 0 ? "#ffffff" : gs.colors.orange;
      ctx.strokeStyle = i === 0 ? gs.colors.orange : "#ffffff";
      ctx.lineWidth = i === 0 ? 2.5 : 1;
      ctx.fill(); ctx.stroke();
    });
    labelSteps(ctx, px, shown.points.length);
    ghosts.forEach((ghost) => labelGhost(ctx, px, ghost, view));
    ctx.restore();

    // a path that left even the widened view: an arrow where it crossed the border, pointing the way it went
    if (shown.exit) arrow(ctx, px(shown.exit.from), px(shown.exit));
    else if (!shown.points.length && path.length) arrowToward(ctx, f, path[path.length - 1]);
  }

  // The part of a path inside the view: its points up to the first one outside, and where the segment to that one
  // crosses the border (exit: {w, b, from}). Lines between points far beyond would only hatch the picture.
  function visible(points, view) {
    const cut = points.findIndex((p) => !inView(view, p));
    if (cut === -1) return { points, exit: null };
    if (cut === 0) return { points: [], exit: null };
    const a = points[cut - 1], b = points[cut];
    let t = 1;
    [[a.w, b.w, view.w0, view.w1], [a.b, b.b, view.b0, view.b1]].forEach(([p, q, lo, hi]) => {
      if (q > hi) t = Math.min(t, (hi - p) / (q - p));
      if (q < lo) t = Math.min(t, (lo - p) / (q - p));
    });
    return { points: points.slice(0, cut), exit: { w: a.w + t * (b.w - a.w), b: a.b + t * (b.b - a.b), from: a } };
  }

  // An earlier path: a dashed plum line on a white halo; its rate is written under its start (labelGhost,
  // after the current path, so that stays readable).
  function drawGhost(ctx, px, ghost, view) {
    const shown = visible(ghost.points, view);
    if (!shown.points.length) return;
    const line = shown.exit ? [...shown.points, shown.exit] : shown.points;
    ctx.save();
    ctx.lineJoin = "round";
    [["rgba(255,255,255,0.7)", 4, []], [gs.colors.plum, 2, [6, 4]]].forEach(([color, width, dash]) => {
      ctx.strokeStyle = color; ctx.lineWidth = width; ctx.setLineDash(dash);
      ctx.beginPath();
      line.forEach((p, i) => { const [x, y] = px(p); if (i) ctx.lineTo(x, y); else ctx.moveTo(x, y); });
      ctx.stroke();
    });
    ctx.fillStyle = gs.colors.plum;
    shown.points.forEach((p) => { const [x, y] = px(p); ctx.beginPath(); ctx.arc(x, y, 1.8, 0, 2 * Math.PI); ctx.fill(); });
    const [x, y] = px(ghost.points[0]);
    ctx.setLineDash([]); ctx.fillStyle = "#ffffff"; ctx.strokeStyle = gs.colors.plum; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.arc(x, y, 4, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    ctx.restore();
  }
  function labelGhost(ctx, px, ghost, view) {
    if (!inView(view, ghost.points[0])) return;
    ctx.save();
    const [x, y] = px(ghost.points[0]);
    const label = `η = ${ghost.lr}`;
    ctx.font = gs.font(12, "600"); ctx.textBaseline = "top"; ctx.textAlign = "left";
    ctx.lineWidth = 3.5; ctx.strokeStyle = "rgba(255,255,255,0.95)"; ctx.setLineDash([]);
    ctx.strokeText(label, x + 7, y + 6);
    ctx.fillStyle = gs.colors.plum;
    ctx.fillText(label, x + 7, y + 6);
    ctx.restore();
  }

  // A five-pointed star at (x, y).
  function star(ctx, x, y, r) {
    ctx.save();
    ctx.beginPath();
    for (let k = 0; k < 10; k++) {
      const angle = -Math.PI / 2 + (k * Math.PI) / 5, radius = k % 2 ? r * 0.45 : r;
      ctx.lineTo(x + radius * Math.cos(angle), y + radius * Math.sin(angle));
    }
    ctx.closePath();
    ctx.fillStyle = gs.colors.gold; ctx.strokeStyle = "#5a4300"; ctx.lineWidth = 1.2;
    ctx.fill(); ctx.stroke();
    ctx.restore();
  }

  // Step numbers, sparsely: every step of a short path, then 0 and multiples of a round stride; none that would
  // overlap one already written.
  function labelSteps(ctx, px, count) {
    const n = path.length - 1;
    if (n < 1) return;
    const stride = n <= 8 ? 1 : [2, 5, 10, 20, 50, 100].find((s) => n / s <= 8) || 100;
    const placed = [];
    ctx.font = gs.font(11, "600");
    ctx.textBaseline = "bottom"; ctx.textAlign = "left";
    for (let i = 0; i < count; i++) {
      if (i % stride !== 0 && i < n - 1) continue; // the last two show a path that jumps to and fro
      const [x, y] = px(path[i]);
      if (placed.some(([a, b]) => Math.hypot(a - x, b - y) < 16)) continue;
      placed.push([x, y]);
      ctx.lineWidth = 3; ctx.strokeStyle = "rgba(255,255,255,0.9)"; ctx.fillStyle = gs.colors.ink;
      ctx.strokeText(String(i), x + 5, y - 3);
      ctx.fillText(String(i), x + 5, y - 3);
    }
  }

  // An arrow with its tip at `to`, pointing away from `from` (pixels).
  function arrow(ctx, from, to) {
    const angle = Math.atan2(to[1] - from[1], to[0] - from[0]);
    if (!Number.isFinite(angle)) return;
    ctx.save();
    ctx.translate(to[0], to[1]); ctx.rotate(angle);
    ctx.fillStyle = gs.colors.orange; ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 1.5;
    ctx.beginPath(); ctx.moveTo(0, 0); ctx.lineTo(-20, -8); ctx.lineTo(-15, 0); ctx.lineTo(-20, 8); ctx.closePath();
    ctx.fill(); ctx.stroke();
    ctx.restore();
  }

  // An arrow on the border of frame f, on the ray from the view's centre toward point p.
  function arrowToward(ctx, f, p) {
    const cx = (f.left + f.right) / 2, cy = (f.top + f.bottom) / 2;
    let dx = f.sx(p.w) - cx, dy = f.sy(p.b) - cy;
    if (!Number.isFinite(dx) || !Number.isFinite(dy)) return;
    const length = Math.hypot(dx, dy);
    dx /= length; dy /= length;
    const t = Math.min(Math.abs((f.right - f.left) / 2 / (dx || 1e-9)), Math.abs((f.bottom - f.top) / 2 / (dy || 1e-9))) - 14;
    const x = cx + dx * t, y = cy + dy * t;
    ctx.save();
    ctx.translate(x, y); ctx.rotate(Math.atan2(dy, dx));
    ctx.fillStyle = gs.colors.orange; ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 1.5;
    ctx.beginPath(); ctx.moveTo(12, 0); ctx.lineTo(-8, -8); ctx.lineTo(-3, 0); ctx.lineTo(-8, 8); ctx.closePath();
    ctx.fill(); ctx.stroke();
    ctx.restore();
  }

  // The colour scale under the chart: the log range of the heat map with round ticks.
  function drawScale(map) {
    const area = gs.prepare(scaleCanvas), ctx = area.ctx;
    const left = 8, right = area.width - 8, top = 2, bar = 10;
    for (let x = left; x < right; x++) {
      const [r, g, b] = colour((x - left) / (right - left));
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect(x, top, 1.5, bar);
    }
    ctx.font = gs.font(10); ctx.fillStyle = gs.colors.soft; ctx.textAlign = "center"; ctx.textBaseline = "top";
    const lo = Math.exp(map.lo), hi = Math.exp(map.hi);
    let ticks = gs.logTicks(lo, hi);
    if (ticks.length > 6) ticks = ticks.filter((v) => /^1/.test(v.toExponential())); // powers of ten only
    ticks.forEach((v) => {
      const x = left + ((Math.log(v) - map.lo) / (map.hi - map.lo)) * (right - left);
      ctx.fillRect(x, top + bar, 1, 3);
      ctx.fillText(gs.fmt(v, 3), x, top + bar + 3);
    });
  }

  // ---- readouts and notes --------------------------------------------------------------------------------------
  function show() {
    const last = path[path.length - 1];
    hook("descent-w").textContent = gs.fmt(last.w);
    hook("descent-b").textContent = gs.kViews(last.b);
    hook("descent-loss").textContent = gs.fmt(last.loss);
    hook("descent-steps").textContent = String(path.length - 1);
    const notes = [];
    const best = surface.optimum.loss;
    if (truncated) notes.push(gs.t("pg.descent.overflow"));
    else if (path.length > 1 && last.loss <= best * 1.01) notes.push(gs.t("pg.descent.reached"));
    else if (path.length > 1 && last.loss > path[0].loss) notes.push(gs.t("pg.descent.grows"));
    else if (path.length > 1) notes.push(gs.t("pg.descent.slow"));
    if (frame && frame.view && !inView(frame.view, last)) notes.push(gs.t("pg.descent.left"));
    const note = hook("descent-note");
    note.textContent = notes.join(" ");
    note.classList.toggle("warn", truncated || (path.length > 1 && last.loss > path[0].loss));
  }
  function setBusy(value) {
    busy = value;
    ["descent-step", "descent-run", "descent-reset"].forEach((id) => { hook(id).disabled = value; });
  }

  // Back to the start point (the loss there from the fitted surface; the steps' losses come from the server).
  function reset() {
    if (path.length > 1) ghosts = [...ghosts, { points: path, lr: path[path.length - 1].lr }].slice(-3);
    path = [{ w: start.w, b: start.b, loss: quad(start.w, start.b) }];
    truncated = false;
    draw();
    show();
  }

  // Ask the server for `steps` steps from the current point with the current rate; reveal them one by one.
  async function advance(steps) {
    if (busy || !surface) return;
    const last = path[path.length - 1];
    if (truncated) return; // a diverged path has nowhere further to go
    setBusy(true);
    try {
      const answer = await gs.api("/api/descent/run", {
        w: last.w, b: last.b, lr: Number(hook("descent-lr").value), steps,
      });
      gs.showError(panel, "");
      const lr = Number(hook("descent-lr").value);
      const fresh = answer.path.slice(1).map((p, i) => ({ w: p[0], b: p[1], loss: answer.loss[i + 1], lr }));
      await reveal(fresh, steps);
      truncated = answer.path.length < steps + 1;
      show();
    } catch (error) {
      gs.showError(panel, error.message);
    } finally {
      setBusy(false);
    }
  }

  // Add the points to the path over about 1.5 s (a single step at once), redrawing as they come.
  function reveal(points, steps) {
    if (steps === 1 || points.length <= 1) {
      path.push(...points);
      draw(); show();
      return Promise.resolve();
    }
    const each = Math.min(60, Math.max(10, 1500 / points.length));
    const began = performance.now();
    let shown = 0;
    return new Promise((done) => {
      function tick(now) {
        const due = Math.min(points.length, Math.floor((now - began) / each) + 1);
        if (due > shown) {
          path.push(...points.slice(shown, due));
          shown = due;
          draw(); show();
        }
        if (shown < points.length) requestAnimationFrame(tick); else done();
      }
      requestAnimationFrame(tick);
    });
  }

  // ---- wiring ---------------------------------------------------------------------------------------------------
  async function init() {
    gs.setting("lr", hook("descent-lr"));
    gs.setting("run", hook("descent-run-steps"));
    // the start point, when the user clicked one: "w,b" in views
    gs.customSetting("start",
      () => (start && surface && (start.w !== surface.start.w || start.b !== surface.start.b)
        ? `${Number(start.w.toPrecision(5))},${Math.round(start.b)}` : ""),
      (value) => {
        const [w, b] = String(value).split(",").map(Number);
        pendingStart = Number.isFinite(w) && Number.isFinite(b) ? { w, b } : null;
        if (surface) { start = pendingStart || surface.start; reset(); }
      });
    hook("descent-step").addEventListener("click", () => advance(1));
    hook("descent-run").addEventListener("click", () => {
      const steps = Math.round(Number(hook("descent-run-steps").value));
      advance(Number.isFinite(steps) && steps > 0 ? steps : 50);
    });
    hook("descent-reset").addEventListener("click", () => { if (!busy && surface) reset(); });
    canvas.addEventListener("click", (event) => {
      if (busy || !frame) return;
      const rect = canvas.getBoundingClientRect();
      const x = event.clientX - rect.left, y = event.clientY - rect.top;
      if (x < frame.left || x > frame.right || y < frame.top || y > frame.bottom) return;
      start = { w: frame.ix(x), b: frame.iy(y) };
      reset();
      gs.saveSettings();
    });
  }

  // Fetch the surface once the words are in, and draw the start.
  async function load() {
    setBusy(true); // nothing to step on before the surface arrives
    try {
      surface = await gs.api("/api/descent/surface");
      quad = fitSurface(surface);
      hook("descent-optimum").textContent = gs.t("pg.descent.optimum", { loss: gs.fmt(surface.optimum.loss) });
      hook("descent-optimum").dataset.loss = String(surface.optimum.loss);
      start = pendingStart || surface.start;
      reset();
      setBusy(false);
    } catch (error) {
      gs.showError(panel, error.message);
    }
  }

  gs.descent = { init, load, draw: () => { if (surface) { draw(); show(); } } };
})();
