// Draw every plotly figure the page carries in a data-figure attribute (workspace/charts.py).
(function () {
  function draw() {
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var figure = JSON.parse(el.dataset.figure);
      var empty = !figure || !figure.data || !figure.data.some(function (trace) {
        return (trace.y || []).some(function (v) { return v !== null; });
      });
      if (empty) {
        el.classList.add("chart-empty");
        el.textContent = el.dataset.empty || "No figures yet.";
        return;
      }
      window.Plotly.newPlot(el, figure.data, figure.layout,
        {displaylogo: false, responsive: true, modeBarButtonsToRemove: ["sendDataToCloud"]});
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
