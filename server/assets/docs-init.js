// Starts Swagger UI on this server's own OpenAPI document. A file of its
// own rather than an inline <script>, so the page's Content-Security-Policy
// can forbid inline script ("default-src 'self'").
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
