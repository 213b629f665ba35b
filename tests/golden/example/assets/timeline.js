/* sitegen timeline: optional; the page is complete without it. Filters kept in the URL,
   long bodies collapsed, j/k between entries, deep links focused. Every word shown comes
   from the page's HTML, so a translation only touches templates. */
(function () {
  "use strict";
  var list = document.querySelector(".timeline-list");
  if (!list) return;
  var form = document.querySelector(".filters");
  var articles = [].slice.call(list.querySelectorAll("article.entry"));
  var marks = [].slice.call(document.querySelectorAll(".axis a"));
  var FIELDS = ["kind", "speaker", "rating"];
  var keysOn = true;
  articles.forEach(function (a) { a.tabIndex = -1; });
  function visible(a) { return !a.parentNode.classList.contains("is-hidden"); }
  function chosen() {
    var values = {};
    FIELDS.forEach(function (name) {
      var field = form && form.elements[name];
      if (field && field.value) values[name] = field.value;
    });
    return values;
  }
  function apply(values) {
    var shown = 0, hidden = {};
    articles.forEach(function (a) {
      var match = FIELDS.every(function (name) {
        return !values[name] || (a.getAttribute("data-" + name) || "none") === values[name];
      });
      a.parentNode.classList.toggle("is-hidden", !match);
      if (match) shown++; else hidden["#" + a.id] = 1;
    });
    marks.forEach(function (m) { m.classList.toggle("dim", !!hidden[m.getAttribute("href")]); });
    if (form) {
      form.querySelector(".filter-status").textContent = Object.keys(values).length
        ? form.getAttribute("data-status").replace("{shown}", shown).replace("{total}", articles.length) : "";
    }
  }
  function remember(values) {
    var params = new URLSearchParams(location.search);
    FIELDS.forEach(function (name) {
      if (values[name]) params.set(name, values[name]); else params.delete(name);
    });
    var query = params.toString();
    history.replaceState(history.state, "", location.pathname + (query ? "?" + query : "") + location.hash);
  }
  function fromUrl() {
    var params = new URLSearchParams(location.search), values = {};
    FIELDS.forEach(function (name) {
      var field = form && form.elements[name], value = params.get(name);
      /* A stale link may name a speaker no longer on the page: ignore it, show everything. */
      if (field && value && [].some.call(field.options, function (o) { return o.value === value; })) {
        field.value = values[name] = value;
      }
    });
    return values;
  }
  function show(values) {
    apply(values);
    remember(values);
  }
  if (form) {
    form.addEventListener("change", function (e) { if (e.target.name !== "keys") show(chosen()); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.addEventListener("reset", function () {
      setTimeout(function () { /* the reset event comes before the fields are cleared */
        form.elements.keys.checked = keysOn;
        show({});
      });
    });
  }
  function expand(button, open) {
    if (!button.hasAttribute("data-more")) button.setAttribute("data-more", button.textContent);
    document.getElementById(button.getAttribute("aria-controls")).classList.toggle("open", open);
    button.setAttribute("aria-expanded", open);
    button.textContent = button.getAttribute(open ? "data-less" : "data-more");
  }
  list.addEventListener("click", function (e) {
    var button = e.target.closest("button.more");
    if (button) expand(button, button.getAttribute("aria-expanded") !== "true");
  });
  function followHash() {
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var article = target && target.closest("article.entry");
    if (!article) return;
    if (!visible(article) && form) {
      form.reset();
      show({});
    }
    if (target.closest(".collapsible:not(.open)")) expand(article.querySelector("button.more"), true);
    articles.forEach(function (a) { a.classList.toggle("highlight", a === article); });
    if (target === article) article.focus({ preventScroll: true });
    target.scrollIntoView({ block: "start" });
  }
  window.addEventListener("hashchange", followHash);
  var keysBox = form && form.elements.keys;
  try { keysOn = localStorage.getItem("sitegen-keys") !== "off"; } catch (e) { /* storage blocked */ }
  if (keysBox) {
    keysBox.checked = keysOn;
    keysBox.addEventListener("change", function () {
      keysOn = keysBox.checked;
      try { localStorage.setItem("sitegen-keys", keysOn ? "on" : "off"); } catch (e) { /* this page only */ }
    });
  }
  /* The entry holding focus, else (as i - 0.5) the first one still on screen. */
  function current() {
    var active = document.activeElement, article = active && active.closest && active.closest("article.entry");
    if (article) return articles.indexOf(article);
    for (var i = 0; i < articles.length; i++) {
      if (visible(articles[i]) && articles[i].getBoundingClientRect().bottom > 1) return i - 0.5;
    }
    return articles.length - 0.5;
  }
  function move(step) {
    var i = current(), next = step > 0 ? Math.floor(i + 1) : Math.ceil(i - 1);
    while (articles[next] && !visible(articles[next])) next += step;
    if (!articles[next]) return;
    articles[next].focus({ preventScroll: true });
    articles[next].scrollIntoView({ block: "start" });
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (!keysOn || e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented) return;
    if (t.closest && t.closest("input, select, textarea, [contenteditable]")) return;
    var step = { j: 1, k: -1 }[e.key] ||
      (t.matches && t.matches("article.entry") && { ArrowDown: 1, ArrowUp: -1 }[e.key]);
    if (!step) return;
    e.preventDefault();
    move(step);
  });
  /* Hover tooltips for the axis marks, from the entry date and title that name them. */
  marks.forEach(function (m) {
    var title = document.createElementNS("http://www.w3.org/2000/svg", "title");
    title.textContent = m.getAttribute("aria-labelledby").split(" ").map(function (id) {
      return document.getElementById(id).textContent.trim();
    }).join(": ");
    m.insertBefore(title, m.firstChild);
  });
  apply(fromUrl());
  if (location.hash) followHash();
})();
