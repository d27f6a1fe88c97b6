(function () {
  "use strict";
  var filter = document.getElementById("login-filter");
  var logins = Array.prototype.slice.call(document.querySelectorAll("details.login"));
  var shown = document.getElementById("login-shown");
  function apply() {
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    var count = 0;
    logins.forEach(function (item) {
      var text = item.getAttribute("data-search") || "";
      var keep = words.every(function (w) { return text.indexOf(w) !== -1; });
      item.classList.toggle("hidden", !keep);
      if (keep) { count += 1; }
    });
    if (shown) { shown.textContent = String(count); }
  }
  function setOpen(open) {
    logins.forEach(function (item) {
      if (!item.classList.contains("hidden")) { item.open = open; }
    });
  }
  if (filter) { filter.addEventListener("input", apply); }
  var expand = document.getElementById("login-expand");
  var collapse = document.getElementById("login-collapse");
  if (expand) { expand.addEventListener("click", function () { setOpen(true); }); }
  if (collapse) { collapse.addEventListener("click", function () { setOpen(false); }); }
  if (location.hash) {
    var target = document.getElementById(location.hash.slice(1));
    if (target && target.tagName === "DETAILS") { target.open = true; }
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.example");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (target && target.tagName === "DETAILS") { target.open = true; }
  });
})();
