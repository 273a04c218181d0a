// The coupon form's one-line summary, kept up to date as the owner types: the form's
// fields go to GET <data-summary-url> and the server answers the line (the words are
// made in one place, domain/summary.py). Without script the line drawn with the page stays.
(function () {
  "use strict";
  var form = document.querySelector("form[data-summary-url]");
  var line = document.getElementById("coupon-summary");
  if (!form || !line || !window.fetch || !window.URLSearchParams) { return; }
  var timer = null;
  var asked = 0;
  function refresh() {
    var data = new URLSearchParams(new FormData(form));
    data.delete("csrf_token");
    var mine = ++asked;
    fetch(form.getAttribute("data-summary-url") + "?" + data.toString(), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (body && mine === asked) { line.textContent = body.summary; }
      })
      .catch(function () { /* the last line stays */ });
  }
  function soon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 250);
  }
  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
})();
