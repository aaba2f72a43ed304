// cbec review desk: the only script, and the desk works without it.
// Keyboard shortcuts: "/" focuses the queue filters; "j"/"k" move between
// the queue's cases and Enter opens one (links are focusable anyway).
document.addEventListener("keydown", function (e) {
  var t = e.target;
  if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) return;
  if (e.key === "/") {
    var f = document.getElementById("f-platform");
    if (f) { e.preventDefault(); f.focus(); }
    return;
  }
  if (e.key === "j" || e.key === "k") {
    var links = Array.prototype.slice.call(document.querySelectorAll("a.case-link"));
    if (!links.length) return;
    var i = links.indexOf(document.activeElement);
    i = e.key === "j" ? Math.min(i + 1, links.length - 1) : Math.max(i - 1, 0);
    links[i].focus();
    e.preventDefault();
  }
});
