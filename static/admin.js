/* Advik Coupons admin: confirmations and the "Generate code" button. No framework. */
(function () {
  "use strict";

  // Funnel bars: their width comes as data (the CSP allows no inline style attribute).
  Array.prototype.forEach.call(document.querySelectorAll(".funnel-bar[data-w]"), function (bar) {
    bar.style.setProperty("--w", bar.getAttribute("data-w") + "%");
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    var copy = event.target.closest && event.target.closest("[data-copy]");
    if (!copy) { return; }
    var field = document.getElementById(copy.getAttribute("data-copy"));
    var done = function () {
      var label = copy.textContent;
      copy.textContent = "Copied";
      window.setTimeout(function () { copy.textContent = label; }, 1500);
    };
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {});
    } else if (document.execCommand && document.execCommand("copy")) {
      done();
    }
  });

  /* After a failed submit: the summary of the errors, not the top of the page. */
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  var button = document.getElementById("generate-code");
  if (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var input = document.querySelector("input.code-input");
      button.disabled = true;
      fetch(button.getAttribute("data-url"), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (body) {
          input.value = body.code;
          input.focus();
        })
        .catch(function () {
          var hidden = document.createElement("input");
          hidden.type = "hidden";
          hidden.name = "generate_now";
          hidden.value = "1";
          button.form.appendChild(hidden);
          button.form.submit();  // the server fills the code in and saves nothing
        })
        .finally(function () { button.disabled = false; });
    });
  }
})();
