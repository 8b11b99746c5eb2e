// Progressive enhancement: a form marked data-once cannot be sent twice by a double click.
// The server is idempotent anyway; this only spares the patron a confusing second wait.
document.querySelectorAll("form[data-once]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
  });
});
