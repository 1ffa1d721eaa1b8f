// Participants page: roster import and editing, "next participant", corrections, the sheet.
(function () {
  "use strict";
  const root = document.getElementById("participants");
  const dateInput = document.getElementById("day-date");
  const tr = (key, n) => (root.dataset[key] || "").replace("{n}", n);
  let roster = [];

  function query() { return "?date=" + encodeURIComponent(dateInput.value); }

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    return td;
  }

  function input(value, attrs) {
    const el = document.createElement("input");
    Object.assign(el, attrs || {});
    if (el.type === "checkbox") el.checked = Boolean(value); else el.value = value == null ? "" : value;
    return el;
  }

  function renderRoster() {
    const body = document.querySelector("#roster tbody");
    body.replaceChildren();
    roster.forEach((p, i) => {
      const row = document.createElement("tr");
      const fields = [["number", { type: "number", min: 1, max: 999, className: "num" }],
                      ["name", { type: "text", className: "name" }],
                      ["class_name", { type: "text", className: "cls" }],
                      ["absent", { type: "checkbox", className: "absent" }]];
      for (const [key, attrs] of fields) {
        const td = document.createElement("td");
        const el = input(p[key], attrs);
        el.addEventListener("change", () => {
          roster[i][key] = el.type === "checkbox" ? el.checked
            : (key === "number" ? Number(el.value) : el.value);
        });
        td.appendChild(el);
        row.appendChild(td);
      }
      body.appendChild(row);
    });
    const choice = document.getElementById("mark-choice");
    choice.replaceChildren();
    for (const p of roster) {
      const option = document.createElement("option");
      option.value = p.number;
      option.textContent = p.number + (p.absent ? " (Н)" : "");
      choice.appendChild(option);
    }
  }

  function renderLive(recorder) {
    const live = (recorder || {}).participant || {};
    document.getElementById("next-info").textContent =
      live.next ? tr("tNextIs", live.next) : (roster.length ? tr("tNextNone") : "");
    const current = live.current;
    document.getElementById("current-info").textContent = current ? tr("tCurrent", current.participant) : "";
    const flags = document.getElementById("live-flags");
    flags.replaceChildren();
    const all = (current && current.flags ? current.flags.map((f) => ["№" + current.participant, f]) : [])
      .concat((live.flagged || []).flatMap((s) => s.flags.map((f) => ["№" + s.participant, f])));
    for (const [who, flag] of all) {
      const li = document.createElement("li");
      li.className = "flag " + flag.code;
      li.textContent = who + ": " + flag.message;
      flags.appendChild(li);
    }
  }

  function actionsCell(row) {
    const td = document.createElement("td");
    if (!row.number) return td;
    const variant = input(row.variant, { type: "text", size: 3, placeholder: tr("tVariant"), className: "variant" });
    const early = input(false, { type: "checkbox", className: "early", title: tr("tEarly") });
    const reason = input("", { type: "text", placeholder: tr("tReason"), className: "reason" });
    const save = document.createElement("button");
    save.type = "button"; save.textContent = tr("tApply"); save.className = "info-save";
    save.addEventListener("click", () => {
      api("/api/participants/info" + query(), { participant: row.number, variant: variant.value,
        early_finish: early.checked || null, reason: reason.value }).then(load);
    });
    td.append(variant, early, reason, save);
    if (row.early) {
      const act = document.createElement("a");
      act.textContent = tr("tIs08"); act.className = "is08"; act.target = "_blank";
      act.href = "/participants/early-act" + query() + "&participant=" + row.number;
      td.append(" ", act);
    }
    if (row.file) {
      const label = document.createElement("label");
      const failed = input(row.nezachet, { type: "checkbox", className: "nezachet" });
      failed.addEventListener("change", () => {
        api("/api/participants/result" + query(), { participant: row.number,
          nezachet: failed.checked }).then(load);
      });
      label.append(failed, " " + tr("tNezachet"));
      td.append(label);
      const other = input("", { type: "number", min: 1, max: 999, size: 3, className: "correct-to" });
      const fix = document.createElement("button");
      fix.type = "button"; fix.textContent = tr("tCorrect"); fix.className = "correct";
      fix.addEventListener("click", () => {
        api("/api/participants/correct", { part: row.part, frame: row.frame,
          participant: other.value ? Number(other.value) : null, reason: reason.value }).then(load);
      });
      const voidButton = document.createElement("button");
      voidButton.type = "button"; voidButton.textContent = tr("tVoid"); voidButton.className = "void";
      voidButton.addEventListener("click", () => {
        api("/api/participants/correct", { part: row.part, frame: row.frame, void: true,
          reason: reason.value }).then(load);
      });
      td.append(other, fix, voidButton);
    }
    return td;
  }

  function renderSheet(rows) {
    const body = document.querySelector("#sheet tbody");
    body.replaceChildren();
    for (const row of rows) {
      const tr_ = document.createElement("tr");
      if (row.flags.length) tr_.className = "flagged";
      const duration = row.duration_s == null ? "" :
        Math.floor(row.duration_s / 60) + ":" + String(Math.round(row.duration_s % 60)).padStart(2, "0");
      for (const value of [row.number, row.name, row.class_name, row.variant, row.start, row.end,
                           duration, row.part, row.notes.join("; ")]) tr_.appendChild(cell(value));
      tr_.appendChild(actionsCell(row));
      body.appendChild(tr_);
    }
    document.getElementById("sheet-print").href = "/participants/sheet" + query();
    document.getElementById("sheet-tech").href = "/participants/sheet-tech" + query();
    document.getElementById("regional-date").value = dateInput.value;
    document.getElementById("sheet-csv").href = "/participants/sheet.csv" + query();
  }

  // The whole page after an action; every few seconds only the live part (typed text in the
  // list and the sheet is left alone).
  function load() {
    return api("/api/participants" + query()).then((reply) => {
      if (!reply || !reply.ok) return;
      roster = reply.roster;
      renderRoster();
      renderSheet(reply.rows);
      renderLive(reply.recorder);
    });
  }

  function refreshLive() {
    return api("/api/participants" + query()).then((reply) => {
      if (reply && reply.ok) renderLive(reply.recorder);
    });
  }

  function result(id, reply) {
    const el = document.getElementById(id);
    const good = Boolean(reply && reply.ok);
    el.textContent = good ? reply.message : "";
    el.className = "result " + (good ? "good" : "bad");
  }

  document.getElementById("import-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const file = document.getElementById("import-file").files[0];
    if (!file) return;
    file.arrayBuffer().then((buffer) => {
      let binary = "";
      const bytes = new Uint8Array(buffer);
      for (let i = 0; i < bytes.length; i += 1) binary += String.fromCharCode(bytes[i]);
      return api("/api/participants/import" + query(), { filename: file.name, data_b64: btoa(binary) });
    }).then((reply) => { result("import-result", reply); return load(); });
  });

  document.getElementById("roster-add").addEventListener("click", () => {
    const last = roster.reduce((m, p) => Math.max(m, p.number), 0);
    roster.push({ number: last + 1, name: "", class_name: "", absent: false });
    renderRoster();
  });
  document.getElementById("roster-save").addEventListener("click", () => {
    api("/api/participants/roster" + query(), { participants: roster })
      .then((reply) => { result("roster-result", reply); return load(); });
  });
  document.getElementById("mark-next").addEventListener("click", () => {
    api("/api/participants/mark", {}).then(load);
  });
  document.getElementById("mark-chosen").addEventListener("click", () => {
    const number = document.getElementById("mark-choice").value;
    api("/api/participants/mark", { participant: Number(number) }).then(load);
  });
  dateInput.addEventListener("change", load);
  load();
  setInterval(refreshLive, 3000);
})();
