// vPDQ of a video in the browser, as hotline.hashing.videos does it (docs/decisions/0018):
// one frame per second from time 0 (DEFAULT_FPS), each hashed with pdq.js's PDQ at the size
// the browser displays it (rotation applied), exact repeats of the last kept hash dropped
// (Meta's dedupe). MD5 is streamed over 4 MiB slices so a phone video is never held whole
// for it; SHA-256 (WebCrypto has no streaming digest) is computed only up to SHA256_BYTES.
(function (root) {
  "use strict";

  const FPS = 1;
  const MAX_SECONDS = 600; // hotline's DEFAULT_LIMITS.max_video_seconds
  const MAX_FRAMES = MAX_SECONDS * FPS;
  const SLICE = 4 << 20;
  const SHA256_BYTES = 512 << 20;
  const MIN_QUALITY = 50; // hotline.hashing.video_match.MIN_QUALITY
  const MAX_SENT_FRAMES = 20; // hotline.cases.services.media.MAX_VIDEO_FRAME_SIGNALS

  class VideoError extends Error {
    constructor(code, message) { super(message); this.code = code; }
  }

  async function md5OfFile(file, onProgress) {
    const md5 = root.hotlinePdq.md5Stream();
    for (let start = 0; start < file.size; start += SLICE) {
      md5.update(await file.slice(start, start + SLICE).arrayBuffer());
      if (onProgress) { onProgress(Math.min(file.size, start + SLICE) / file.size); }
    }
    return md5.hex();
  }

  function once(target, name) {
    return new Promise(function (resolve, reject) {
      function done(event) {
        target.removeEventListener(name, done);
        target.removeEventListener("error", failed);
        resolve(event);
      }
      function failed() {
        target.removeEventListener(name, done);
        target.removeEventListener("error", failed);
        reject(new VideoError("unplayable", "this browser cannot play this video"));
      }
      target.addEventListener(name, done);
      target.addEventListener("error", failed);
    });
  }

  // The presentation time of the frame shown at the end; the duration where the browser
  // cannot say (no requestVideoFrameCallback, or no new frame shown within a second).
  async function lastFrameStart(video, duration) {
    if (!video.requestVideoFrameCallback) { return duration; }
    const shown = new Promise(function (resolve) {
      video.requestVideoFrameCallback(function (now, metadata) { resolve(metadata.mediaTime); });
      setTimeout(function () { resolve(duration); }, 1000);
    });
    const seeked = once(video, "seeked");
    video.currentTime = duration;
    await seeked;
    return Math.min(duration, await shown);
  }

  // Frame hashes of the file: [{time, pdq, quality}], one per second, repeats dropped.
  async function videoFrames(file, onProgress) {
    const url = URL.createObjectURL(file);
    const video = document.createElement("video");
    video.muted = true;
    video.preload = "auto";
    video.playsInline = true;
    try {
      const loaded = once(video, "loadeddata");
      video.src = url;
      await loaded;
      const duration = video.duration;
      if (!Number.isFinite(duration) || duration > MAX_SECONDS) {
        throw new VideoError("too_long", "video runs past " + MAX_SECONDS + " s, the limit");
      }
      // videoWidth/videoHeight are the displayed size: the browser applies rotation.
      const width = video.videoWidth, height = video.videoHeight;
      if (!width || !height) { throw new VideoError("unplayable", "no picture in this video"); }
      const canvas = new OffscreenCanvas(width, height);
      const context = canvas.getContext("2d", { willReadFrequently: true });
      const frames = [];
      // Python samples time t only if a frame starts at or after it. The element's duration
      // can run past the last frame (a longer audio track), so the last frame's own start is
      // read first: seek to the end and ask which frame is shown.
      const last = await lastFrameStart(video, duration);
      const count = Math.min(MAX_FRAMES, Math.floor((last + 1e-3) * FPS) + 1);
      for (let i = 0; i < count; i++) {
        const time = i / FPS;
        const seeked = once(video, "seeked");
        video.currentTime = time;
        await seeked;
        context.drawImage(video, 0, 0, width, height);
        const pixels = context.getImageData(0, 0, width, height).data;
        const hashed = root.hotlinePdq.pdqFromRgba(pixels, width, height);
        const last = frames[frames.length - 1];
        if (!last || last.pdq !== hashed.hex) {
          frames.push({ time: time, pdq: hashed.hex, quality: hashed.quality });
        }
        if (onProgress) { onProgress((i + 1) / count); }
      }
      return { frames: frames, duration: duration, width: width, height: height };
    } finally {
      video.removeAttribute("src");
      video.load();
      URL.revokeObjectURL(url);
    }
  }

  // The signals hotline keeps for a video item (as its own upload intake does): MD5,
  // SHA-256 and up to 20 distinct usable frame PDQs.
  function sentSignals(md5, sha256, frames) {
    const rows = [{ type: "md5", value: md5 }];
    if (sha256) { rows.push({ type: "sha256", value: sha256 }); }
    const seen = new Set();
    for (const frame of frames) {
      if (frame.quality >= MIN_QUALITY && !seen.has(frame.pdq) && seen.size < MAX_SENT_FRAMES) {
        seen.add(frame.pdq);
        rows.push({ type: "pdq", value: frame.pdq, quality: frame.quality });
      }
    }
    return rows;
  }

  // onProgress(stage, share): stage is "bytes" (MD5 over the file) or "frames".
  async function videoSignals(file, onProgress) {
    const report = onProgress || function () {};
    const hashed = await videoFrames(file, function (share) { report("frames", share); });
    const md5 = await md5OfFile(file, function (share) { report("bytes", share); });
    const sha256 = file.size <= SHA256_BYTES ? await root.hotlinePdq.sha256(await file.arrayBuffer()) : "";
    return {
      signals: sentSignals(md5, sha256, hashed.frames),
      frames: hashed.frames,
      duration: hashed.duration,
      width: hashed.width,
      height: hashed.height,
    };
  }

  function isVideo(file) {
    return /^video\//.test(file.type) || /\.(mp4|m4v|mov|webm|mkv|ogv|3gp)$/i.test(file.name);
  }

  root.hotlineVideo = { videoSignals: videoSignals, isVideo: isVideo, VideoError: VideoError, MAX_SECONDS: MAX_SECONDS };
})(self);
