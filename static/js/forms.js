// Progressive enhancement for forms; every page works without it.
document.addEventListener("DOMContentLoaded", function () {
  // After a refused submit, take keyboard and screen-reader users straight to the list of errors
  // (or to what else the page asks before it goes on: data-takes-focus).
  var summary = document.querySelector(".error-summary, [data-takes-focus]");
  if (summary) { summary.focus(); }
  // A form marked data-once is not sent twice by a double click. The server is idempotent
  // anyway; this only spares the patron a confusing second wait.
  // A page waiting for something (a payment being confirmed) asks again in the background and
  // moves on once the answer is another page: no reload that takes the reader's place away.
  var waiting = document.querySelector("[data-recheck]");
  if (waiting) { recheck(Number(waiting.dataset.recheck) * 1000); }
  // A print button (the desk's day report): without scripts the browser's own Print does it.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
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

// Fetch this page every `delay` ms until it is no longer the waiting page, then show that one.
function recheck(delay) {
  function again() {
    fetch(location.href, { credentials: "same-origin" })
      .then(function (response) { return response.text().then(function (html) {
        if (response.redirected || html.indexOf("data-recheck") === -1) {
          location.assign(response.url);
        } else {
          setTimeout(again, delay);
        }
      }); })
      .catch(function () { setTimeout(again, delay); });
  }
  setTimeout(again, delay);
}
