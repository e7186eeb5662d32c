// pyq export --format html: search, filters and the theme toggle. The page
// reads the same without this script (answers open with <details>).
(function () {
  "use strict";
  var d = document, b = d.body;
  var dark = window.matchMedia("(prefers-color-scheme: dark)");
  var button = d.getElementById("pyq-theme");
  function isDark() {
    return b.classList.contains("nightMode") ||
      (!b.classList.contains("pyq-light") && dark.matches);
  }
  function showTheme() {
    var on = isDark();
    button.textContent = on ? "Light" : "Dark";
    button.setAttribute("aria-pressed", String(on));
    button.title = on ? "Switch to the light theme" : "Switch to the dark theme";
  }
  function setTheme(theme) {
    b.classList.toggle("nightMode", theme === "dark");
    b.classList.toggle("pyq-light", theme === "light");
    showTheme();
  }
  var saved = "";
  try { saved = window.localStorage.getItem("pyq-theme") || ""; } catch (e) { saved = ""; }
  setTheme(saved);
  button.hidden = false;
  button.addEventListener("click", function () {
    var theme = isDark() ? "light" : "dark";
    setTheme(theme);
    try { window.localStorage.setItem("pyq-theme", theme); } catch (e) { /* private mode */ }
  });
  dark.addEventListener("change", showTheme);

  var form = d.getElementById("pyq-filter");
  var search = d.getElementById("pyq-search");
  var topic = d.getElementById("pyq-topic");
  var level = d.getElementById("pyq-difficulty");
  var tag = d.getElementById("pyq-tag");
  var shown = d.getElementById("pyq-shown");
  var none = d.getElementById("pyq-none");
  var cards = Array.prototype.slice.call(d.querySelectorAll("article.pyq-q"));
  var texts = [];
  function text(i) {
    if (texts[i] === undefined) { texts[i] = cards[i].textContent.toLowerCase(); }
    return texts[i];
  }
  function apply() {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    var n = 0;
    cards.forEach(function (card, i) {
      var ok = (!topic.value || card.dataset.topic === topic.value) &&
        (!level.value || card.dataset.difficulty === level.value) &&
        (!tag.value || (" " + card.dataset.tags + " ").indexOf(" " + tag.value + " ") >= 0) &&
        words.every(function (w) { return text(i).indexOf(w) >= 0; });
      card.hidden = !ok;
      if (ok) { n += 1; }
    });
    shown.textContent = n + " of " + cards.length;
    none.hidden = n > 0;
  }
  form.hidden = false;
  form.addEventListener("input", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  // A link to a question that a filter hides clears the filters.
  function reveal() {
    var target = location.hash && d.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.hidden) {
      form.reset();
      apply();
      target.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", reveal);
})();
