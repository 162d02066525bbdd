// PDQ (Meta's 256-bit perceptual hash) and MD5, computed in the browser from a photo's pixels
// and bytes. Written for hotline (docs/decisions/0018): it mirrors hotline.hashing.pdq step
// by step, at full resolution as Meta's reference does: luminance, two Jarosz box-filter
// passes per axis (window ceil(n / 128)), 64 x 64 centre samples, the 16 x 16 DCT without
// its DC row, threshold at the median, and the gradient quality score.
(function (root) {
  "use strict";

  const MIN_SIDE = 5; // Meta's C++ refuses smaller images
  const ZERO = "0".repeat(64);

  const DCT = (function () {
    const d = new Float64Array(16 * 64);
    const scale = Math.sqrt(2 / 64);
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 64; j++) {
        d[i * 64 + j] = scale * Math.cos((Math.PI / 128) * (i + 1) * (2 * j + 1));
      }
    }
    return d;
  })();

  function boxExtents(n) {
    const window = Math.floor((n + 127) / 128);
    const half = Math.floor((window + 2) / 2);
    return [window - half, half - 1];
  }

  // One horizontal box pass over every row (contiguous in memory).
  function boxRows(src, dst, width, height, left, right) {
    for (let y = 0, base = 0; y < height; y++, base += width) {
      let lo = 0, hi = Math.min(width - 1, right), sum = 0;
      for (let x = lo; x <= hi; x++) { sum += src[base + x]; }
      for (let x = 0; x < width; x++) {
        dst[base + x] = sum / (hi - lo + 1);
        const nextLo = Math.max(0, x + 1 - left), nextHi = Math.min(width - 1, x + 1 + right);
        if (nextHi > hi) { hi = nextHi; sum += src[base + hi]; }
        if (nextLo > lo) { sum -= src[base + lo]; lo = nextLo; }
      }
    }
  }

  // One vertical box pass as a sliding window of whole rows, so memory is read in order.
  function boxColumns(src, dst, width, height, left, right) {
    const sum = new Float64Array(width);
    let lo = 0, hi = Math.min(height - 1, right);
    for (let y = lo; y <= hi; y++) { addRow(sum, src, y * width, width, 1); }
    for (let y = 0; y < height; y++) {
      const scale = 1 / (hi - lo + 1), base = y * width;
      for (let x = 0; x < width; x++) { dst[base + x] = sum[x] * scale; }
      const nextLo = Math.max(0, y + 1 - left), nextHi = Math.min(height - 1, y + 1 + right);
      if (nextHi > hi) { hi = nextHi; addRow(sum, src, hi * width, width, 1); }
      if (nextLo > lo) { addRow(sum, src, lo * width, width, -1); lo = nextLo; }
    }
  }

  function addRow(sum, src, base, width, sign) {
    for (let x = 0; x < width; x++) { sum[x] += sign * src[base + x]; }
  }

  // The last vertical pass is needed only at the 64 x 64 sample points.
  function boxColumnsAt(src, width, height, left, right, rows, cols) {
    const out = new Float64Array(64 * 64);
    for (let i = 0; i < 64; i++) {
      const lo = Math.max(0, rows[i] - left), hi = Math.min(height - 1, rows[i] + right);
      for (let j = 0; j < 64; j++) {
        let sum = 0;
        for (let y = lo; y <= hi; y++) { sum += src[y * width + cols[j]]; }
        out[i * 64 + j] = sum / (hi - lo + 1);
      }
    }
    return out;
  }

  function samplePoints(n) {
    const points = new Int32Array(64);
    for (let i = 0; i < 64; i++) { points[i] = Math.floor(((i + 0.5) * n) / 64); }
    return points;
  }

  function lumaOf(rgba, width, height) {
    const luma = new Float32Array(width * height);
    for (let p = 0, q = 0; p < luma.length; p++, q += 4) {
      luma[p] = 0.299 * rgba[q] + 0.587 * rgba[q + 1] + 0.114 * rgba[q + 2];
    }
    return luma;
  }

  function buffer64(luma, width, height) {
    const a = luma;
    const b = new Float32Array(a.length);
    const [rowLeft, rowRight] = boxExtents(width);
    const [colLeft, colRight] = boxExtents(height);
    boxRows(a, b, width, height, rowLeft, rowRight);
    boxColumns(b, a, width, height, colLeft, colRight);
    boxRows(a, b, width, height, rowLeft, rowRight);
    return boxColumnsAt(b, width, height, colLeft, colRight, samplePoints(height), samplePoints(width));
  }

  function quality(buf) {
    let sum = 0;
    for (let i = 0; i < 63; i++) {
      for (let j = 0; j < 64; j++) {
        sum += Math.abs(Math.trunc(((buf[i * 64 + j] - buf[(i + 1) * 64 + j]) * 100) / 255));
      }
    }
    for (let i = 0; i < 64; i++) {
      for (let j = 0; j < 63; j++) {
        sum += Math.abs(Math.trunc(((buf[i * 64 + j] - buf[i * 64 + j + 1]) * 100) / 255));
      }
    }
    return Math.min(100, Math.floor(sum / 90));
  }

  function dct16(buf) {
    const tmp = new Float64Array(16 * 64); // D @ buf
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 64; j++) {
        let s = 0;
        for (let k = 0; k < 64; k++) { s += DCT[i * 64 + k] * buf[k * 64 + j]; }
        tmp[i * 64 + j] = s;
      }
    }
    const out = new Float64Array(256); // (D @ buf) @ D.T
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 16; j++) {
        let s = 0;
        for (let k = 0; k < 64; k++) { s += tmp[i * 64 + k] * DCT[j * 64 + k]; }
        out[i * 16 + j] = s;
      }
    }
    return out;
  }

  // Coefficient (i, j) is bit i * 16 + j; bit 0 is the last hex digit's lowest bit.
  function hexFromDct(coeffs) {
    const median = Array.from(coeffs).sort(function (x, y) { return x - y; })[127];
    const bytes = new Uint8Array(32);
    for (let k = 0; k < 256; k++) {
      if (coeffs[k] > median) { bytes[31 - (k >> 3)] |= 1 << (k & 7); }
    }
    return Array.from(bytes, function (v) { return v.toString(16).padStart(2, "0"); }).join("");
  }

  function pdqFromRgba(rgba, width, height) {
    if (Math.min(width, height) < MIN_SIDE) { return { hex: ZERO, quality: 0 }; }
    const buf = buffer64(lumaOf(rgba, width, height), width, height);
    return { hex: hexFromDct(dct16(buf)), quality: quality(buf) };
  }

  // Decoded as displayed (EXIF orientation applied, as hotline.hashing.images does), with no
  // colour-profile conversion (Pillow applies none either).
  async function pdqOfBlob(blob) {
    const bitmap = await createImageBitmap(blob, {
      imageOrientation: "from-image",
      colorSpaceConversion: "none",
      premultiplyAlpha: "none",
    });
    try {
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(bitmap, 0, 0);
      const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
      return pdqFromRgba(pixels, bitmap.width, bitmap.height);
    } finally {
      bitmap.close();
    }
  }

  // MD5 (RFC 1321) of an ArrayBuffer: WebCrypto offers SHA-256 but not MD5.
  const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  const MD5_K = (function () {
    const k = new Int32Array(64);
    for (let i = 0; i < 64; i++) { k[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296) | 0; }
    return k;
  })();

  // One 64-byte block into the state [a, b, c, d].
  function md5Block(state, view, off, m) {
    for (let i = 0; i < 16; i++) { m[i] = view.getInt32(off + i * 4, true); }
    let a = state[0], b = state[1], c = state[2], d = state[3];
    for (let i = 0; i < 64; i++) {
      let f, g;
      if (i < 16) { f = (b & c) | (~b & d); g = i; }
      else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
      else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
      else { f = c ^ (b | ~d); g = (7 * i) & 15; }
      const s = MD5_S[(i >> 4) * 4 + (i & 3)];
      const sum = (a + f + MD5_K[i] + m[g]) | 0;
      a = d; d = c; c = b;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
    }
    state[0] = (state[0] + a) | 0; state[1] = (state[1] + b) | 0;
    state[2] = (state[2] + c) | 0; state[3] = (state[3] + d) | 0;
  }

  // MD5 fed slice by slice (update(ArrayBuffer), then hex()), for files too large to hold.
  function md5Stream() {
    const state = new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476]);
    const m = new Int32Array(16);
    const tail = new Uint8Array(64);
    let kept = 0, length = 0;
    function update(buffer) {
      const bytes = new Uint8Array(buffer);
      length += bytes.length;
      let at = 0;
      if (kept) {
        const take = Math.min(64 - kept, bytes.length);
        tail.set(bytes.subarray(0, take), kept);
        kept += take; at = take;
        if (kept < 64) { return; }
        md5Block(state, new DataView(tail.buffer), 0, m);
        kept = 0;
      }
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (; at + 64 <= bytes.length; at += 64) { md5Block(state, view, at, m); }
      tail.set(bytes.subarray(at), 0);
      kept = bytes.length - at;
    }
    function hex() {
      const n = length;
      const padding = new Uint8Array((kept < 56 ? 56 : 120) - kept + 8);
      padding[0] = 0x80;
      const view = new DataView(padding.buffer);
      view.setUint32(padding.length - 8, (n * 8) >>> 0, true);
      view.setUint32(padding.length - 4, Math.floor(n / 536870912), true);
      update(padding);
      let out = "";
      for (const word of state) {
        for (let i = 0; i < 4; i++) { out += ((word >>> (8 * i)) & 255).toString(16).padStart(2, "0"); }
      }
      return out;
    }
    return { update: update, hex: hex };
  }

  function md5(buffer) {
    const stream = md5Stream();
    stream.update(buffer);
    return stream.hex();
  }

  async function sha256(buffer) {
    const digest = await root.crypto.subtle.digest("SHA-256", buffer);
    return Array.from(new Uint8Array(digest), function (v) { return v.toString(16).padStart(2, "0"); }).join("");
  }

  // Every signal hotline keeps for an image: PDQ with its quality, MD5 and SHA-256.
  async function imageSignals(file) {
    const bytes = await file.arrayBuffer();
    const pdq = await pdqOfBlob(file);
    return [
      { type: "pdq", value: pdq.hex, quality: pdq.quality },
      { type: "md5", value: md5(bytes) },
      { type: "sha256", value: await sha256(bytes) },
    ];
  }

  root.hotlinePdq = { pdqFromRgba: pdqFromRgba, pdqOfBlob: pdqOfBlob, md5: md5, md5Stream: md5Stream, sha256: sha256, imageSignals: imageSignals };
})(self);
