// OpenBalie kiosk: the on-screen keyboard (templates/kiosk/_keyboard.html) for every field that
// names one (data-keyboard="letters" or "digits"). It types at the caret into the real input, so
// a hardware keyboard or a barcode scanner typing into the same field still works; without this
// script the page is a plain form.
"use strict";
(function () {
  const panel = document.getElementById("keyboard");
  const fields = document.querySelectorAll("input[data-keyboard]");
  if (!panel || fields.length === 0) { return; }
  const fieldName = panel.querySelector("[data-keyboard-field]");
  const echo = panel.querySelector("[data-keyboard-echo]");
  const shiftKeys = panel.querySelectorAll("[data-action=shift]");
  const letterKeys = Array.from(panel.querySelectorAll("[data-key]")).filter(function (key) {
    return /^[a-z]$/.test(key.dataset.key);
  });
  let target = null;
  let capitals = false;
  let capitalsStay = false; // a field asking for capitals keeps them after a letter
  let pointerDown = false;
  let layoutWanted = false;
  const actions = {
    backspace: erase,
    done: done,
    space: function () { insert(" "); },
    shift: function () { setCapitals(!capitals); },
    symbols: function () { showLayer("symbols"); },
    letters: function () { showLayer("letters"); },
  };

  function isField(element) {
    return element instanceof HTMLInputElement && element.hasAttribute("data-keyboard");
  }

  // What the field is called: its label, after its fieldset's legend for a date's part.
  function nameOf(field) {
    const label = field.labels && field.labels[0] ? field.labels[0].textContent.trim() : "";
    const group = field.closest("fieldset");
    const legend = group ? group.querySelector("legend") : null;
    return legend ? legend.textContent.trim() + " – " + label : label;
  }

  function container(field) {
    return field.closest("fieldset, .field") || field;
  }

  function mark(field, typing) {
    field.classList.toggle("keyboard-target", typing);
    container(field).classList.toggle("keyboard-typing", typing);
  }

  function showLayer(name) {
    panel.querySelectorAll("[data-layer]").forEach(function (layer) {
      layer.hidden = layer.dataset.layer !== name;
    });
  }

  function setCapitals(on) {
    capitals = on;
    shiftKeys.forEach(function (key) { key.setAttribute("aria-pressed", String(on)); });
    letterKeys.forEach(function (key) {
      key.textContent = on ? key.dataset.key.toUpperCase() : key.dataset.key;
    });
  }

  function open(field) {
    if (target && target !== field) { mark(target, false); }
    target = field;
    capitalsStay = field.getAttribute("autocapitalize") === "characters";
    setCapitals(capitalsStay);
    showLayer(field.dataset.keyboard === "digits" ? "digits" : "letters");
    fieldName.textContent = nameOf(field);
    mark(field, true);
    layOutLater();
  }

  function close() {
    if (target) { mark(target, false); }
    target = null;
    layOutLater();
  }

  // The page moves when the keyboard comes or goes (room below, the field scrolled above it):
  // not between a finger's touch and its click, or a button it tapped would miss the click.
  function layOutLater() {
    layoutWanted = true;
    if (!pointerDown) { setTimeout(layOut, 0); }
  }

  function layOut() {
    if (!layoutWanted) { return; }
    layoutWanted = false;
    panel.hidden = target === null;
    document.body.classList.toggle("keyboard-open", target !== null);
    if (target) {
      document.documentElement.style.setProperty("--keyboard-height", panel.offsetHeight + "px");
      container(target).scrollIntoView({ block: "nearest" });
    }
  }

  function focusAtEnd(field) {
    field.focus();
    field.setSelectionRange(field.value.length, field.value.length);
  }

  // The part before or after this one in a date typed in parts (null outside one).
  function partBeside(field, step) {
    const group = field.closest("fieldset");
    const parts = group ? Array.from(group.querySelectorAll("input[data-keyboard]")) : [];
    return parts[parts.indexOf(field) + step] || null;
  }

  // Tell the page (and the idle timer) the field changed, and a screen reader what it holds now.
  function changed(field, inputType, data) {
    field.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: inputType, data: data }));
    echo.textContent = field.type === "password"
      ? echo.dataset.passwordEcho.replace("{count}", String(field.value.length))
      : field.value;
  }

  function insert(text) {
    const field = target;
    const start = field.selectionStart === null ? field.value.length : field.selectionStart;
    const end = field.selectionEnd === null ? start : field.selectionEnd;
    if (field.maxLength >= 0 && field.value.length - (end - start) + text.length > field.maxLength) {
      return;
    }
    field.setRangeText(text, start, end, "end");
    changed(field, "insertText", text);
    if (capitals && !capitalsStay && text !== text.toLowerCase()) { setCapitals(false); }
    advanceWhenFull(field);
  }

  // A date's part is full at its length, or once no further digit fits (a day of 4, a month of 2).
  function advanceWhenFull(field) {
    const next = partBeside(field, 1);
    const most = Number(field.dataset.most || 0);
    const full = field.value.length >= field.maxLength || (most > 0 && Number(field.value) * 10 > most);
    if (next && full) { focusAtEnd(next); }
  }

  function erase() {
    const field = target;
    let start = field.selectionStart === null ? field.value.length : field.selectionStart;
    const end = field.selectionEnd === null ? start : field.selectionEnd;
    if (start === end && start === 0) {
      const before = partBeside(field, -1);
      if (before) { focusAtEnd(before); }
      return;
    }
    if (start === end) { start -= 1; }
    field.setRangeText("", start, end, "end");
    changed(field, "deleteContentBackward", null);
  }

  // "Done": on to the form's next field; after its last, to the button that sends it.
  function done() {
    const form = target.form;
    const inForm = form ? Array.from(form.querySelectorAll("input[data-keyboard]")) : [];
    const next = inForm[inForm.indexOf(target) + 1];
    if (next) { focusAtEnd(next); return; }
    const send = form ? form.querySelector("[type=submit]") : null;
    close();
    if (send) { send.focus(); }
  }

  document.addEventListener("pointerdown", function () { pointerDown = true; }, true);
  ["pointerup", "pointercancel"].forEach(function (name) {
    document.addEventListener(name, function () {
      pointerDown = false;
      if (layoutWanted) { setTimeout(layOut, 0); }
    }, true);
  });
  // Ours replaces a touch screen's own keyboard, which would open over it.
  fields.forEach(function (field) { field.setAttribute("inputmode", "none"); });
  // A finger on a key must not take the focus (and so the caret) from the field. A screen
  // reader or a keyboard may still focus a key and press it: it types into the same field.
  ["pointerdown", "mousedown"].forEach(function (name) {
    panel.addEventListener(name, function (event) { event.preventDefault(); });
  });
  panel.addEventListener("click", function (event) {
    const key = event.target.closest("button");
    if (!key || !target) { return; }
    if (key.dataset.key) {
      insert(capitals ? key.dataset.key.toUpperCase() : key.dataset.key);
    } else {
      actions[key.dataset.action]();
    }
  });
  document.addEventListener("focusin", function (event) {
    if (isField(event.target)) { open(event.target); } else if (!panel.contains(event.target)) { close(); }
  });
  // Focus that leaves for nothing (a tap beside the fields) closes the keyboard as well.
  document.addEventListener("focusout", function () {
    setTimeout(function () {
      const now = document.activeElement;
      if (target && !isField(now) && !panel.contains(now)) { close(); }
    }, 0);
  });
  // A tap on the field that kept the focus after "Done" opens the keyboard again.
  document.addEventListener("click", function (event) {
    if (isField(event.target) && target === null) { open(event.target); }
  });
})();
