// Panel 3, training: the controls become one POST /api/train; its epochs stream back as Server-Sent Events and are
// drawn as they come (training and validation MAE per epoch); at the end, the validation days' predictions against
// the truth and a link to the trained model. Closing the stream (Stop does not; leaving the page does) ends the
// training on the server.
(function () {
  "use strict";
  const gs = window.gradstep;
  const { panel, hook } = gs.panel("train");
  const lossCanvas = document.getElementById("train-canvas");
  const predCanvas = document.getElementById("train-pred-canvas");

  // control → key in the address
  const CONTROLS = {
    model: "train-model", units: "train-units", layers: "train-layers", days: "train-days", train_lr: "train-lr",
    batch: "train-batch-size", epochs: "train-epochs", seed: "train-seed", l1: "train-l1", l2: "train-l2",
    dropout: "train-dropout", patience: "train-patience", noise: "train-noise", log: "train-log",
  };
  let run = null; // {id, source, history: [{epoch, train_loss, valid_loss}], epochs, patience, done, stopping}
  let pending = false; // a redraw is scheduled

  // The request of the controls; the server checks every value and answers a bad one with one line.
  function request() {
    const number = (id) => {
      const text = hook(id).value.trim();
      return text === "" ? null : Number(text);
    };
    const batch = hook("train-batch-size").value;
    return {
      model: hook("train-model").value, units: number("train-units"), layers: number("train-layers"),
      days: number("train-days"), lr: number("train-lr"), batch_size: batch === "full" ? "full" : Number(batch),
      epochs: number("train-epochs"), seed: number("train-seed"), l1: number("train-l1"), l2: number("train-l2"),
      dropout: number("train-dropout"), patience: number("train-patience"), noise: number("train-noise"),
    };
  }

  // Dim the controls the chosen model does not use (the server ignores them too).
  function modelChanged() {
    const model = hook("train-model").value;
    const unused = { units: model === "linear", layers: model !== "relu", dropout: model !== "relu" };
    Object.entries(unused).forEach(([name, off]) => {
      const input = hook(`train-${name}`);
      input.disabled = off;
      input.closest("label").classList.toggle("off", off);
    });
  }

  function status(key, values) { hook("train-status").textContent = gs.t(key, values); }
  function running(on) {
    hook("train-start").disabled = on;
    hook("train-stop").disabled = !on;
    panel.classList.toggle("busy", on);
  }

  async function start() {
    if (run && run.source && !run.done) return;
    const body = request();
    gs.showError(panel, "");
    document.getElementById("train-download-box").hidden = true;
    ["train-epoch", "train-loss", "valid-loss"].forEach((id) => { hook(id).textContent = "–"; });
    status("pg.train.status.starting");
    running(true);
    let id;
    try {
      ({ id } = await gs.api("/api/train", body));
    } catch (error) {
      gs.showError(panel, error.message);
      status("pg.train.status.idle");
      running(false);
      return;
    }
    run = { id, history: [], epochs: body.epochs, patience: body.patience, done: null, stopping: false };
    const source = (run.source = new EventSource(gs.withToken(`/api/train/${id}/events`)));
    const mine = run;
    source.addEventListener("epoch", (event) => {
      const row = JSON.parse(event.data);
      mine.history.push(row);
      hook("train-epoch").textContent = String(row.epoch);
      hook("train-loss").textContent = gs.kViews(row.train_loss);
      hook("valid-loss").textContent = gs.kViews(row.valid_loss);
      if (!mine.stopping) status("pg.train.status.running", { epoch: row.epoch, epochs: mine.epochs });
      redraw();
    });
    source.addEventListener("done", (event) => {
      source.close();
      mine.done = JSON.parse(event.data);
      finished(mine);
    });
    // the server's one line when the training fails
    source.addEventListener("failed", (event) => {
      source.close();
      mine.done = { failed: true };
      gs.showError(panel, JSON.parse(event.data).error);
      status("pg.train.status.failed");
      running(false);
    });
    // the browser's own event: the stream broke before the training ended
    source.addEventListener("error", () => {
      source.close();
      if (mine.done) return;
      mine.done = { failed: true };
      status("pg.train.status.lost");
      running(false);
    });
  }

  function finished(mine) {
    const d = mine.done, valid = gs.kViews(d.valid_mae);
    if (d.stopped) status("pg.train.status.stopped", { epochs: d.epochs, valid });
    else if (d.early_stopped) {
      status("pg.train.status.early", { epochs: d.epochs, best: d.best_epoch, valid });
    } else status("pg.train.status.done", { epochs: d.epochs, valid });
    const link = hook("train-download");
    link.href = gs.withToken(`/api/train/${mine.id}/model`);
    document.getElementById("train-download-box").hidden = false;
    running(false);
    redraw();
  }

  async function stop() {
    if (!run || run.done) return;
    run.stopping = true;
    hook("train-stop").disabled = true;
    status("pg.train.status.stopping");
    try {
      await gs.api(`/api/train/${run.id}/stop`, {});
    } catch (error) {
      gs.showError(panel, error.message);
    }
  }

  // ---- charts ---------------------------------------------------------------------------------------------------
  function redraw() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; draw(); });
  }

  function draw() {
    drawLosses();
    drawPredictions();
  }

  function drawLosses() {
    const area = gs.prepare(lossCanvas);
    const history = run ? run.history : [];
    const planned = Number(run ? run.epochs : hook("train-epochs").value) || 1;
    const last = Math.max(2, planned, history.length ? history[history.length - 1].epoch : 0);
    const values = history.flatMap((r) => [r.train_loss, r.valid_loss]).filter((v) => v > 0 && Number.isFinite(v));
    const logY = hook("train-log").checked && values.length > 0;
    let y;
    if (!values.length) y = [0, 1000];
    else if (logY) y = [Math.min(...values) * 0.9, Math.max(...values) * 1.12];
    else y = [0, Math.max(...values) * 1.12];
    const f = gs.frame(area, {
      x: [1, last], y, logY, xLabel: gs.t("pg.train.epoch"), yLabel: gs.t("pg.unit.k"), yFormat: gs.kViews,
      xFormat: (v) => String(Math.round(v)),
    });
    if (!history.length) return;
    const epochs = history.map((r) => r.epoch);
    const items = [
      { label: gs.t("pg.train.legend.train"), color: gs.colors.teal, width: 2 },
      { label: gs.t("pg.train.legend.valid"), color: gs.colors.orange, width: 2 },
    ];
    const best = run.done && run.done.best_epoch;
    if (best) {
      gs.line(f, [best, best], [y[0], y[1]], { color: gs.colors.soft, width: 1, dash: [4, 4] });
      items.push({ label: gs.t("pg.train.legend.best"), color: gs.colors.soft, width: 1, dash: [4, 4] });
    }
    gs.line(f, epochs, history.map((r) => r.train_loss), { color: gs.colors.teal, width: 2 });
    gs.line(f, epochs, history.map((r) => r.valid_loss), { color: gs.colors.orange, width: 2 });
    gs.legend(f, items);
  }

  function drawPredictions() {
    const area = gs.prepare(predCanvas);
    const d = run && run.done;
    if (!d || !d.dates) return gs.placeholder(area, gs.t("pg.train.pred_empty"));
    const index = d.dates.map((_, i) => i);
    const all = [...d.truth, ...d.prediction].filter(Number.isFinite);
    const lo = Math.min(...all), hi = Math.max(...all), pad = (hi - lo) * 0.08 || 1;
    const f = gs.frame(area, {
      x: [0, d.dates.length - 1], y: [Math.max(0, lo - pad), hi + pad * 3],
      xTicks: index.filter((i) => i % 7 === 0), xFormat: (i) => d.dates[Math.round(i)].slice(5),
      xLabel: `${d.dates[0]} – ${d.dates[d.dates.length - 1]}`, yLabel: gs.t("pg.unit.k"), yFormat: gs.kViews,
    });
    gs.line(f, index, d.truth, { color: gs.colors.curve, width: 3, alpha: 0.35 });
    gs.line(f, index, d.prediction, { color: gs.colors.orange, width: 2 });
    gs.legend(f, [
      { label: gs.t("pg.train.legend.truth"), color: "rgba(74, 79, 85, 0.4)", width: 3 },
      { label: gs.t("pg.train.legend.prediction"), color: gs.colors.orange, width: 2 },
    ]);
  }

  function init() {
    Object.entries(CONTROLS).forEach(([key, id]) => gs.setting(key, hook(id), key === "model" ? modelChanged : null));
    hook("train-model").addEventListener("change", modelChanged);
    hook("train-log").addEventListener("change", draw);
    hook("train-epochs").addEventListener("change", () => { if (!run) draw(); });
    hook("train-start").addEventListener("click", start);
    hook("train-stop").addEventListener("click", stop);
    modelChanged();
  }

  function load() {
    status("pg.train.status.idle");
    draw();
  }

  gs.train = { init, load, draw };
})();
