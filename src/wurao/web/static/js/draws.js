/* Draw pages (no inline script under the CSP).
   - [data-filter-list]: a text box that hides the items of a long checkbox list not matching it;
   - [data-freeze]: the freeze button of an infeasible draw, enabled only once the override
     [data-override] is ticked and its reason [data-override-reason] filled in (the server
     refuses the same freeze without them). */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-filter-list]").forEach(function (box) {
    var list = document.getElementById(box.getAttribute("data-filter-list"));
    if (!list) { return; }
    var count = document.getElementById(box.getAttribute("data-filter-count"));
    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      list.querySelectorAll("[data-filter-text]").forEach(function (row) {
        var text = row.getAttribute("data-filter-text").toLowerCase();
        var input = row.querySelector("input");
        var keep = (input && input.checked) || words.every(function (w) { return text.indexOf(w) >= 0; });
        row.hidden = !keep;
        if (keep) { shown += 1; }
      });
      if (count) { count.textContent = words.length ? "显示 " + shown + " 项" : ""; }
    });
  });
  var button = document.querySelector("[data-freeze]");
  var tick = document.querySelector("[data-override]");
  var reason = document.querySelector("[data-override-reason]");
  if (button && tick && reason) {
    var update = function () { button.disabled = !(tick.checked && reason.value.trim()); };
    tick.addEventListener("change", update);
    reason.addEventListener("input", update);
    update();
  }
});
