// gradstep playground: the start. Fetch /api/info (the words of the page's language, the series, the limits), put
// the words in, set the controls from the address, then let each panel fetch what it draws.
(function () {
  "use strict";
  const gs = window.gradstep;
  const panels = [gs.descent, gs.pieces, gs.train];

  async function boot() {
    const globalError = document.getElementById("global-error");
    try {
      const info = await gs.api("/api/info");
      gs.info = info;
      gs.text = info.text;
    } catch (error) {
      globalError.textContent = error.message;
      globalError.hidden = false;
      document.body.classList.remove("loading");
      return;
    }
    document.title = gs.t("pg.title");
    document.querySelector('[data-t="pg.train.lead"]').dataset.tValues = JSON.stringify({ valid: gs.info.valid_days });
    gs.applyWords(document);
    const s = gs.info.series;
    document.querySelector('[data-testid="series"]').textContent =
      gs.t("pg.series", { name: s.name.replace(/_/g, " "), first: s.first, last: s.last, days: s.days });

    panels.forEach((panel) => panel.init());
    gs.restoreSettings();
    document.body.classList.remove("loading");
    panels.forEach((panel) => panel.load());

    // a setting pasted into the address of an open page
    window.addEventListener("hashchange", () => {
      gs.restoreSettings();
      gs.pieces.load();
      gs.train.draw();
    });
    // redraw at the new size (once the resizing settles)
    let timer = null;
    window.addEventListener("resize", () => {
      clearTimeout(timer);
      timer = setTimeout(() => panels.forEach((panel) => panel.draw()), 120);
    });
  }

  boot();
})();
