// Shared by every page: api() with the CSRF header, and the standard message box.
"use strict";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function showMessage(text, hint, kind) {
  const box = document.getElementById("message-box");
  if (!box) return;
  box.querySelector(".message-text").textContent = text || "";
  box.querySelector(".message-hint").textContent = hint || "";
  box.className = "message-box " + (kind || "bad");
  box.hidden = !text;
}

function hideMessage() {
  showMessage("", "");
}

// GET when body is undefined, else POST JSON. Resolves to the parsed reply (ok or not; a
// refusal is also shown in the message box), or null when the page could not be reached.
function api(path, body) {
  const options = { headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    options.method = "POST";
    options.headers["Content-Type"] = "application/json";
    options.headers["X-CSRF-Token"] = csrfToken();
    options.body = JSON.stringify(body);
  }
  return fetch(path, options).then((response) => {
    if (response.status === 401) {
      const login = document.querySelector('meta[name="login-url"]');
      window.location.href = (login ? login.content : "/login") + "?next=" +
        encodeURIComponent(window.location.pathname);
      return null;
    }
    return response.json().then((reply) => {
      if (reply && reply.ok === false && reply.error) {
        showMessage(reply.error.text, reply.error.hint, "bad");
      } else if (reply && reply.ok && body !== undefined) {
        hideMessage();  // an old refusal never stays above the news of a success
      }
      return reply;
    });
  }).catch((err) => {
    showMessage(String(err), "", "bad");
    return null;
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const close = document.querySelector("#message-box .message-close");
  if (close) close.addEventListener("click", hideMessage);
});

// The menu on a phone: one button that opens and closes the list of pages.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.getElementById("menu-toggle");
  const nav = document.getElementById("main-nav");
  if (!toggle || !nav) return;
  toggle.addEventListener("click", () => {
    const open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
});

// An ISO time from the box ("2027-02-10T09:05:30+03:00") as the box's wall clock shows it:
// dd.mm.yyyy ЧЧ:ММ (with seconds when asked), in the site's zone when the page names one,
// else as the box wrote it (its own zone), whatever the zone of the browser.
function localTime(iso, withSeconds) {
  const zone = (document.querySelector('meta[name="box-timezone"]') || {}).content;
  const m = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d))?/.exec(iso || "");
  if (!m) return iso || "";
  if (zone && !Number.isNaN(Date.parse(iso))) {
    const parts = {};
    const options = { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit",
                      day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" };
    for (const p of new Intl.DateTimeFormat("en-GB", options).formatToParts(new Date(iso))) {
      parts[p.type] = p.value;
    }
    return `${parts.day}.${parts.month}.${parts.year} ${parts.hour}:${parts.minute}` +
      (withSeconds ? `:${parts.second}` : "");
  }
  return `${m[3]}.${m[2]}.${m[1]} ${m[4]}:${m[5]}` + (withSeconds && m[6] ? `:${m[6]}` : "");
}

// A number with the page language's decimal separator (0,4 in Russian).
function decimal(value, digits) {
  const shown = Number(value).toFixed(digits);
  return document.documentElement.lang === "en" ? shown : shown.replace(".", ",");
}
