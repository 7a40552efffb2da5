// Dashboards: folded details opened for printing, and the charts (the print button is js/print.js, on every page).
// Every chart has a table with the same numbers next to it, for screen readers and paper.
(function () {
  window.addEventListener("beforeprint", () => {
    document.querySelectorAll("details").forEach((details) => details.setAttribute("open", ""));
  });
  if (typeof Chart === "undefined") return;

  const coverage = document.getElementById("coverage-chart");
  const coverageData = document.getElementById("coverage-chart-data");
  if (coverage && coverageData) {
    const data = JSON.parse(coverageData.textContent);
    const colours = { granted: "#198754", refused: "#dc3545", no_answer: "#adb5bd" };
    new Chart(coverage, {
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
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 }, title: { display: true, text: "Students" } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  const completion = document.getElementById("completion-chart");
  const completionData = document.getElementById("completion-chart-data");
  if (completion && completionData) {
    const data = JSON.parse(completionData.textContent);
    const datasets = [];
    if (data.disclosures.some((value) => value !== null)) {
      datasets.push({ label: "Staff who have filed their disclosure", data: data.disclosures, borderColor: "#0d6efd", backgroundColor: "#0d6efd", tension: 0.2 });
    }
    if (data.consent.some((value) => value !== null)) {
      datasets.push({ label: "Students whose family has answered (" + data.scope + ")", data: data.consent, borderColor: "#198754", backgroundColor: "#198754", tension: 0.2 });
    }
    new Chart(completion, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { min: 0, max: 100, ticks: { callback: (value) => value + "%" } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }
})();
