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

  // A control with its own visible label, so every box and checkbox says what it is.
  function labelled(text, el) {
    const label = document.createElement("label");
    label.append(text + " ", el);
    return label;
  }

  function renderRoster() {
    const body = document.querySelector("#roster tbody");
    body.replaceChildren();
    roster.forEach((p, i) => {
      const row = document.createElement("tr");
      const fields = [["number", "tNumber", { type: "number", min: 1, max: 999, className: "num" }],
                      ["name", "tName", { type: "text", className: "name" }],
                      ["class", "tClass", { type: "text", className: "cls", size: 4 }],
                      ["variant", "tVariant", { type: "number", min: 1, max: 999, className: "variant" }],
                      ["ovz", "tOvz", { type: "checkbox", className: "ovz" }],
                      ["absent", "tAbsent", { type: "checkbox", className: "absent" }]];
      for (const [key, labelKey, attrs] of fields) {
        const td = document.createElement("td");
        const el = input(p[key], Object.assign({ ariaLabel: tr(labelKey) + " " + p.number }, attrs));
        el.addEventListener("change", () => {
          roster[i][key] = el.type === "checkbox" ? el.checked
            : (el.type === "number" ? (el.value === "" ? null : Number(el.value)) : el.value);
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

  // `next`: the page's own answer from the list and the day's journal, so it is right at
  // once after an import (the recorder's snapshot changes only with its journal).
  function renderLive(recorder, next) {
    const live = (recorder || {}).participant || {};
    document.getElementById("next-info").textContent =
      next ? tr("tNextIs", next) : (roster.length ? tr("tNextNone") : "");
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
    const variant = input(row.variant, { type: "text", size: 4, className: "variant" });
    const early = input(false, { type: "checkbox", className: "early" });
    const reason = input("", { type: "text", className: "reason" });
    const save = document.createElement("button");
    save.type = "button"; save.textContent = tr("tApply"); save.className = "info-save";
    save.addEventListener("click", () => {
      api("/api/participants/info" + query(), { participant: row.number, variant: variant.value,
        early_finish: early.checked || null, reason: reason.value }).then(load);
    });
    td.append(labelled(tr("tVariant"), variant), labelled(tr("tEarly"), early),
              labelled(tr("tReason"), reason), save);
    if (row.early) {
      const act = document.createElement("a");
      act.textContent = tr("tIs08"); act.className = "is08"; act.target = "_blank";
      act.href = "/participants/early-act" + query() + "&participant=" + row.number;
      td.append(" ", act);
    }
    if (row.file) {
      const failed = input(row.nezachet, { type: "checkbox", className: "nezachet" });
      failed.addEventListener("change", () => {
        api("/api/participants/result" + query(), { participant: row.number,
          nezachet: failed.checked }).then(load);
      });
      td.append(labelled(tr("tNezachet"), failed));
      const other = input("", { type: "number", min: 1, max: 999, size: 3, className: "correct-to" });
      td.append(labelled(tr("tCorrectTo"), other));
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
      td.append(fix, voidButton);
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
      renderLive(reply.recorder, reply.next);
    });
  }

  function refreshLive() {
    return api("/api/participants" + query()).then((reply) => {
      if (reply && reply.ok) renderLive(reply.recorder, reply.next);
    });
  }

  function result(id, reply) {
    const el = document.getElementById(id);
    const good = Boolean(reply && reply.ok);
    el.textContent = good ? reply.message : "";
    el.className = "result " + (good ? "good" : "bad");
  }

  // ----- import: choose a file, see how it is read, change the columns, then «Загрузить» ---
  let upload = null;  // {filename, data_b64} of the chosen file
  let chosenRoles = null;  // the technician's column roles, once one was changed
  let chosenHeader = null;  // the technician's header row (1-based, 0 = none)

  function clearMessages() {
    hideMessage();
    for (const id of ["import-result", "roster-result"]) {
      const el = document.getElementById(id);
      el.textContent = "";
      el.className = "result";
    }
  }

  function fileAsBase64(file) {
    return file.arrayBuffer().then((buffer) => {
      const bytes = new Uint8Array(buffer);
      let binary = "";
      for (let i = 0; i < bytes.length; i += 0x8000) {
        binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
      }
      return btoa(binary);
    });
  }

  function choice() {
    const body = Object.assign({}, upload);
    if (chosenRoles) body.roles = chosenRoles;
    if (chosenHeader !== null) body.header_row = chosenHeader;
    return body;
  }

  function roleSelect(column, roles, index) {
    const select = document.createElement("select");
    select.className = "role";
    select.dataset.column = index;
    select.ariaLabel = column.label;
    for (const role of roles) {
      const option = document.createElement("option");
      option.value = role.value;
      option.textContent = role.label;
      option.selected = role.value === column.role;
      select.appendChild(option);
    }
    select.addEventListener("change", () => {
      chosenRoles = [...document.querySelectorAll("#preview-table select.role")].map((s) => s.value);
      preview();
    });
    return select;
  }

  function renderPreview(reply) {
    document.getElementById("preview").hidden = false;
    document.getElementById("preview-header").textContent = reply.header_text;
    document.getElementById("preview-header-row").value = reply.header_row == null ? 0 : reply.header_row;
    const head = document.createElement("tr");
    head.appendChild(cell(""));
    reply.columns.forEach((column, index) => {
      const th = document.createElement("th");
      const header = document.createElement("span");
      header.className = "header";
      header.textContent = column.letter + (column.header ? ": " + column.header : "");
      th.append(header, roleSelect(column, reply.roles, index));
      head.appendChild(th);
    });
    document.querySelector("#preview-table thead").replaceChildren(head);
    const body = document.querySelector("#preview-table tbody");
    body.replaceChildren();
    for (const row of reply.rows) {
      const line = document.createElement("tr");
      if (row.left_out) line.className = "left-out";
      line.appendChild(cell(row.row));
      for (const value of row.cells) line.appendChild(cell(value));
      body.appendChild(line);
    }
    document.getElementById("preview-more").textContent = reply.more;
    const summary = document.getElementById("preview-summary");
    summary.textContent = reply.problem || reply.summary;
    summary.className = "result " + (reply.problem ? "bad" : "good");
    const notes = document.getElementById("preview-notes");
    notes.replaceChildren();
    for (const note of reply.notes) {
      const li = document.createElement("li");
      li.textContent = note;
      notes.appendChild(li);
    }
    document.getElementById("import-submit").disabled = Boolean(reply.problem);
  }

  function preview() {
    clearMessages();
    document.getElementById("import-submit").disabled = true;
    return api("/api/participants/import" + query(), Object.assign(choice(), { preview: true })).then((reply) => {
      if (reply && reply.ok) renderPreview(reply);
      else document.getElementById("preview").hidden = true;
    });
  }

  document.getElementById("import-file").addEventListener("change", (event) => {
    const file = event.target.files[0];
    upload = null; chosenRoles = null; chosenHeader = null;
    clearMessages();
    document.getElementById("preview").hidden = true;
    if (!file) return;
    fileAsBase64(file).then((data) => {
      upload = { filename: file.name, data_b64: data };
      return preview();
    });
  });
  document.getElementById("preview-header-row").addEventListener("change", (event) => {
    chosenHeader = Number(event.target.value);
    chosenRoles = null;  // the new header row names the columns again
    preview();
  });

  document.getElementById("import-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!upload) return;
    clearMessages();
    api("/api/participants/import" + query(), choice()).then((reply) => {
      result("import-result", reply);
      if (reply && reply.ok) document.getElementById("preview").hidden = true;
      return load();
    });
  });

  document.getElementById("roster-add").addEventListener("click", () => {
    const last = roster.reduce((m, p) => Math.max(m, p.number), 0);
    roster.push({ number: last + 1, name: "", class: "", variant: null, ovz: false, absent: false });
    renderRoster();
  });
  document.getElementById("roster-save").addEventListener("click", () => {
    clearMessages();
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
