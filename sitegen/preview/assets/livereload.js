// sitegen serve: reload after each finished build, swap CSS in place, show build errors.
// Injected only by the preview server; never part of a built site.
(() => {
  "use strict";
  const script = document.currentScript;
  const server = script.dataset.server;
  let epoch = Number(script.dataset.epoch);
  const scrollKey = "sitegen:scroll:" + location.pathname;

  // Put the reader back where they were before the reload, once the layout exists.
  const saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    const [x, y] = JSON.parse(saved);
    const restore = () => window.scrollTo(x, y);
    if (document.readyState === "complete") restore();
    else window.addEventListener("load", restore, { once: true });
  }

  function reload() {
    sessionStorage.setItem(scrollKey, JSON.stringify([window.scrollX, window.scrollY]));
    location.reload();
  }

  function swapStylesheets(version) {
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("sitegen", String(version));
      // Keep the old sheet until the new one has loaded, so the page never flashes unstyled.
      const next = link.cloneNode();
      next.href = url.href;
      next.addEventListener("load", () => link.remove(), { once: true });
      next.addEventListener("error", () => next.remove(), { once: true });
      link.after(next);
    }
  }

  const OVERLAY_ID = "sitegen-errors";

  function showErrors(errors, heading) {
    document.getElementById(OVERLAY_ID)?.remove();
    if (!errors.length) return;
    // Only textContent below: messages quote author input and must never become markup.
    const box = document.createElement("div");
    box.id = OVERLAY_ID;
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-labelledby", OVERLAY_ID + "-title");
    box.style.cssText = [
      "position:fixed", "inset:auto 1rem 1rem 1rem", "max-height:60vh", "overflow:auto",
      "z-index:2147483647", "background:#fff8f7", "color:#1a1a1a", "border:2px solid #b00020",
      "border-radius:6px", "padding:1rem 1.25rem", "box-shadow:0 4px 24px rgba(0,0,0,.3)",
      "font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace",
    ].join(";");
    const title = document.createElement("h2");
    title.id = OVERLAY_ID + "-title";
    title.style.cssText = "margin:0 0 .5rem;font:bold 16px/1.3 system-ui,sans-serif;color:#b00020";
    // The server words the heading in the site's language, plural forms included.
    title.textContent = heading;
    const list = document.createElement("ul");
    list.style.cssText = "margin:0;padding-left:1.25rem";
    for (const error of errors) {
      const item = document.createElement("li");
      const where = document.createElement("strong");
      where.textContent = `${error.path}:${error.line}:${error.column}`;
      item.append(where, `: ${error.severity}: ${error.message}`);
      list.append(item);
    }
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = script.dataset.hide || "Hide";
    close.style.cssText = "float:right;font:inherit;cursor:pointer";
    close.addEventListener("click", () => box.remove());
    box.append(close, title, list);
    (document.body || document.documentElement).append(box);
  }

  // The page says which it is, so that the server reloads it only when it changed itself.
  const params = new URLSearchParams({ epoch: String(epoch), server: server, page: location.pathname });
  const events = new EventSource("/__sitegen/events?" + params);
  events.addEventListener("message", (event) => {
    const state = JSON.parse(event.data);
    if (state.action === "reload") {
      events.close();
      reload();
      return;
    }
    if (state.action === "css") swapStylesheets(state.epoch);
    epoch = state.epoch;
    showErrors(state.errors, state.heading);
  });
})();
