// The signup's first step asks how to pay only for a subscription that can be paid in more
// than one way. Without this script the server asks after the subscription is chosen.
document.addEventListener("DOMContentLoaded", function () {
  var question = document.getElementById("payment-plan");
  if (!question) { return; }
  function update() {
    var chosen = document.querySelector("input[name=subscription]:checked");
    var asks = chosen !== null && chosen.hasAttribute("data-asks-plan");
    // Disabled, the radios are not sent: a subscription with one way to pay gets that one.
    question.hidden = !asks;
    question.disabled = !asks;
  }
  document.querySelectorAll("input[name=subscription]").forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
});
