// Stacked bars, one per school: how far each school's staff are with this year's disclosure.
// The table under the chart holds the same numbers for screen readers and printing.
(function () {
  const canvas = document.getElementById("disclosure-chart");
  const source = document.getElementById("disclosure-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const colours = {
    accepted: "#198754",
    waiting_review: "#0dcaf0",
    returned: "#ffc107",
    draft: "#6c757d",
    not_started: "#dee2e6",
  };
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.series.map((series) => ({
        label: series.label,
        data: series.data,
        backgroundColor: colours[series.key],
      })),
    },
    options: {
      indexAxis: "y",
      responsive: true,
      animation: false,
      scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true } },
      plugins: { legend: { position: "bottom" } },
    },
  });
})();
