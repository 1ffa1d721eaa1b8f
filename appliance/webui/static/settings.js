// Settings page: live file-name preview, field messages, save, and the clock from this browser.
(function () {
  "use strict";
  const form = document.getElementById("settings-form");
  const preview = document.getElementById("file-preview");
  const result = document.getElementById("settings-result");
  let previewTimer = null;
  let previewSeq = 0;

  function formValues() {
    const values = {};
    for (const el of form.elements) {
      if (!el.name || (el.type === "radio" && !el.checked)) continue;
      values[el.name] = el.value;
    }
    return values;
  }

  function showFieldErrors(fields, onlyNames) {
    for (const box of form.querySelectorAll(".field")) {
      const name = box.dataset.field;
      if (onlyNames && !onlyNames.includes(name)) continue;
      const message = (fields || {})[name] || "";
      box.querySelector(".field-error").textContent = message;
      box.classList.toggle("invalid", Boolean(message));
    }
  }

  function updatePreview() {
    const values = formValues();
    const query = new URLSearchParams({
      "site.school": values["site.school"], "site.room": values["site.room"],
      "recording.naming": values["recording.naming"],
    });
    const seq = ++previewSeq;
    api("/api/settings/preview?" + query.toString()).then((reply) => {
      if (seq !== previewSeq || !reply) return;  // a newer keystroke already asked
      preview.textContent = reply.file || "—";
      preview.classList.toggle("invalid", !reply.file);
      showFieldErrors(reply.fields, ["site.school", "site.room", "recording.naming"]);
    });
  }

  form.addEventListener("input", () => {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(updatePreview, 150);
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    result.textContent = "";
    api("/api/settings", formValues()).then((reply) => {
      if (!reply) return;
      showFieldErrors(reply.fields || {});
      result.textContent = reply.ok ? reply.message : (reply.error || {}).text || "";
      result.className = "result " + (reply.ok && reply.applied !== false ? "good" : "bad");
    });
  });

  const clockStatus = document.getElementById("clock-status");
  function showClock(clock) {
    const d = clockStatus.dataset;
    clockStatus.textContent = `${clock.now_local} — ${clock.ok ? d.ok : d.bad}` +
      ` (${d.source}: ${clock.source_text})` + (clock.reason ? `. ${clock.reason}` : "");
    clockStatus.className = clock.ok ? "good" : "bad";
  }
  function loadClock() {
    api("/api/clock").then((reply) => { if (reply && reply.ok) showClock(reply.clock); });
  }
  document.getElementById("clock-set").addEventListener("click", () => {
    api("/api/clock", { epoch_s: Date.now() / 1000 }).then((reply) => {
      if (reply && reply.ok) {
        showClock(reply.clock);
        showMessage(reply.message, "", "good");
      }
    });
  });

  updatePreview();
  loadClock();
})();
