// Retention page: the purge form sends the typed confirmation and the commission's names;
// each deleted day is listed with a link to its act of destruction.
(function () {
  "use strict";
  const text = JSON.parse(document.getElementById("retention-text").textContent);
  const form = document.getElementById("purge-form");
  if (!form) return;
  const fmt = (template, values) => template.replace(/\{(\w+)\}/g, (_, k) => String(values[k]));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = {};
    for (const input of form.querySelectorAll("input[name]")) body[input.name] = input.value;
    const button = document.getElementById("purge-submit");
    button.disabled = true;
    api("/api/retention/purge", body).then((reply) => {
      if (!reply || !reply.ok) return;
      hideMessage();
      const list = document.getElementById("purge-result");
      list.textContent = "";
      for (const day of reply.purged) {
        const li = document.createElement("li");
        li.className = "purged";
        li.dataset.date = day.date;
        li.textContent = fmt(text.done, { date: day.date, files: day.files }) + " — ";
        const link = document.createElement("a");
        link.href = day.act_url;
        link.className = "act-link";
        link.textContent = text.download + " (" + day.act + ")";
        li.appendChild(link);
        list.appendChild(li);
      }
      if (reply.nothing) {
        const li = document.createElement("li");
        li.textContent = reply.nothing;
        list.appendChild(li);
      }
      form.hidden = true;
    }).finally(() => { button.disabled = false; });
  });
})();
