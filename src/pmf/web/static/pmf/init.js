// Start GOV.UK Frontend's components. A file, not the Design System's inline snippet, so that
// the Content Security Policy needs no inline script (docs/adr/0026).
//
// The Design System's template adds `govuk-frontend-supported` to <body> in an inline
// <script> before its components start; without the class, initAll() refuses to start any
// component (it logs a SupportError). A module script runs only in browsers that support ES
// modules, which is exactly what the class asserts, so adding it here first is equivalent.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");

initAll({
  // A component that cannot start is a bug: report it as an error (browser tests fail on
  // console errors), not as the Design System's default console.log.
  onError(error, context) {
    const where = context && context.component ? ` (${context.component.moduleName})` : "";
    console.error(`GOV.UK Frontend${where}: ${error && error.message ? error.message : error}`);
  },
});
