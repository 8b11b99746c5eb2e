// OpenBalie kiosk: the on-screen keyboard (templates/kiosk/_keyboard.html) for every field that
// names one (data-keyboard="letters" or "digits"). It types at the caret into the real input, so
// a hardware keyboard or a barcode scanner typing into the same field still works; without this
// script the page is a plain form.
"use strict";
(function () {
  const panel = document.getElementById("keyboard");
  const fields = document.querySelectorAll("input[data-keyboard]");
  if (!panel || fields.length === 0) { return; }
  const fieldLine = panel.querySelector(".keyboard-field");
  const fieldName = panel.querySelector("[data-keyboard-field]");
  const echo = panel.querySelector("[data-keyboard-echo]");
  const notice = panel.querySelector("[data-keyboard-notice]");
  const shiftKeys = panel.querySelectorAll("[data-action=shift]");
  const letterKeys = Array.from(panel.querySelectorAll("[data-key]")).filter(function (key) {
    return /^[a-z]$/.test(key.dataset.key);
  });
  const DIGIT = /^[0-9]$/;
  const SEPARATOR = /^[-/. ]$/; // between a date's parts typed in one go: on to the next part
  // A second tap this soon and this near where the first one landed, when that tap opened or
  // closed the keyboard and the page moved what it touched, is the rest of a double tap.
  const AFTER_MOVE_MS = 400;
  const AFTER_MOVE_PX = 32;
  const TAP_MOVES_MS = 1000; // a layout this soon after a tap is that tap's doing
  const REFUSED_MS = 800;
  let target = null;
  let capitals = false;
  let capitalsStay = false; // a field asking for capitals keeps them after a letter
  let pointerDown = false;
  let layoutWanted = false;
  let quiet = false; // a field focused by the script after Escape: the keyboard stays closed
  let advancedInto = null; // the date part typing moved on to by itself
  let tapped = null; // the element the latest tap touched, where it and the finger were, and when
  let movedArea = null; // where a tap landed before the page moved what it touched, until when
  let swallowedPointer = null;
  let echoLater = null;
  let refusedLater = null;
  const actions = {
    done: done,
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

  // The parts of the date typed in parts the field belongs to (none outside one).
  function partsOf(field) {
    const group = field.closest("fieldset");
    return group ? Array.from(group.querySelectorAll("input[data-keyboard]")) : [];
  }

  function isDatePart(field) {
    return partsOf(field).length > 0;
  }

  function partBeside(field, step) {
    const parts = partsOf(field);
    return parts[parts.indexOf(field) + step] || null;
  }

  function mark(field, typing) {
    field.classList.toggle("keyboard-target", typing);
    container(field).classList.toggle("keyboard-typing", typing);
  }

  function shownLayer() {
    return panel.querySelector("[data-layer]:not([hidden])");
  }

  function showLayer(name) {
    panel.querySelectorAll("[data-layer]").forEach(function (layer) {
      layer.hidden = layer.dataset.layer !== name;
    });
    keepStopShown();
  }

  function setCapitals(on) {
    capitals = on;
    shiftKeys.forEach(function (key) { key.setAttribute("aria-pressed", String(on)); });
    letterKeys.forEach(function (key) {
      key.textContent = on ? key.dataset.key.toUpperCase() : key.dataset.key;
    });
  }

  // A status line for screen readers: emptied first, so that a character typed twice is said
  // twice.
  function say(text) {
    clearTimeout(echoLater);
    echo.textContent = "";
    if (text) { echoLater = setTimeout(function () { echo.textContent = text; }, 50); }
  }

  function notify(text) {
    notice.textContent = text;
  }

  function open(field) {
    if (target && target !== field) { mark(target, false); }
    target = field;
    capitalsStay = field.getAttribute("autocapitalize") === "characters";
    setCapitals(capitalsStay);
    showLayer(field.dataset.keyboard === "digits" ? "digits" : "letters");
    fieldName.textContent = nameOf(field);
    say("");
    notify("");
    mark(field, true);
    follow(field);
    layOutLater();
  }

  function close() {
    if (target) { mark(target, false); }
    target = null;
    advancedInto = null;
    say("");
    notify("");
    layOutLater();
  }

  // The keys come right after the field (its label and input) in the page, so that Tab goes
  // from the field to the keys and on to the next field; on screen the keyboard stays docked.
  function follow(field) {
    const place = field.parentElement;
    if (panel.previousElementSibling !== place && !panel.contains(document.activeElement)) {
      place.after(panel);
    }
  }

  // The keys are one Tab stop (the key last focused, else the layer's first); arrows move
  // between them.
  function rove(stop) {
    panel.querySelectorAll("button").forEach(function (key) { key.tabIndex = key === stop ? 0 : -1; });
  }

  function isShown(key) {
    return !key.closest("[data-layer]").hidden;
  }

  function keepStopShown() {
    const stop = panel.querySelector("button[tabindex='0']");
    if (stop === null || !isShown(stop)) { rove(shownLayer().querySelector("button")); }
  }

  // The key an arrow (or Home, End) leads to from `key` in the layer shown, if any.
  function keyTowards(key, name) {
    const layer = shownLayer();
    const keys = Array.from(layer.querySelectorAll("button"));
    const at = keys.indexOf(key);
    const along = {
      ArrowLeft: keys[at - 1], ArrowRight: keys[at + 1], Home: keys[0], End: keys[keys.length - 1],
    };
    if (name in along) { return along[name] || null; }
    if (name !== "ArrowUp" && name !== "ArrowDown") { return null; }
    const rows = Array.from(layer.querySelectorAll(".keyboard-row"));
    const row = rows[rows.indexOf(key.closest(".keyboard-row")) + (name === "ArrowUp" ? -1 : 1)];
    if (!row) { return null; }
    const middle = function (element) {
      const box = element.getBoundingClientRect();
      return box.left + box.width / 2;
    };
    return Array.from(row.querySelectorAll("button")).reduce(function (best, other) {
      return Math.abs(middle(other) - middle(key)) < Math.abs(middle(best) - middle(key)) ? other : best;
    });
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
    guardWhereTapped();
  }

  // When the page moved what the tap touched (a field scrolled above the keyboard as it opened,
  // "Done" gone as it closed), the second tap of a double tap there must not land on what the
  // page moved under the finger: a key, a button.
  function guardWhereTapped() {
    const tap = tapped;
    tapped = null;
    if (!tap || performance.now() - tap.at > TAP_MOVES_MS) { return; }
    const now = tap.element.getBoundingClientRect();
    const moved = now.width === 0 || now.top !== tap.rect.top || now.left !== tap.rect.left;
    if (moved) { movedArea = { x: tap.x, y: tap.y, until: performance.now() + AFTER_MOVE_MS }; }
  }

  function inMovedArea(event) {
    if (!movedArea || performance.now() > movedArea.until) { return false; }
    return Math.abs(event.clientX - movedArea.x) <= AFTER_MOVE_PX
      && Math.abs(event.clientY - movedArea.y) <= AFTER_MOVE_PX;
  }

  // The field's selection as [start, end]; a field that has none types at its end.
  function selection(field) {
    const start = field.selectionStart === null ? field.value.length : field.selectionStart;
    const end = field.selectionEnd === null ? start : field.selectionEnd;
    return [start, end];
  }

  // Put the typing on another field. A finger typed: the focus goes along (it never left the
  // field). A key has the focus (a keyboard or a screen reader pressed it): the focus stays on
  // the key and only the keyboard's field changes. `whole` selects its value, so that what is
  // typed next replaces it; otherwise the caret goes to its end.
  function moveTo(field, whole) {
    if (target === null) {
      focusQuietly(field);
    } else if (panel.contains(document.activeElement)) {
      open(field);
    } else {
      field.focus();
    }
    field.setSelectionRange(whole ? 0 : field.value.length, field.value.length);
  }

  function focusQuietly(field) {
    quiet = true;
    field.focus();
    quiet = false;
  }

  // Tell the page (and the idle timer) that the field changed.
  function changed(field, inputType, data) {
    field.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: inputType, data: data }));
  }

  // A key that cannot type: said on the keyboard, and the field flashes.
  function refuse(field, why) {
    notify(notice.dataset[why]);
    field.classList.add("keyboard-refused");
    clearTimeout(refusedLater);
    refusedLater = setTimeout(function () { field.classList.remove("keyboard-refused"); }, REFUSED_MS);
  }

  function fits(field, text) {
    const [start, end] = selection(field);
    return field.maxLength < 0 || field.value.length - (end - start) + text.length <= field.maxLength;
  }

  function insert(field, text) {
    if (!fits(field, text)) { refuse(field, "full"); return false; }
    const [start, end] = selection(field);
    field.setRangeText(text, start, end, "end");
    changed(field, "insertText", text);
    notify("");
    return true;
  }

  // Type text at the caret (on the keys, or a hardware keyboard or scanner into a date); in a
  // date's parts character by character. Whether anything was typed.
  function typeText(field, text) {
    if (!isDatePart(field)) { return insert(field, text); }
    let part = field;
    let typed = false;
    Array.from(text).forEach(function (character) {
      const now = typeInDate(part, character);
      typed = typed || now !== null;
      part = now || part;
    });
    return typed;
  }

  // One character into a date's part: a digit (into the next part when this one is full), or a
  // separator that moves on (unless the part moved on by itself just before). The part typing
  // goes on in, or null when the character was refused or taken as said.
  function typeInDate(part, character) {
    const next = partBeside(part, 1);
    if (SEPARATOR.test(character)) {
      const moveOn = next && part.value !== "" && advancedInto !== part;
      advancedInto = null;
      if (moveOn) { moveTo(next, true); }
      return moveOn ? next : null;
    }
    if (!DIGIT.test(character)) { refuse(part, "digits"); return null; }
    let into = part;
    if (!fits(part, character) && next) {
      moveTo(next, true);
      into = next;
    }
    if (!insert(into, character)) { return null; }
    advancedInto = null;
    return advanceWhenFull(into);
  }

  // A date's part is full at its length, or once no further digit fits (a day of 4, a month of
  // 2): then on to the next part. The part typing goes on in.
  function advanceWhenFull(part) {
    const next = partBeside(part, 1);
    const most = Number(part.dataset.most || 0);
    const full = part.value.length >= part.maxLength || (most > 0 && Number(part.value) * 10 > most);
    if (!next || !full) { return part; }
    moveTo(next, true);
    advancedInto = next;
    return next;
  }

  // Backspace: the character before the caret (or the selection); in a date's empty part, back
  // to the part before. What was erased.
  function erase() {
    const field = target;
    const [start, end] = selection(field);
    advancedInto = null;
    if (start === end && start === 0) {
      const before = partBeside(field, -1);
      if (before) { moveTo(before, false); }
      return "";
    }
    const from = start === end ? start - 1 : start;
    const erased = field.value.slice(from, end);
    field.setRangeText("", from, end, "end");
    changed(field, "deleteContentBackward", null);
    notify("");
    return erased;
  }

  // "Done": on to the form's next field; after its last, to the button that sends it.
  function done() {
    const form = target.form;
    const inForm = form ? Array.from(form.querySelectorAll("input[data-keyboard]")) : [];
    const next = inForm[inForm.indexOf(target) + 1];
    if (next) { moveTo(next, isDatePart(next)); return; }
    const send = form ? form.querySelector("[type=submit]") : null;
    close();
    if (send) { send.focus(); }
  }

  // How a screen reader says what a key typed or erased: each character as its key is named
  // ("at sign"), for a password only how many characters it holds; never the field's value.
  function spoken(field, text) {
    if (field.type === "password") {
      return echo.dataset.passwordEcho.replace("{count}", String(field.value.length));
    }
    return Array.from(text).map(function (character) {
      const key = character === " "
        ? panel.querySelector("[data-action=space]")
        : panel.querySelector('[data-key="' + CSS.escape(character.toLowerCase()) + '"]');
      if (key === null) { return character; }
      return key.getAttribute("aria-label") || (character === " " ? key.textContent.trim() : character);
    }).join(" ");
  }

  // A key pressed from a keyboard or a screen reader keeps the focus: on the same key in the
  // layer shown now (or its layer switch), when a layer change hid it.
  function keepFocus(key) {
    if (isShown(key) || target === null) { return; }
    const same = key.dataset.key
      ? '[data-key="' + CSS.escape(key.dataset.key) + '"]'
      : "[data-action=" + key.dataset.action + "]";
    const layer = shownLayer();
    const switchKey = "[data-action=symbols], [data-action=letters], button";
    (layer.querySelector(same) || layer.querySelector(switchKey)).focus();
  }

  function press(key) {
    const field = target;
    const focused = panel.contains(document.activeElement);
    const action = key.dataset.action;
    let said = "";
    if (key.dataset.key || action === "space") {
      const text = action === "space" ? " " : capitals ? key.dataset.key.toUpperCase() : key.dataset.key;
      const typed = typeText(field, text);
      if (typed && capitals && !capitalsStay && text !== text.toLowerCase()) { setCapitals(false); }
      said = typed ? spoken(field, text) : "";
    } else if (action === "backspace") {
      const erased = erase();
      said = erased ? key.textContent.trim() + ": " + spoken(field, erased) : "";
    } else {
      actions[action]();
    }
    if (!focused) { say(said); return; }
    // The focus stays on the keys: say where typing goes now when the keyboard moved on.
    const moved = target && target !== field ? fieldLine.textContent.trim() : "";
    say([said, moved].filter(Boolean).join(". "));
    keepFocus(key);
  }

  document.addEventListener("pointerdown", function (event) {
    pointerDown = true;
    if (event.pointerId === swallowedPointer) { return; } // the rest of a double tap: nothing
    const touched = event.target.closest("button, input, a") || event.target;
    tapped = {
      element: touched, rect: touched.getBoundingClientRect(), x: event.clientX, y: event.clientY,
      at: performance.now(),
    };
    // A tap outside the keyboard and the fields closes it (the page moves once it landed).
    if (target && !panel.contains(event.target) && !isField(event.target)) { close(); }
  }, true);
  ["pointerup", "pointercancel"].forEach(function (name) {
    document.addEventListener(name, function () {
      pointerDown = false;
      if (layoutWanted) { setTimeout(layOut, 0); }
    }, true);
  });
  // Only the next tap can be the rest of a double tap: whatever it is, the guard is spent.
  window.addEventListener("pointerdown", function (event) {
    swallowedPointer = inMovedArea(event) ? event.pointerId : null;
    movedArea = null;
    if (swallowedPointer !== null) { event.preventDefault(); }
  }, true);
  window.addEventListener("click", function (event) {
    if (swallowedPointer === null || event.pointerId !== swallowedPointer) { return; }
    swallowedPointer = null;
    event.preventDefault();
    event.stopImmediatePropagation();
  }, true);
  // Ours replaces a touch screen's own keyboard, which would open over it.
  fields.forEach(function (field) { field.setAttribute("inputmode", "none"); });
  // A finger on a key must not take the focus (and so the caret) from the field. A screen
  // reader or a keyboard may still focus a key and press it: it types into the same field.
  ["pointerdown", "mousedown"].forEach(function (name) {
    panel.addEventListener(name, function (event) { event.preventDefault(); });
  });
  panel.addEventListener("click", function (event) {
    const key = event.target.closest("button");
    if (key && target) { press(key); }
  });
  panel.addEventListener("focusin", function (event) { rove(event.target.closest("button")); });
  panel.addEventListener("keydown", function (event) {
    const key = event.target.closest("button");
    const to = key ? keyTowards(key, event.key) : null;
    if (to) {
      event.preventDefault();
      to.focus();
    }
  });
  document.addEventListener("focusin", function (event) {
    const field = event.target;
    if (!isField(field)) { return; }
    advancedInto = null;
    if (!quiet) { open(field); }
    // A date's part gets the focus with its whole value selected: a digit typed replaces it.
    if (isDatePart(field)) { field.select(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || target === null) { return; }
    const field = target;
    const fromKey = panel.contains(document.activeElement);
    close();
    if (fromKey) { focusQuietly(field); }
  });
  // A hardware keyboard or a scanner typing a date in one go ("31121990", "31-12-1990") into
  // any of its parts: each digit goes where it belongs, as on the keypad.
  document.addEventListener("beforeinput", function (event) {
    const field = event.target;
    const text = event.data || (event.dataTransfer ? event.dataTransfer.getData("text/plain") : "");
    if (!event.isTrusted || !event.cancelable || !isField(field) || !isDatePart(field)
      || !event.inputType.startsWith("insert") || !text) { return; }
    event.preventDefault();
    typeText(field, text);
  });
  document.addEventListener("click", function (event) {
    const field = event.target;
    if (!isField(field)) { return; }
    // A tap on the field that kept the focus after "Done" or Escape opens the keyboard again.
    if (target === null) { open(field); }
    // A tap in a date's part selects all of it, wherever the finger landed.
    if (isDatePart(field)) { field.select(); }
  });
})();
