// The /self/ page: hash each chosen photo (pdq.js) or video (video.js) here, then send only the hashes and the
// links as JSON. The files themselves are never put in any request.
(function () {
  "use strict";
  const input = document.getElementById("self-files");
  const list = document.getElementById("self-hashes");
  const form = document.getElementById("self-form");
  const problem = document.getElementById("self-problem");
  const text = document.getElementById("self-messages").dataset;
  let hashed = [];
  let pending = null;

  function show(message) {
    problem.textContent = message;
    problem.hidden = !message;
  }

  async function hashAll() {
    list.textContent = "";
    hashed = [];
    show("");
    for (const file of Array.from(input.files)) {
      const row = document.createElement("li");
      row.textContent = file.name + ": " + text.hashing;
      list.appendChild(row);
      try {
        if (self.hotlineVideo.isVideo(file)) {
          await hashVideo(file, row);
        } else {
          const signals = await self.hotlinePdq.imageSignals(file);
          hashed.push({ signals: signals });
          row.textContent = file.name + ": pdq " + signals[0].value + " (" + signals[0].quality + ")";
          row.dataset.pdq = signals[0].value;
        }
      } catch (error) {
        row.textContent = file.name + ": " + (error.code === "too_long" ? text.tooLong
          : self.hotlineVideo.isVideo(file) ? text.unplayable : text.unreadable);
        row.className = "problem";
      }
    }
  }

  // A video: frames sampled and hashed here (video.js), with progress in its row.
  async function hashVideo(file, row) {
    const result = await self.hotlineVideo.videoSignals(file, function (stage, share) {
      row.textContent = file.name + ": " + (stage === "frames" ? text.frames : text.bytes) +
        " " + Math.round(share * 100) + "%";
    });
    hashed.push({ signals: result.signals });
    row.textContent = file.name + ": " + text.videoDone.replace("%s", String(result.frames.length));
    row.dataset.frames = JSON.stringify(result.frames);
    row.dataset.md5 = result.signals[0].value;
  }

  input.addEventListener("change", function () { pending = hashAll(); });

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (pending) { await pending; }
    const urls = document.getElementById("self-urls").value.split("\n")
      .map(function (u) { return u.trim(); }).filter(Boolean);
    const items = hashed.concat(urls.map(function (u) { return { url: u }; }));
    if (!items.length) { show(text.nothing); return; }
    if (!document.getElementById("self-consent").checked) { show(text.consent); return; }
    const response = await fetch(window.location.pathname + "submit", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value,
      },
      body: JSON.stringify({
        category: document.getElementById("self-category").value,
        items: items,
        email: document.getElementById("self-email").value.trim(),
      }),
    });
    const answer = await response.json();
    if (!response.ok) { show(text.failed + " " + answer.message); return; }
    form.hidden = true;
    show("");
    document.getElementById("self-case-id").textContent = answer.case_id;
    document.getElementById("self-pin").textContent = answer.pin;
    document.getElementById("self-email").value = "";
    if (answer.emailed === true) { document.getElementById("self-emailed").hidden = false; }
    if (answer.emailed === false) { document.getElementById("self-not-emailed").hidden = false; }
    document.getElementById("self-result").hidden = false;
  });
})();
