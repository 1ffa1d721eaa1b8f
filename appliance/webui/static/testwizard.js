// Test-recording wizard: participant seat, then examiner seat; each step shows the verdict
// with every reason, the waveform and the recording; the overall verdict closes the test.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("test-data").textContent);
  const seconds = data.seconds;

  function cell(row, text) {
    const td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function measured(value, unit) {
    const number = typeof value === "number" ?
      value.toLocaleString(document.documentElement.lang || "ru", { maximumFractionDigits: 2 }) :
      String(value);
    return number + " " + (data.units[unit] || unit);
  }

  function showVerdict(box, verdict) {
    const badge = box.querySelector(".verdict");
    badge.textContent = verdict.status_text;
    badge.className = "verdict verdict-" + verdict.status;
    box.dataset.status = verdict.status;
    const table = box.querySelector("table.reasons");
    const body = table.querySelector("tbody");
    body.textContent = "";
    for (const r of verdict.reasons) {
      const row = document.createElement("tr");
      row.className = "reason severity-" + r.severity;
      row.dataset.code = r.code;
      const what = cell(row, r.message);
      what.className = "reason-text";
      const code = document.createElement("small");
      code.className = "reason-code";
      code.textContent = r.code;
      what.appendChild(document.createElement("br"));
      what.appendChild(code);
      cell(row, measured(r.value, r.unit)).className = "nowrap";
      cell(row, measured(r.threshold, r.unit)).className = "nowrap";
      cell(row, r.hint);
      body.appendChild(row);
    }
    table.hidden = verdict.reasons.length === 0;
    box.querySelector(".no-reasons").hidden = verdict.reasons.length !== 0;
  }

  function showStep(step, reply) {
    const result = step.querySelector(".test-result");
    result.hidden = false;
    showVerdict(result, reply.verdict);
    const audio = result.querySelector("audio");
    audio.src = "/test/audio/" + encodeURIComponent(reply.name);
    const wave = new Waveform(result.querySelector("canvas"), audio, []);
    wave.load("/api/test/peaks/" + encodeURIComponent(reply.name));
  }

  function record(step) {
    const button = step.querySelector(".test-record");
    const busy = step.querySelector(".test-busy");
    const countdown = busy.querySelector(".countdown");
    const started = Date.now();
    const timer = setInterval(() => {
      const left = Math.max(0, Math.ceil(seconds - (Date.now() - started) / 1000));
      countdown.textContent = left + " " + data.units.s;
    }, 250);
    button.disabled = true;
    busy.hidden = false;
    api("/api/test/" + step.dataset.seat, {}).then((reply) => {
      if (reply && reply.ok) {
        showStep(step, reply);
        const next = step.nextElementSibling;
        if (next && next.classList.contains("test-step")) next.hidden = false;
        if (reply.overall) {
          const overall = document.getElementById("test-overall");
          overall.hidden = false;
          showVerdict(overall, reply.overall);
        }
      }
    }).finally(() => {
      clearInterval(timer);
      busy.hidden = true;
      button.disabled = false;
    });
  }

  for (const step of document.querySelectorAll(".test-step")) {
    step.querySelector(".test-record").addEventListener("click", () => record(step));
  }
  document.getElementById("test-again").addEventListener("click", () => {
    window.location.reload();
  });
})();
