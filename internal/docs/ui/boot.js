// boot.js starts Swagger UI on the OpenAPI document this clustergate serves.
// It is a file rather than an inline script so that the page's
// Content-Security-Policy can allow scripts from 'self' only.
"use strict";
window.ui = SwaggerUIBundle({
  // Relative to the page (/docs), so /openapi.json, even behind a path prefix.
  url: new URL("openapi.json", document.baseURI).href,
  dom_id: "#swagger-ui",
  // BaseLayout: no top bar, hence no URL box to load another document.
  layout: "BaseLayout",
  presets: [SwaggerUIBundle.presets.apis],
  deepLinking: true,
  displayOperationId: true,
  docExpansion: "list",
  // The default loads a badge from validator.swagger.io; the page must not
  // reach anything but clustergate.
  validatorUrl: null,
  // Never take a document URL or settings from the page's query string.
  queryConfigEnabled: false,
});
