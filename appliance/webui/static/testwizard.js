// Test-recording wizard: participant seat, then examiner seat; each step shows the verdict
// with its measurements per channel and every reason, the waveform and the recording; a live
// meter while it records; the overall verdict closes the test. The last test is shown again
// after a reload (GET /api/test/last).
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("test-data").textContent);
  const seconds = data.seconds;
  const lang = document.documentElement.lang || "ru";
  const METER_FLOOR_DBFS = -60;
  const METER_POLL_MS = 250;

  function cell(row, text) {
    const td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function measured(value, unit) {
    const number = typeof value === "number" ?
      value.toLocaleString(lang, { maximumFractionDigits: 2 }) : String(value);
    return number + " " + (data.units[unit] || unit);
  }

  function oneDecimal(value, unit) {
    return value.toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) +
      " " + data.units[unit];
  }

  function channelName(index) {
    return data.channel.replace("{n}", String(index + 1));
  }

  function showFigures(box, analysis) {
    const table = box.querySelector("table.figures");
    if (!table) return;
    const body = table.querySelector("tbody");
    body.textContent = "";
    const channels = (analysis && analysis.channels) || [];
    channels.forEach((c, i) => {
      const row = document.createElement("tr");
      row.className = "figure-row";
      cell(row, channelName(i));
      cell(row, oneDecimal(c.speech_level_dbfs, "dBFS")).className = "fig-speech nowrap";
      cell(row, oneDecimal(c.noise_floor_dbfs, "dBFS")).className = "fig-noise nowrap";
      cell(row, oneDecimal(c.snr_db, "dB")).className = "fig-snr nowrap";
      const hum = c.hum_dbfs <= -120 ? data.no_hum :
        c.mains_hz + " " + data.units.Hz + ", " + oneDecimal(c.hum_dbfs, "dBFS");
      cell(row, hum).className = "fig-hum nowrap";
      cell(row, measured(c.clip_ratio * 100, "%")).className = "fig-clipping nowrap";
      body.appendChild(row);
    });
    table.hidden = channels.length === 0;
  }

  function showVerdict(box, verdict) {
    const badge = box.querySelector(".verdict");
    badge.textContent = verdict.status_text;
    badge.className = "verdict verdict-" + verdict.status;
    box.dataset.status = verdict.status;
    showFigures(box, verdict.analysis);
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

  function showStep(step, name, verdict) {
    const result = step.querySelector(".test-result");
    result.hidden = false;
    showVerdict(result, verdict);
    const audio = result.querySelector("audio");
    audio.src = "/test/audio/" + encodeURIComponent(name);
    const wave = new Waveform(result.querySelector("canvas"), audio, []);
    wave.load("/api/test/peaks/" + encodeURIComponent(name));
    const next = step.nextElementSibling;
    if (next && next.classList.contains("test-step")) next.hidden = false;
  }

  function showOverall(verdict) {
    const overall = document.getElementById("test-overall");
    overall.hidden = !verdict;
    if (verdict) showVerdict(overall, verdict);
  }

  function showRecent(recent) {
    if (!recent) return;
    const list = document.getElementById("test-recent");
    list.textContent = "";
    for (const test of recent) {
      const li = document.createElement("li");
      const link = document.createElement("a");
      link.href = "/test/audio/" + encodeURIComponent(test.name);
      link.textContent = test.title;
      li.appendChild(link);
      list.appendChild(li);
    }
    document.getElementById("test-recent-box").hidden = recent.length === 0;
  }

  function showMeters(box, levels) {
    const peaks = (levels && levels.peak_dbfs) || [];
    while (box.children.length < peaks.length) {
      const label = document.createElement("label");
      label.className = "test-meter";
      label.textContent = channelName(box.children.length) + " ";
      const meter = document.createElement("meter");
      meter.min = METER_FLOOR_DBFS;
      meter.max = 0;
      meter.low = -40;
      meter.high = -3;
      meter.optimum = -20;
      const value = document.createElement("span");
      value.className = "meter-value";
      label.appendChild(meter);
      label.appendChild(value);
      box.appendChild(label);
    }
    peaks.forEach((peak, i) => {
      const label = box.children[i];
      label.querySelector("meter").value = Math.max(METER_FLOOR_DBFS, peak);
      label.querySelector(".meter-value").textContent =
        " " + (peak <= -120 ? "−∞" : oneDecimal(peak, "dBFS"));
    });
  }

  function watchLevels(box) {
    let stopped = false;
    let pending = false;
    const timer = setInterval(() => {
      if (pending) return;  // a slow answer is not queued behind with more requests
      pending = true;
      fetch("/api/status", { headers: { Accept: "application/json" },
                             credentials: "same-origin" })
        .then((response) => response.json())
        .then((reply) => { if (!stopped && reply && reply.ok) showMeters(box, reply.levels); })
        .catch(() => {})  // the meter is a help only; the step's own answer reports errors
        .finally(() => { pending = false; });
    }, METER_POLL_MS);
    return () => { stopped = true; clearInterval(timer); };
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
    const stopMeter = watchLevels(busy.querySelector(".test-meters"));
    button.disabled = true;
    busy.hidden = false;
    api("/api/test/" + step.dataset.seat, {}).then((reply) => {
      if (reply && reply.ok) {
        showStep(step, reply.name, reply.verdict);
        if (reply.overall) showOverall(reply.overall);
        showRecent(reply.recent);
      }
    }).finally(() => {
      clearInterval(timer);
      stopMeter();
      busy.hidden = true;
      button.disabled = false;
    });
  }

  function restoreLast() {
    api("/api/test/last").then((reply) => {
      if (!reply || !reply.ok || !reply.last) return;
      const last = reply.last;
      for (const step of document.querySelectorAll(".test-step")) {
        const shown = last.steps[step.dataset.seat];
        if (shown) showStep(step, shown.name, shown.verdict);
      }
      showOverall(last.overall);
      const title = document.getElementById("test-last");
      title.textContent = last.title;
      title.hidden = false;
    });
  }

  for (const step of document.querySelectorAll(".test-step")) {
    step.querySelector(".test-record").addEventListener("click", () => record(step));
  }
  document.getElementById("test-again").addEventListener("click", () => {
    for (const step of document.querySelectorAll(".test-step")) {
      step.querySelector(".test-result").hidden = true;
      step.hidden = step.dataset.seat !== "participant";
    }
    showOverall(null);
    document.getElementById("test-last").hidden = true;
  });
  restoreLast();
})();
