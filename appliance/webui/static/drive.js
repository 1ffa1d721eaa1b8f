// The USB drive box (dashboard and recordings pages): its state asked once a second, the hint
// while no drive is in, and the export button.
(function () {
  "use strict";
  const box = document.getElementById("drive-box");
  if (!box) return;
  const text = JSON.parse(document.getElementById("drive-text").textContent);
  const $ = (id) => document.getElementById(id);

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, key) => (key in values ? values[key] : ""));
  }

  function renderDrive(drive) {
    const el = $("drive-state");
    el.dataset.state = drive.state;
    const percent = Math.floor((drive.progress || 0) * 100);
    el.textContent = fill(text.states[drive.state] || drive.state,
      { device: drive.device || "", percent: percent, message: drive.message || "" });
    el.className = drive.state === "failed" ? "bad" : drive.state === "safe_to_remove" ? "good" : "";
    const progress = $("drive-progress");
    progress.hidden = drive.state !== "exporting";
    progress.value = drive.progress || 0;
    $("drive-hint").hidden = drive.state !== "absent";
    $("btn-export").disabled = !["mounted", "failed"].includes(drive.state);
  }

  // The drive changes slowly: asked once a second, quietly (the dashboard's event stream
  // reports a recorder that does not answer).
  function pollDrive() {
    fetch("/api/drive", { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => response.json())
      .then((reply) => { if (reply && reply.ok) renderDrive(reply.drive); })
      .catch(() => {})
      .finally(() => setTimeout(pollDrive, 1000));
  }

  $("btn-export").addEventListener("click", () => {
    if (!window.confirm(text.export_confirm)) return;
    api("/api/drive/export", {}).then((reply) => {
      if (reply && reply.ok) {
        showMessage(text.export_started, "", "good");
        renderDrive(reply.drive);
      }
    });
  });
  pollDrive();
})();
