// Progressive enhancement for forms; every page works without it.
document.addEventListener("DOMContentLoaded", function () {
  // After a refused submit, take keyboard and screen-reader users straight to the list of errors.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
  // A form marked data-once is not sent twice by a double click. The server is idempotent
  // anyway; this only spares the patron a confusing second wait.
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.setAttribute("aria-disabled", "true");
      });
    });
  });
});
