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

  function md5(buffer) {
    const bytes = new Uint8Array(buffer);
    const n = bytes.length;
    const padded = new Uint8Array((((n + 8) >> 6) + 1) << 6);
    padded.set(bytes);
    padded[n] = 0x80;
    const view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, (n * 8) >>> 0, true);
    view.setUint32(padded.length - 4, Math.floor(n / 536870912), true);
    let a0 = 0x67452301, b0 = 0xefcdab89 | 0, c0 = 0x98badcfe | 0, d0 = 0x10325476;
    const m = new Int32Array(16);
    for (let off = 0; off < padded.length; off += 64) {
      for (let i = 0; i < 16; i++) { m[i] = view.getInt32(off + i * 4, true); }
      let a = a0, b = b0, c = c0, d = d0;
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
      a0 = (a0 + a) | 0; b0 = (b0 + b) | 0; c0 = (c0 + c) | 0; d0 = (d0 + d) | 0;
    }
    let out = "";
    for (const word of [a0, b0, c0, d0]) {
      for (let i = 0; i < 4; i++) { out += ((word >>> (8 * i)) & 255).toString(16).padStart(2, "0"); }
    }
    return out;
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

  root.hotlinePdq = { pdqFromRgba: pdqFromRgba, pdqOfBlob: pdqOfBlob, md5: md5, sha256: sha256, imageSignals: imageSignals };
})(self);
