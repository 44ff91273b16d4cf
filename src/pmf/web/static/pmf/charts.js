// Draw every chart on the page from the Vega-Lite specification kept in a JSON data block
// beside it (no inline script, so the Content Security Policy can forbid them). The table
// next to each chart carries the same figures for people who cannot see the chart.
document.querySelectorAll("[data-chart]").forEach((element) => {
  const source = document.getElementById(element.dataset.chart);
  if (!source || typeof vegaEmbed === "undefined") {
    return;
  }
  vegaEmbed(element, JSON.parse(source.textContent), { renderer: "svg", actions: false });
});
