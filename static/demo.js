/* Demo booking page: the live subtotal (display only; the server prices the booking). */
(function () {
  "use strict";
  var form = document.getElementById("booking-form");
  if (!form) { return; }
  var out = document.getElementById("live-subtotal");
  var note = document.getElementById("live-note");
  var currency = form.getAttribute("data-currency") || "USD";
  var format = new Intl.NumberFormat(document.documentElement.lang || undefined,
                                     { style: "currency", currency: currency });

  function cents(text) {
    var parts = String(text).split(".");
    return parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }

  function update() {
    var total = 0;
    form.querySelectorAll("input[name=service]:checked").forEach(function (box) {
      total += cents(box.getAttribute("data-price"));
    });
    out.textContent = format.format(total / 100);
    var often = form.querySelector("input[name=frequency]:checked");
    note.textContent = often && often.value !== "once" ? form.getAttribute("data-per-visit") : "";
  }

  var summary = form.querySelector("[data-error-summary]");  /* after a failed submit */
  if (summary) { summary.focus(); }
  form.addEventListener("change", update);
  /* Back to this page: the browser restores the boxes after the script ran. */
  window.addEventListener("pageshow", update);
  update();
})();
