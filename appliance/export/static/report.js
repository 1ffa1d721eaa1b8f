/* report.html: marker buttons jump in the player; «Проверить файлы» checks the room folder
   against the signed manifest, offline. Files are read in slices and hashed with the streaming
   SHA-256 of hash-wasm-sha256.js (hash-wasm 4.12.0, WebAssembly; WebCrypto's digest takes only
   a whole buffer: a 2 GB WAV would not fit); small things (journal lines, the key) go through
   WebCrypto's digest; the Ed25519 signature is checked with WebCrypto (Chromium, Firefox,
   Safari of 2025 on).
   The same checks as `appliance verify`; docs/FORMATS.md describes the package. */
(function () {
  "use strict";

  var SLICE_BYTES = 8 * 1024 * 1024;
  var SEAL_FILES = ["manifest.json", "manifest.json.sig"];
  var B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  document.querySelectorAll("button.mark").forEach(function (button) {
    button.addEventListener("click", function () {
      var audio = document.getElementById(button.dataset.audio);
      audio.currentTime = parseFloat(button.dataset.time);
      audio.play();
    });
  });

  var input = document.getElementById("check-folder");
  if (!input) { return; }
  var summary = document.getElementById("check-summary");
  var table = document.getElementById("check-table");
  var tbody = table.querySelector("tbody");

  function say(text, ok) {
    summary.textContent = text;
    summary.className = ok === undefined ? "" : (ok ? "check-ok" : "bad");
  }

  function row(name, verdict, ok) {
    var tr = document.createElement("tr");
    var a = document.createElement("td");
    var b = document.createElement("td");
    a.textContent = name;
    b.textContent = verdict;
    b.className = ok ? "check-ok" : "bad";
    tr.appendChild(a);
    tr.appendChild(b);
    tbody.appendChild(tr);
    return b;
  }

  function hex(bytes) {
    return Array.prototype.map.call(new Uint8Array(bytes), function (x) {
      return ("0" + x.toString(16)).slice(-2);
    }).join("");
  }

  function base32(bytes) {
    var out = "", bits = 0, value = 0;
    new Uint8Array(bytes).forEach(function (byte) {
      value = (value << 8) | byte;
      bits += 8;
      while (bits >= 5) {
        out += B32[(value >>> (bits - 5)) & 31];
        bits -= 5;
      }
    });
    return out;
  }

  async function digest(bytes) {
    return crypto.subtle.digest("SHA-256", bytes);
  }

  async function fingerprint(raw) {
    var text = base32(await digest(raw)).slice(0, 16);
    return text.match(/.{4}/g).join("-");
  }

  function readSlice(file, start, end) {
    return file.slice(start, end).arrayBuffer();
  }

  async function hashFile(file, progress) {
    var hasher = await hashwasm.createSHA256();
    hasher.init();
    for (var start = 0; start < file.size; start += SLICE_BYTES) {
      hasher.update(new Uint8Array(await readSlice(file, start, start + SLICE_BYTES)));
      progress(Math.min(start + SLICE_BYTES, file.size), file.size);
    }
    return hasher.digest("hex");
  }

  async function checkSignature(manifestBytes, sigBytes, raw) {
    try {
      var key = await crypto.subtle.importKey("raw", raw, {name: "Ed25519"}, false, ["verify"]);
      return await crypto.subtle.verify({name: "Ed25519"}, key, sigBytes, manifestBytes);
    } catch (err) {
      return null;  /* this browser has no Ed25519 in WebCrypto */
    }
  }

  /* The journal's hash chain: every line's `prev` is the SHA-256 of the line before. */
  async function checkJournal(bytes, manifest) {
    var problems = [], prev = "0".repeat(64), closed = {}, opened = {};
    var data = new Uint8Array(bytes), start = 0, seq = 0;
    var decoder = new TextDecoder("utf-8");
    for (var i = 0; i <= data.length; i++) {
      if (i < data.length && data[i] !== 10) { continue; }
      if (i > start) {
        var line = data.subarray(start, i), entry;
        try {
          entry = JSON.parse(decoder.decode(line));
        } catch (err) {
          problems.push("журнал: строка " + (seq + 1) + " не читается");
          break;
        }
        if (entry.prev !== prev || entry.seq !== seq) {
          problems.push("журнал: цепочка хешей нарушена на записи " + entry.seq);
          break;
        }
        if (entry.event === "part_opened") { opened[entry.file] = true; }
        if (entry.event === "part_closed") { closed[entry.file] = entry; }
        prev = hex(await digest(line));
        seq += 1;
      }
      start = i + 1;
    }
    var head = manifest.journal || {};
    if (!problems.length && (head.head !== prev || head.entries !== seq)) {
      problems.push("журнал: последняя запись не совпадает с манифестом");
    }
    return {problems: problems, opened: opened, closed: closed};
  }

  async function check(files) {
    tbody.textContent = "";
    table.hidden = false;
    var byName = {};
    Array.prototype.forEach.call(files, function (file) {
      var parts = (file.webkitRelativePath || file.name).split("/");
      if (parts.length <= 2) { byName[parts[parts.length - 1]] = file; }
    });
    if (!byName["manifest.json"]) {
      say("В выбранной папке нет manifest.json: выберите папку аудитории (где лежит " +
          "report.html).", false);
      return;
    }
    var problems = 0;
    var manifestBytes = await byName["manifest.json"].arrayBuffer();
    var manifest;
    try {
      manifest = JSON.parse(new TextDecoder("utf-8").decode(manifestBytes));
    } catch (err) {
      say("manifest.json не читается: пакет повреждён.", false);
      return;
    }
    var raw = Uint8Array.from(atob(manifest.box.public_key), function (c) {
      return c.charCodeAt(0);
    });
    var print = await fingerprint(raw);
    var sigFile = byName["manifest.json.sig"];
    var signed = sigFile ? await checkSignature(manifestBytes, await sigFile.arrayBuffer(), raw)
      : false;
    if (signed === null) {
      row("manifest.json.sig", "подпись НЕ ПРОВЕРЕНА: этот браузер не поддерживает Ed25519. " +
          "Откройте отчёт в Chrome, Edge или Firefox новее 2025 года или выполните appliance " +
          "verify", false);
    } else {
      row("manifest.json.sig", signed ? "подпись верна, ключ " + print
        : (sigFile ? "ПОДПИСЬ НЕВЕРНА: манифест изменён или подписан другим ключом"
          : "НЕТ ФАЙЛА ПОДПИСИ"), signed);
      problems += signed ? 0 : 1;
    }
    var listed = {};
    var hashes = {};
    for (var k = 0; k < manifest.files.length; k++) {
      var entry = manifest.files[k];
      listed[entry.name] = true;
      var file = byName[entry.name];
      if (!file) {
        row(entry.name, "НЕТ ФАЙЛА", false);
        problems += 1;
        continue;
      }
      if (file.size !== entry.bytes) {
        row(entry.name, "РАЗМЕР НЕ СОВПАДАЕТ: " + file.size + " байт, в манифесте " +
            entry.bytes, false);
        problems += 1;
        continue;
      }
      var cell = row(entry.name, "проверяется…", true);
      hashes[entry.name] = await hashFile(file, function (done, total) {
        cell.textContent = "проверяется… " + Math.floor(done * 100 / total) + "%";
      });
      var same = hashes[entry.name] === entry.sha256;
      cell.textContent = same ? "совпадает" : "ФАЙЛ ИЗМЕНЁН: контрольная сумма не совпадает";
      cell.className = same ? "check-ok" : "bad";
      problems += same ? 0 : 1;
    }
    Object.keys(byName).sort().forEach(function (name) {
      if (!listed[name] && SEAL_FILES.indexOf(name) < 0) {
        row(name, "ЛИШНИЙ ФАЙЛ: его нет в манифесте", false);
        problems += 1;
      }
    });
    var journalName = manifest.journal && manifest.journal.file;
    if (!journalName || !byName[journalName]) {
      row("journal.jsonl", "НЕТ ЖУРНАЛА ДНЯ", false);
      problems += 1;
    } else {
      var journal = await checkJournal(await byName[journalName].arrayBuffer(), manifest);
      Object.keys(journal.opened).sort().forEach(function (name) {
        var closed = journal.closed[name];
        if (!closed) {
          journal.problems.push(name + ": часть не была закрыта к выгрузке (шла запись)");
        } else if (!listed[name]) {
          journal.problems.push(name + ": часть есть в журнале, но её нет в пакете");
        } else if (hashes[name] !== undefined && hashes[name] !== closed.sha256) {
          journal.problems.push(name + ": не та запись, что в журнале (SHA-256 другой)");
        }
      });
      journal.problems.forEach(function (text) { row(journalName, text, false); });
      if (!journal.problems.length) { row(journalName, "цепочка журнала цела", true); }
      problems += journal.problems.length;
    }
    if (problems) {
      say("ОБНАРУЖЕНЫ НЕСООТВЕТСТВИЯ: " + problems + ". Эти файлы нельзя считать подлинными.",
          false);
    } else if (signed === null) {
      say("Файлы совпадают с манифестом, но подпись НЕ ПРОВЕРЕНА (браузер не умеет Ed25519): " +
          "подлинность не доказана.", false);
    } else {
      say("Все файлы совпадают с подписанным манифестом. Ключ устройства: " + print +
          " — сравните с актом передачи.", true);
    }
  }

  input.addEventListener("change", function () {
    say("Идёт проверка…");
    check(input.files).catch(function (err) {
      say("Проверка прервана: " + err, false);
    });
  });
}());
