// Dashboard: renders each server-sent status event; controls call /api/control/<cmd>.
(function () {
  "use strict";
  const text = JSON.parse(document.getElementById("dash-text").textContent);
  const $ = (id) => document.getElementById(id);
  const METER_FLOOR_DBFS = -60;
  let streamError = false;  // the message box shows the stream's error (cleared when it heals)
  // For the benchmark and tests: arrival statistics of the level events.
  const stats = window.meterStats = { events: 0, first: null, last: null, latencies_ms: [],
                                      level_age_ms: null };

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, key) => String(values[key]));
  }

  function hms(seconds) {
    const s = Math.floor(seconds);
    const pad = (n) => String(n).padStart(2, "0");
    return pad(Math.floor(s / 3600)) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
  }

  function renderMeters(levels) {
    const box = $("meters");
    const peaks = (levels && levels.peak_dbfs) || [];
    const rms = (levels && levels.rms_dbfs) || [];
    while (box.children.length < peaks.length) {
      const n = box.children.length + 1;
      const row = document.createElement("div");
      row.className = "meter";
      row.innerHTML = '<span class="meter-name"></span><span class="meter-bar">' +
        '<span class="meter-cover"></span><span class="meter-peak"></span></span>' +
        '<span class="meter-value"></span>';
      row.querySelector(".meter-name").textContent = fmt(text.channel, { n: n });
      box.appendChild(row);
    }
    peaks.forEach((peak, i) => {
      const row = box.children[i];
      const pct = (db) => Math.max(0, Math.min(100, 100 * (1 - db / METER_FLOOR_DBFS)));
      row.querySelector(".meter-peak").style.left = pct(peak) + "%";
      row.querySelector(".meter-cover").style.width = (100 - pct(rms[i])) + "%";
      row.querySelector(".meter-value").textContent = peak <= -120 ? "−∞" : decimal(peak, 1) + " " + text.dbfs;
      row.classList.toggle("clip", peak > -1);
    });
  }

  let shownAlarms = null;

  function renderAlarms(alarms) {
    const key = JSON.stringify(alarms);
    if (key === shownAlarms) return;  // twenty events a second: touch the DOM only on change
    shownAlarms = key;
    const list = $("alarms");
    list.textContent = "";
    if (!alarms.length) {
      const li = document.createElement("li");
      li.className = "none";
      li.textContent = text.no_alarms;
      list.appendChild(li);
    }
    for (const alarm of alarms) {
      const li = document.createElement("li");
      li.className = "alarm";
      li.dataset.code = alarm.code;
      const message = document.createElement("strong");
      message.textContent = alarm.message;
      li.appendChild(message);
      if (alarm.hint) {
        const hint = document.createElement("span");
        hint.className = "hint";
        hint.textContent = " " + alarm.hint;
        li.appendChild(hint);
      }
      list.appendChild(li);
    }
  }

  function setText(id, value) {
    const el = $(id);
    const textValue = String(value);
    if (el.textContent !== textValue) el.textContent = textValue;
  }

  function renderStatus(st) {
    const state = $("state");
    // recording asked for but no audio reaching the file: never shown as "recording";
    // with the site codes not set nothing can start: the heading says so, like the lamp
    const notRecording = (st.alarms || []).some((a) => a.code === "not_recording");
    const notConfigured = st.configured === false &&
      (st.state === "idle" || st.state === "stopped");
    const named = notRecording ? "not_recording" : st.state;
    const shown = notConfigured && !notRecording ? "not_configured" : named;
    if (state.dataset.state !== named || state.dataset.shown !== shown) {
      state.dataset.state = named;
      state.dataset.shown = shown;
      state.className = "state state-" + shown;
      state.textContent = text.state[shown] || shown;
    }
    setText("elapsed", hms(st.elapsed_s || 0));
    setText("part", st.part == null ? "—" : st.part);
    setText("file", st.file ? st.file.split("/").pop() : "—");  // the name, not the path
    setText("participants", st.participants);
    const device = st.device.name === "simulated" ? text.device_simulated : st.device.name;
    setText("device", st.device.present ? device : text.device_missing);
    setText("hours-left", st.hours_left == null ? "—" :
      fmt(text.hours_left, { hours: decimal(st.hours_left, 1) }));
    const source = text.clock_sources[st.clock.source] || st.clock.source;
    const clockLine = st.clock.ok ?
      fmt(text.clock_ok, { source: source }) + " " + localTime(st.clock.now) : text.clock_bad;
    setText("clock", clockLine + (st.clock.reason ? ": " + st.clock.reason : ""));
    setText("mirror", st.mirror ? st.mirror.text : "—");  // older recorders: unknown
    $("mirror").classList.toggle("bad", Boolean(st.mirror && !st.mirror.ok));
    $("not-configured").hidden = st.configured !== false;
    renderControls(st.state, st.configured !== false);
    renderMeters(st.levels);
    renderAlarms(st.alarms || []);
    renderRefusal(st.last_refusal);
    renderLeds(st.leds, st.state);
    renderFlags(st.participant);
  }

  // What the recorder accepts in each state (appliance/recorder/session.py TABLE).
  const ALLOWED = { idle: ["start"], stopped: ["start"], recording: ["mark", "pause", "stop"],
                    paused: ["resume", "stop"] };

  function renderControls(state, configured) {
    const allowed = (ALLOWED[state] || []).filter((cmd) => configured || cmd !== "start");
    for (const button of document.querySelectorAll(".controls button[data-cmd]")) {
      const possible = allowed.includes(button.dataset.cmd);
      button.classList.toggle("possible", possible);
      button.disabled = !possible;
    }
    $("mark-label").disabled = !allowed.includes("mark");
  }

  function clockTime(epochS) {
    return new Date(epochS * 1000).toLocaleTimeString(document.documentElement.lang || "ru");
  }

  // A refusal shown before a command went through is history: not shown above the news.
  let shownRefusalS = 0;
  let dismissedS = 0;

  function renderRefusal(refusal) {
    const current = refusal && refusal.time > dismissedS;
    if (current) shownRefusalS = refusal.time;
    $("last-refusal").hidden = !current;
    if (!current) return;
    setText("refusal-time", clockTime(refusal.time));
    setText("refusal-command", text.commands[refusal.command] || refusal.command);
    setText("refusal-text", refusal.message);
  }

  function renderLeds(leds, state) {
    $("leds").hidden = !leds;
    if (!leds) return;
    $("led-red").classList.toggle("on", !!leds.red);
    $("led-green").classList.toggle("on", !!leds.green);
    const pattern = $("led-pattern");
    pattern.dataset.pattern = leds.pattern;
    // a long press is a pause only while recording; from «Готов» the release starts it
    const idle = state === "idle" || state === "stopped";
    const shown = leds.pattern === "long_reached" && idle ? "long_reached_idle" : leds.pattern;
    setText("led-pattern", text.leds[shown] || leds.pattern);
  }

  let shownFlags = null;

  function renderFlags(participant) {
    const current = participant && participant.current;
    $("flags-current").hidden = !current;
    if (current) {
      setText("flags-current", fmt(text.flags_current,
        { n: current.participant, elapsed: hms(current.elapsed_s || 0) }));
    }
    const rows = [];
    const same = (row) => current && row.participant === current.participant &&
      row.part === current.part && row.frame === current.frame;
    for (const row of (participant && participant.flagged) || []) {
      if (!same(row)) rows.push({ n: row.participant, flags: row.flags, now: false });
    }
    if (current && current.flags && current.flags.length) {
      rows.push({ n: current.participant, flags: current.flags, now: true });
    }
    const key = JSON.stringify(rows);
    if (key === shownFlags) return;
    shownFlags = key;
    const list = $("flags");
    list.textContent = "";
    for (const row of rows) {
      for (const flag of row.flags) {
        const li = document.createElement("li");
        li.className = "flag" + (row.now ? " now" : "");
        li.dataset.code = flag.code;
        li.dataset.participant = row.n;
        const who = document.createElement("strong");
        who.textContent = fmt(text.flags_participant, { n: row.n }) + ": ";
        li.appendChild(who);
        li.appendChild(document.createTextNode(flag.message));
        list.appendChild(li);
      }
    }
    if (!list.children.length) {
      const li = document.createElement("li");
      li.className = "none";
      li.textContent = text.flags_none;
      list.appendChild(li);
    }
  }

  // The simulated examiner's button: held while the pointer (or key) is down, so short,
  // long and very long presses can be tried. Press and release go out in order.
  let buttonQueue = Promise.resolve();
  let buttonDown = false;

  function sendButton(action) {
    if ((action === "press") === buttonDown) return;
    buttonDown = action === "press";
    $("sim-button").classList.toggle("down", buttonDown);
    buttonQueue = buttonQueue.then(() => api("/api/button/" + action, {}));
  }

  function setUpSimulatedButton() {
    const button = $("sim-button");
    button.addEventListener("pointerdown", (event) => {
      button.setPointerCapture(event.pointerId);
      sendButton("press");
    });
    for (const name of ["pointerup", "pointercancel", "lostpointercapture"]) {
      button.addEventListener(name, () => sendButton("release"));
    }
    button.addEventListener("keydown", (event) => {
      if ((event.key === " " || event.key === "Enter") && !event.repeat) sendButton("press");
    });
    button.addEventListener("keyup", () => sendButton("release"));
    button.addEventListener("blur", () => sendButton("release"));
  }

  function probeButton() {
    fetch("/api/button", { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => response.json())
      .then((reply) => {
        if (reply && reply.ok) $("sim-button-box").hidden = !reply.simulated;
        else setTimeout(probeButton, 5000);  // the recorder is restarting: ask again
      })
      .catch(() => setTimeout(probeButton, 5000));
  }

  // The page is never silently stale: with no event for STALE_MS it says so, and how long.
  const STALE_MS = 2000;
  let lastUpdate = Date.now();

  function showStaleness() {
    const age = Date.now() - lastUpdate;
    const banner = $("stale");
    banner.hidden = age <= STALE_MS;
    if (!banner.hidden) banner.textContent = fmt(text.stale, { seconds: Math.floor(age / 1000) });
  }

  function onEvent(message) {
    const arrived = Date.now();
    lastUpdate = arrived;
    showStaleness();
    const event = JSON.parse(message.data);
    stats.events += 1;
    stats.first = stats.first || arrived;
    stats.last = arrived;
    stats.latencies_ms.push(arrived - event.server_time * 1000);
    if (stats.latencies_ms.length > 1000) stats.latencies_ms.shift();
    stats.last_event = event;
    if (event.ok) {
      if (streamError) hideMessage();
      streamError = false;
      if (event.status.levels_time) stats.level_age_ms = arrived - event.status.levels_time * 1000;
      renderStatus(event.status);
    } else {
      const state = $("state");
      state.dataset.state = "unknown";
      state.className = "state state-unknown";
      state.textContent = text.state.unknown;
      renderControls("unknown");
      showMessage(event.error.text, event.error.hint, "bad");
      streamError = true;
    }
  }

  function connect() {
    const source = new EventSource("/api/events");
    source.onmessage = onEvent;
    source.onerror = () => {
      // The session may have expired: a 401 ends the stream; ask the API to find out.
      if (source.readyState === EventSource.CLOSED) {
        api("/api/status").then(() => setTimeout(connect, 1000));
      }
    };
  }

  function control(cmd) {
    const body = {};
    if (cmd === "stop" && !window.confirm(text.stop_confirm)) return;
    if (cmd === "mark") body.label = $("mark-label").value.trim();
    api("/api/control/" + cmd, body).then((reply) => {
      if (reply && reply.ok) {
        hideMessage();
        dismissedS = shownRefusalS;
        $("control-result").textContent = fmt(text.done, { what: text.commands[cmd] });
        if (cmd === "mark") $("mark-label").value = "";
      } else {
        $("control-result").textContent = "";
      }
    });
  }

  for (const button of document.querySelectorAll(".controls button[data-cmd]")) {
    button.addEventListener("click", () => control(button.dataset.cmd));
  }
  setUpSimulatedButton();
  connect();
  setInterval(showStaleness, 500);
  probeButton();
})();
