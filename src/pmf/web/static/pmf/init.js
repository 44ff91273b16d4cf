// Start GOV.UK Frontend's components; kept in a file so that the CSP needs no inline script.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();
