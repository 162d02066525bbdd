// SHA-256 of each chosen file, computed in this browser with WebCrypto and shown to the person.
// With "hashes only" ticked, the files are taken off the form and only these hashes are sent.
(function () {
  "use strict";
  const input = document.getElementById("id_media");
  const list = document.getElementById("media-hashes");
  const hashOnly = document.getElementById("hash-only");
  const hidden = document.getElementById("id_browser_hashes");
  const form = document.getElementById("request-form");
  let hashes = [];

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer)).map(function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  async function hashFiles() {
    list.textContent = "";
    hashes = [];
    if (!window.crypto || !window.crypto.subtle) { return; }
    for (const file of Array.from(input.files)) {
      const digest = hex(await window.crypto.subtle.digest("SHA-256", await file.arrayBuffer()));
      hashes.push(digest);
      const row = document.createElement("li");
      row.textContent = file.name + ": sha256 " + digest;
      list.appendChild(row);
    }
  }

  input.addEventListener("change", hashFiles);
  form.addEventListener("submit", function () {
    if (hashOnly.checked && hashes.length) {
      hidden.value = hashes.join("\n");
      input.value = "";
    }
  });
})();
