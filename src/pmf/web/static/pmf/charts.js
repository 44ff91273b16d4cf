// Draw every chart on the page from the Vega-Lite specification kept in a JSON data block
// beside it (no inline script, so the Content Security Policy can forbid them). Vega's
// expression interpreter evaluates the chart's expressions without eval or new Function.
// The table next to each chart carries the same figures for people who cannot see the chart.
import { expressionInterpreter } from "../vendor/vega-interpreter.js";

document.querySelectorAll("[data-chart]").forEach((element) => {
  const source = document.getElementById(element.dataset.chart);
  if (!source || typeof vegaEmbed === "undefined") {
    return;
  }
  vegaEmbed(element, JSON.parse(source.textContent), {
    renderer: "svg",
    actions: false,
    ast: true,
    expr: expressionInterpreter,
    defaultStyle: false,
    tooltip: { disableDefaultStyle: true },
  });
});
