// OpenBalie kiosk: follow card taps and removals, and end an idle patron's session.
"use strict";
(function () {
  const body = document.body;
  const idleSeconds = Number(body.dataset.idle || 60);
  const countdownSeconds = Number(body.dataset.countdown || 10);
  const hasSession = body.dataset.session === "1";
  const dialog = document.getElementById("idle-dialog");
  const count = document.getElementById("idle-count");
  const stillHereEveryMs = Number(body.dataset.keepalive || 15) * 1000;
  let idleTimer = null;
  let countdownTimer = null;
  let stillHereSentAt = 0;
  let stillHereLater = null;

  // Polls name this page's number: a poll of a page already left takes no tap or scan.
  function ofThisPage(url) {
    const address = new URL(url, window.location.href);
    address.searchParams.set("page", body.dataset.page);
    return address.pathname + address.search;
  }

  function go(url) {
    if (url) { window.location.replace(url); }
  }

  // Long-poll the server: a tap on the start screen opens the patron, a card taken away ends it.
  async function followEvents() {
    const url = ofThisPage(body.dataset.eventsUrl + (hasSession ? "?session=1" : ""));
    for (;;) {
      try {
        const response = await fetch(url, { cache: "no-store", credentials: "same-origin" });
        if (response.ok) {
          const answer = await response.json();
          if (answer.go) { go(answer.go); return; }
        } else {
          await new Promise((resolve) => setTimeout(resolve, 2000));
        }
      } catch (error) {
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    }
  }

  // Touches only reach the server through requests: tell it now and then that the patron is here,
  // or its idle clock ends the session while they type. At most once per interval, but a touch
  // within the interval is still told at its end: the server must know of the last touch too.
  function stillHere(now) {
    if (!hasSession) { return; }
    const wait = stillHereEveryMs - (Date.now() - stillHereSentAt);
    if (now || wait <= 0) { sendStillHere(); return; }
    if (stillHereLater === null) { stillHereLater = setTimeout(sendStillHere, wait); }
  }

  function sendStillHere() {
    clearTimeout(stillHereLater);
    stillHereLater = null;
    stillHereSentAt = Date.now();
    fetch(body.dataset.stillHereUrl, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": body.dataset.csrf },
    }).catch(function () { /* the next touch tries again */ });
  }

  function stopNow() {
    document.getElementById("idle-reset").submit();
  }

  function startCountdown() {
    let left = countdownSeconds;
    count.textContent = String(left);
    dialog.showModal();
    countdownTimer = setInterval(function () {
      left -= 1;
      count.textContent = String(Math.max(left, 0));
      if (left <= 0) { clearInterval(countdownTimer); stopNow(); }
    }, 1000);
  }

  function restartIdle() {
    if (!hasSession || body.dataset.busy === "1") { return; }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(startCountdown, idleSeconds * 1000);
  }

  document.getElementById("idle-continue").addEventListener("click", function () {
    clearInterval(countdownTimer);
    dialog.close();
    stillHere(true);
    restartIdle();
  });
  ["pointerdown", "keydown", "input"].forEach(function (name) {
    document.addEventListener(name, function () {
      if (!dialog.open) { restartIdle(); stillHere(false); }
    }, true);
  });
  // A slow step (terminal, chip, encoding, out of service) names a URL that answers
  // {"go": url-or-null, "status": text-or-null}: poll it, show its status, go when told.
  async function followProgress(element) {
    const status = element.querySelector("[data-status]");
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, Number(element.dataset.every || 700)));
      try {
        const response = await fetch(ofThisPage(element.dataset.pollUrl), { cache: "no-store", credentials: "same-origin" });
        if (!response.ok) { continue; }
        const answer = await response.json();
        if (answer.status && status && status.textContent !== answer.status) { status.textContent = answer.status; }
        if (answer.go) { go(answer.go); return; }
      } catch (error) {
        continue;
      }
    }
  }

  document.querySelectorAll("[data-poll-url]").forEach(followProgress);
  restartIdle();
  // The out-of-service page has no events URL: events would only send it to itself.
  if (body.dataset.eventsUrl) { followEvents(); }
  window.OpenBalieKiosk = { go: go, restartIdle: restartIdle };
})();
