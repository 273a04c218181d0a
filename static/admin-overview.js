/* The overview's chart: redemptions per day of the top five coupons (Chart.js). */
(function () {
  "use strict";

  var canvas = document.getElementById("overview-chart");
  var source = document.getElementById("overview-data");
  if (!canvas || !source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = ["37, 99, 235", "220, 38, 38", "22, 163, 74", "217, 119, 6", "124, 58, 237"];
  new window.Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: data.series.map(function (series, index) {
        var rgb = colours[index % colours.length];
        return {
          label: series.label, data: series.values, borderColor: "rgb(" + rgb + ")",
          backgroundColor: "rgba(" + rgb + ", 0.2)", borderWidth: 2, tension: 0.2,
          pointRadius: series.values.length > 60 ? 0 : 2
        };
      })
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } },
                x: { ticks: { autoSkip: true, maxRotation: 0 } } }
    }
  });
})();
