/* The redemption chart of the coupon view, drawn by Chart.js (static/vendor/chartjs). */
(function () {
  "use strict";

  var canvas = document.getElementById("redemption-chart");
  var source = document.getElementById("chart-data");
  if (!canvas || !source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var chart = null;

  function draw(type) {
    if (chart) { chart.destroy(); }
    chart = new window.Chart(canvas, {
      type: type,
      data: {
        labels: data.labels,
        datasets: [{
          label: "Redemptions",
          data: data.values,
          backgroundColor: "rgba(37, 99, 235, 0.55)",
          borderColor: "rgb(37, 99, 235)",
          borderWidth: type === "line" ? 2 : 1,
          pointRadius: data.values.length > 60 ? 0 : 3,
          fill: type === "line",
          tension: 0.2
        }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: {
          y: { beginAtZero: true, ticks: { precision: 0 } },
          x: { ticks: { autoSkip: true, maxRotation: 0 } }
        }
      }
    });
    canvas.setAttribute("data-chart-type", type);
    document.querySelectorAll("[data-chart-type]").forEach(function (button) {
      if (button !== canvas) {
        button.setAttribute("aria-pressed", String(button.getAttribute("data-chart-type") === type));
      }
    });
  }

  document.querySelectorAll("button[data-chart-type]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var type = button.getAttribute("data-chart-type");
      draw(type);
      var url = new URL(window.location.href);
      url.searchParams.set("chart", type);
      window.history.replaceState(null, "", url.toString());
      document.querySelectorAll("a[data-range], form.custom-range input[name=chart]").forEach(function (el) {
        if (el.tagName === "A") {
          var link = new URL(el.href);
          link.searchParams.set("chart", type);
          el.href = link.toString();
        } else {
          el.value = type;
        }
      });
    });
  });

  draw(data.type === "line" ? "line" : "bar");
})();
