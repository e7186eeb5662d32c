// pyq preview only: reload when the bank is saved (the server sends each
// build's number), keeping the scroll position and the open answers.
(function () {
  "use strict";
  var build = "__PYQ_BUILD__";
  var key = "pyq-preview-state";
  try {
    var state = JSON.parse(window.sessionStorage.getItem(key) || "null");
    window.sessionStorage.removeItem(key);
    if (state) {
      state.open.forEach(function (id) {
        var card = document.getElementById(id);
        var details = card && card.querySelector("details.pyq-reveal");
        if (details) { details.open = true; }
      });
      window.scrollTo(0, state.y);
    }
  } catch (e) { /* no storage: start at the top */ }
  var events = new EventSource("/events");
  events.addEventListener("build", function (e) {
    if (e.data === build) { return; }
    events.close();
    try {
      var open = Array.prototype.map.call(
        document.querySelectorAll("details.pyq-reveal[open]"),
        function (d) { return d.closest("article").id; });
      window.sessionStorage.setItem(key, JSON.stringify({ y: window.scrollY, open: open }));
    } catch (err) { /* reload anyway */ }
    window.location.reload();
  });
})();
