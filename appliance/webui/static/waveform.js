// A small waveform player: server-computed peaks drawn on a canvas, a playhead that follows
// an <audio> element, markers drawn as lines; clicking the wave or a marker seeks the audio.
(function () {
  "use strict";

  function seek(audio, seconds) {
    // Seeking before the metadata is known is ignored by browsers: wait for it once.
    if (audio.readyState >= 1) {
      audio.currentTime = seconds;
    } else {
      audio.addEventListener("loadedmetadata", () => { audio.currentTime = seconds; },
                             { once: true });
      audio.load();
    }
  }

  class Waveform {
    constructor(canvas, audio, markers) {
      this.canvas = canvas;
      this.audio = audio;
      this.markers = markers || [];
      this.peaks = [];
      this.duration = 0;
      canvas.addEventListener("click", (event) => {
        if (!this.duration) return;
        const box = canvas.getBoundingClientRect();
        seek(audio, (event.clientX - box.left) / box.width * this.duration);
      });
      for (const name of ["timeupdate", "seeked", "loadedmetadata"]) {
        audio.addEventListener(name, () => this.draw());
      }
      window.addEventListener("resize", () => this.draw());
    }

    load(url) {
      return api(url).then((reply) => {
        if (!reply || !reply.ok) return;
        this.peaks = reply.peaks;
        this.duration = reply.duration_s;
        this.canvas.dataset.loaded = "1";
        this.draw();
      });
    }

    draw() {
      const canvas = this.canvas;
      const ratio = window.devicePixelRatio || 1;
      const width = canvas.clientWidth * ratio;
      const height = canvas.clientHeight * ratio;
      if (canvas.width !== width) canvas.width = width;
      if (canvas.height !== height) canvas.height = height;
      const g = canvas.getContext("2d");
      g.clearRect(0, 0, width, height);
      const mid = height / 2;
      const n = this.peaks.length;
      const played = this.duration ? this.audio.currentTime / this.duration : 0;
      for (let x = 0; x < width; x++) {
        const from = Math.floor(x / width * n);
        const to = Math.max(from + 1, Math.floor((x + 1) / width * n));
        let peak = 0;
        for (let i = from; i < to && i < n; i++) peak = Math.max(peak, this.peaks[i]);
        const h = Math.max(1, peak / 255 * mid);
        g.fillStyle = x / width <= played ? "#1f6fb2" : "#9bb7cf";
        g.fillRect(x, mid - h, 1, 2 * h);
      }
      if (!this.duration) return;
      g.fillStyle = "#c0392b";
      for (const marker of this.markers) {
        g.fillRect(Math.round(marker.time_s / this.duration * width), 0, 2 * ratio, height);
      }
      g.fillStyle = "#000";
      g.fillRect(Math.round(played * width), 0, ratio, height);
    }
  }

  window.Waveform = Waveform;
  window.seekAudio = seek;
})();
