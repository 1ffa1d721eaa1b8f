// Player page: the part's waveform with its markers; a marker button plays from its time.
(function () {
  "use strict";
  const audio = document.getElementById("player");
  const canvas = document.getElementById("wave");
  const markers = JSON.parse(document.getElementById("markers-data").textContent);
  const wave = new Waveform(canvas, audio, markers);
  wave.load(canvas.dataset.peaks);
  for (const button of document.querySelectorAll("#markers button.marker")) {
    button.addEventListener("click", () => {
      seekAudio(audio, parseFloat(button.dataset.time));
      audio.play().catch(() => {});  // a browser refusing to play still has the seek
    });
  }
})();
