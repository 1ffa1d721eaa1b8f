// «Все аудитории»: one card per box of the school, refreshed every second from /api/school.
// Every text from another box goes in through textContent, never as HTML.
"use strict";

const REFRESH_MS = 1000;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function boxCard(row, labels) {
  const card = el("article", `school-box link-${row.link}`);
  card.dataset.state = row.state;
  card.dataset.room = row.room;
  card.dataset.link = row.link;
  card.dataset.clockOff = row.clock_off ? "1" : "0";
  const head = el("h3", "", `${labels.labelRoom} ${row.room}`);
  if (row.own) {
    head.append(el("span", "hint", labels.thisBox));
  } else if (row.url) {
    const link = el("a", "box-link", labels.open);
    link.href = row.url;
    link.rel = "noopener";
    head.append(link);
  }
  card.append(head);
  const stateText = row.link === "ok" && row.elapsed_text !== "—"
    ? `${row.state_text}, ${row.elapsed_text}` : row.state_text;
  card.append(el("p", "box-state", stateText));
  const facts = el("dl");
  const alarms = el("dd", "box-alarms");
  if (row.alarms.length) {
    row.alarms.forEach((text) => alarms.append(el("div", "alarm", text)));
  } else {
    alarms.textContent = row.link === "ok" ? labels.noAlarms : "—";
  }
  facts.append(el("dt", "", labels.labelAlarms), alarms);
  facts.append(el("dt", "", labels.labelDisk), el("dd", "box-disk", row.disk_text));
  facts.append(el("dt", "", labels.labelTest),
    el("dd", row.test_flagged ? "box-test flagged" : "box-test", row.test_text));
  facts.append(el("dt", "", labels.labelMirror),
    el("dd", row.mirror_flagged ? "box-mirror flagged" : "box-mirror", row.mirror_text));
  facts.append(el("dt", "", labels.labelClock),
    el("dd", row.clock_off ? "box-clock clock-off" : "box-clock", row.clock_text));
  facts.append(el("dt", "", labels.labelKey), el("dd", "box-key", row.fingerprint || "—"));
  card.append(facts);
  return card;
}

function render(reply, container) {
  const labels = container.dataset;
  const note = document.getElementById("school-note");
  const notes = [];
  if (!reply.lan) notes.push(labels.lanOff);
  if (!reply.paired) notes.push(labels.notPaired);
  note.textContent = notes.join(" ");
  note.hidden = !notes.length;
  const keyId = document.getElementById("school-key-id");
  keyId.textContent = reply.key_id ? keyId.dataset.template.replace("{key_id}", reply.key_id) : "";
  container.replaceChildren(...reply.rows.map((row) => boxCard(row, labels)));
  if (reply.rows.length < 2) container.append(el("p", "hint", labels.noLink));
}

function refresh(container) {
  api("/api/school").then((reply) => {
    if (reply && reply.ok) render(reply, container);
  }).finally(() => setTimeout(() => refresh(container), REFRESH_MS));
}

document.addEventListener("DOMContentLoaded", () => {
  const container = document.getElementById("school-boxes");
  if (!container) return;
  refresh(container);
  document.getElementById("school-pair-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("school-passphrase");
    api("/api/school/pair", { passphrase: input.value }).then((reply) => {
      if (reply && reply.ok) {
        input.value = "";
        showMessage(reply.text, "", "good");
      }
    });
  });
  document.getElementById("school-unpair").addEventListener("click", () => {
    api("/api/school/unpair", {}).then((reply) => {
      if (reply && reply.ok) showMessage(reply.text, "", "good");
    });
  });
});
