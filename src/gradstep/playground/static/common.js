// gradstep playground: what the three panels share. The token and the API, the page's words, number formats,
// the settings kept in the address (#lr=0.1&count=8…), and small helpers to draw charts on a <canvas>.
// Everything hangs on window.gradstep (`gs`); the panels (descent.js, pieces.js, train.js) add themselves to it.
(function () {
  "use strict";
  const gs = (window.gradstep = window.gradstep || {});

  // ---- the token and the API -------------------------------------------------------------------------------------
  // Every request carries the token of the URL gradstep printed (a header for fetch, the query where a header
  // cannot be set: EventSource and the download link).
  gs.token = document.querySelector('meta[name="gradstep-token"]').content;
  gs.withToken = (path) => `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(gs.token)}`;

  // GET (no body) or POST a JSON body; the answer's JSON, or an Error carrying the server's one line.
  gs.api = async function (path, body) {
    const options = { headers: { "X-Gradstep-Token": gs.token } };
    if (body !== undefined) {
      options.method = "POST";
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, options);
    } catch (failure) {
      throw new Error(gs.t("pg.error.network"));
    }
    let data = null;
    try {
      data = await response.json();
    } catch (notJson) { /* a 403 is plain text; the status says enough */ }
    if (!response.ok) throw new Error(data && data.error ? data.error : `HTTP ${response.status}`);
    return data;
  };

  // A panel by its id, and hook(id): its element with data-testid="id" (the hooks the tests drive are the ones the
  // scripts use).
  gs.panel = function (id) {
    const panel = document.getElementById(id);
    return { panel, hook: (testid) => panel.querySelector(`[data-testid="${testid}"]`) };
  };

  // Show one line in a panel's error element (data-testid="error"), or hide it with an empty message.
  gs.showError = function (panel, message) {
    const box = panel.querySelector('[data-testid="error"]');
    box.textContent = message ? String(message).split("\n")[0] : "";
    box.hidden = !message;
  };

  // ---- words -----------------------------------------------------------------------------------------------------
  gs.text = {};
  // The word of `key` with its {placeholders} filled; the key itself if the catalogue lacks it (easy to spot).
  gs.t = function (key, values) {
    const template = gs.text[key];
    if (template === undefined) return key;
    return template.replace(/\{(\w+)\}/g, (whole, name) => (values && name in values ? values[name] : whole));
  };
  // Put `text` in `element`, `code spans` as <code>.
  gs.setText = function (element, text) {
    element.textContent = "";
    text.split(/(`[^`]*`)/).forEach((part) => {
      if (part.startsWith("`") && part.endsWith("`") && part.length > 1) {
        const code = document.createElement("code");
        code.textContent = part.slice(1, -1);
        element.appendChild(code);
      } else if (part) {
        element.appendChild(document.createTextNode(part));
      }
    });
  };
  // Fill every element that names a key: data-t (its text), data-t-placeholder, data-t-label (its aria-label),
  // data-t-values (JSON placeholders).
  gs.applyWords = function (root) {
    root.querySelectorAll("[data-t]").forEach((element) => {
      const values = element.dataset.tValues ? JSON.parse(element.dataset.tValues) : undefined;
      gs.setText(element, gs.t(element.dataset.t, values));
    });
    root.querySelectorAll("[data-t-placeholder]").forEach((element) => {
      element.placeholder = gs.t(element.dataset.tPlaceholder);
    });
    // a drawing's description for screen readers
    root.querySelectorAll("[data-t-label]").forEach((element) => {
      element.setAttribute("aria-label", gs.t(element.dataset.tLabel));
    });
  };

  // ---- numbers -----------------------------------------------------------------------------------------------------
  // Four significant digits, plain for everyday sizes and with an exponent for huge or tiny ones; parseFloat reads
  // both back (the tests do).
  gs.fmt = function (x, digits = 4) {
    if (x === null || x === undefined || !Number.isFinite(x)) return "–";
    if (x !== 0 && (Math.abs(x) >= 1e6 || Math.abs(x) < 1e-3)) return x.toExponential(digits - 1);
    return String(Number(x.toPrecision(digits)));
  };
  gs.kViews = (views) => gs.fmt(views / 1000);

  // ---- settings in the address -------------------------------------------------------------------------------------
  // Each control registers a key; the values that differ from their defaults are written to the hash after every
  // change (the token stays in the query), and a hash given when the page opens (or pasted later) sets them back.
  const settings = [];
  gs.setting = function (key, element, onRestore) {
    const isBox = element.type === "checkbox";
    const entry = {
      key,
      get: () => (isBox ? (element.checked ? "1" : "0") : element.value.trim()),
      set: (value) => {
        if (isBox) element.checked = value === "1" || value === "true";
        else if (element.tagName === "SELECT" && ![...element.options].some((o) => o.value === value)) {
          const option = new Option(value, value); // a batch size the list lacks, from a shared address
          element.add(option);
          element.value = value;
        } else element.value = value;
        if (onRestore) onRestore();
      },
    };
    entry.initial = entry.get();
    settings.push(entry);
    element.addEventListener("input", gs.saveSettings);
    element.addEventListener("change", gs.saveSettings);
    return entry;
  };
  // A setting that is not an input (e.g. the descent's start point): get() and set(value) of the caller's own.
  gs.customSetting = function (key, get, set) {
    const entry = { key, get, set, initial: "" };
    settings.push(entry);
    return entry;
  };
  gs.saveSettings = function () {
    const params = new URLSearchParams();
    settings.forEach((entry) => {
      const value = entry.get();
      if (value !== entry.initial) params.set(entry.key, value);
    });
    const hash = params.toString();
    history.replaceState(null, "", location.pathname + location.search + (hash ? "#" + hash : ""));
  };
  gs.restoreSettings = function () {
    const params = new URLSearchParams(location.hash.slice(1));
    settings.forEach((entry) => {
      if (params.has(entry.key)) entry.set(params.get(entry.key));
      else if (entry.get() !== entry.initial) entry.set(entry.initial);
    });
  };

  // ---- canvas charts -------------------------------------------------------------------------------------------
  gs.colors = {
    ink: "#2d3436", soft: "#7a8288", grid: "#ebe7de", axis: "#b9b2a3",
    teal: "#2f7f86", orange: "#d9643a", gold: "#e0a419", plum: "#7b4f8e", curve: "#4a4f55",
  };
  gs.font = (size, weight = "") =>
    `${weight} ${size}px system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "Noto Sans SC", sans-serif`;

  // Size a canvas for its CSS box and the screen's pixel ratio; the 2D context draws in CSS pixels.
  gs.prepare = function (canvas) {
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth, height = canvas.clientHeight;
    canvas.width = Math.max(1, Math.round(width * ratio));
    canvas.height = Math.max(1, Math.round(height * ratio));
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    return { ctx, width, height, ratio };
  };

  // About `count` round ticks between lo and hi (steps of 1, 2 or 5 × 10^k).
  gs.ticks = function (lo, hi, count = 6) {
    if (!(hi > lo)) return [lo];
    const raw = (hi - lo) / count, power = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
    const ticks = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    return ticks;
  };
  // Ticks of a log axis: 1, 2, 5 × 10^k inside [lo, hi] (or only the powers of ten when there are many).
  gs.logTicks = function (lo, hi) {
    const ticks = [];
    const mantissas = Math.log10(hi / lo) > 4 ? [1] : [1, 2, 5];
    for (let p = Math.floor(Math.log10(lo)); p <= Math.ceil(Math.log10(hi)); p++) {
      mantissas.forEach((m) => {
        const v = m * Math.pow(10, p);
        if (v >= lo * 0.999 && v <= hi * 1.001) ticks.push(v);
      });
    }
    // a narrow range (less than a factor of 5) gets round ticks as a linear axis would
    return ticks.length >= 3 ? ticks : gs.ticks(lo, hi, 4).filter((v) => v > 0);
  };

  // A frame: the plot area inside margins and the scales from data to pixels, with its grid, ticks and labels drawn.
  // options: {x: [lo, hi], y: [lo, hi], logY, xLabel, yLabel, xTicks (values), xFormat, yFormat, margin}
  gs.frame = function (surface, options) {
    const { ctx, width, height } = surface;
    const m = Object.assign({ left: 56, right: 16, top: 14, bottom: 42 }, options.margin || {});
    const [x0, x1] = options.x, [y0, y1] = options.y;
    const logY = !!options.logY;
    const f = {
      ctx, left: m.left, right: width - m.right, top: m.top, bottom: height - m.bottom,
      sx: (x) => f.left + ((x - x0) / (x1 - x0)) * (f.right - f.left),
      sy: (y) => logY
        ? f.bottom - (Math.log(y / y0) / Math.log(y1 / y0)) * (f.bottom - f.top)
        : f.bottom - ((y - y0) / (y1 - y0)) * (f.bottom - f.top),
      ix: (px) => x0 + ((px - f.left) / (f.right - f.left)) * (x1 - x0),
      iy: (py) => logY
        ? y0 * Math.pow(y1 / y0, (f.bottom - py) / (f.bottom - f.top))
        : y0 + ((f.bottom - py) / (f.bottom - f.top)) * (y1 - y0),
    };
    const xTicks = options.xTicks || gs.ticks(x0, x1, Math.max(2, Math.round((f.right - f.left) / 90)));
    const yTicks = logY ? gs.logTicks(y0, y1) : gs.ticks(y0, y1, Math.max(2, Math.round((f.bottom - f.top) / 50)));
    const xFormat = options.xFormat || gs.fmt, yFormat = options.yFormat || gs.fmt;
    ctx.save();
    ctx.lineWidth = 1;
    ctx.font = gs.font(11);
    ctx.fillStyle = gs.colors.soft;
    if (!options.noGrid) {
      ctx.strokeStyle = gs.colors.grid;
      ctx.beginPath();
      yTicks.forEach((v) => { const y = Math.round(f.sy(v)) + 0.5; ctx.moveTo(f.left, y); ctx.lineTo(f.right, y); });
      xTicks.forEach((v) => { const x = Math.round(f.sx(v)) + 0.5; ctx.moveTo(x, f.top); ctx.lineTo(x, f.bottom); });
      ctx.stroke();
    }
    ctx.strokeStyle = gs.colors.axis;
    ctx.beginPath();
    ctx.moveTo(f.left + 0.5, f.top); ctx.lineTo(f.left + 0.5, f.bottom + 0.5); ctx.lineTo(f.right, f.bottom + 0.5);
    ctx.stroke();
    ctx.textAlign = "right"; ctx.textBaseline = "middle";
    yTicks.forEach((v) => ctx.fillText(yFormat(v), f.left - 6, f.sy(v)));
    ctx.textAlign = "center"; ctx.textBaseline = "top";
    xTicks.forEach((v) => ctx.fillText(xFormat(v), f.sx(v), f.bottom + 6));
    ctx.fillStyle = gs.colors.ink;
    ctx.font = gs.font(12);
    if (options.xLabel) { ctx.textBaseline = "bottom"; ctx.fillText(options.xLabel, (f.left + f.right) / 2, height - 4); }
    if (options.yLabel) {
      ctx.translate(13, (f.top + f.bottom) / 2); ctx.rotate(-Math.PI / 2);
      ctx.textBaseline = "middle"; ctx.fillText(options.yLabel, 0, 0);
    }
    ctx.restore();
    return f;
  };

  // A polyline of ys over xs in frame f (points that are not finite break the line).
  gs.line = function (f, xs, ys, style) {
    const ctx = f.ctx;
    ctx.save();
    ctx.strokeStyle = style.color; ctx.lineWidth = style.width || 1.5; ctx.globalAlpha = style.alpha || 1;
    ctx.lineJoin = "round"; ctx.lineCap = "round";
    if (style.dash) ctx.setLineDash(style.dash);
    ctx.beginPath();
    let drawing = false;
    for (let i = 0; i < xs.length; i++) {
      if (!Number.isFinite(ys[i])) { drawing = false; continue; }
      const x = f.sx(xs[i]), y = f.sy(ys[i]);
      if (drawing) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      drawing = true;
    }
    ctx.stroke();
    ctx.restore();
  };

  // A legend in one row at the top right of frame f: [{label, color, width, dash}].
  gs.legend = function (f, items) {
    const ctx = f.ctx;
    ctx.save();
    ctx.font = gs.font(12);
    ctx.textBaseline = "middle";
    const widths = items.map((item) => ctx.measureText(item.label).width + 34);
    let x = f.right - widths.reduce((a, b) => a + b, 0) - 4;
    const y = f.top + 10;
    ctx.fillStyle = "rgba(255, 253, 249, 0.85)";
    ctx.fillRect(x - 6, y - 10, f.right - x + 2, 20);
    items.forEach((item, i) => {
      ctx.strokeStyle = item.color; ctx.lineWidth = item.width || 2;
      ctx.setLineDash(item.dash || []);
      ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(x + 22, y); ctx.stroke();
      ctx.fillStyle = gs.colors.ink;
      ctx.fillText(item.label, x + 27, y);
      x += widths[i];
    });
    ctx.restore();
  };

  // Centered grey words in an empty chart.
  gs.placeholder = function (surface, message) {
    const { ctx, width, height } = surface;
    ctx.save();
    ctx.fillStyle = gs.colors.soft;
    ctx.font = gs.font(13);
    ctx.textAlign = "center"; ctx.textBaseline = "middle";
    ctx.fillText(message, width / 2, height / 2);
    ctx.restore();
  };
})();
