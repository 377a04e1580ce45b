// The supplier's monthly trend chart on its portal scorecard (data in #trend[data-series]).
(function () {
  var el = document.getElementById("trend");
  var s = JSON.parse(el.dataset.series);
  if (!s.periods.length || typeof Plotly === "undefined") { el.textContent = "No monthly figures yet."; return; }
  var line = function (name, y, axis, dash) { return {x: s.periods, y: y, name: name, yaxis: axis, type: "scatter", mode: "lines+markers", connectgaps: false, line: {dash: dash || "solid"}}; };
  Plotly.newPlot(el, [line("OTD %", s.otd_pct, "y"), line("OTIF %", s.otif_pct, "y"), line("Score", s.composite_score, "y"), line("Defects PPM", s.defect_ppm, "y2", "dash")],
    {margin: {t: 10, r: 60, l: 50, b: 40}, height: 340, legend: {orientation: "h"}, yaxis: {title: "% / score", rangemode: "tozero"}, yaxis2: {title: "PPM", overlaying: "y", side: "right", rangemode: "tozero"}},
    {displaylogo: false, responsive: true});
})();
