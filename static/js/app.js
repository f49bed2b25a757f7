// schoolportal: what the pages add with JavaScript on. Everything works without it.

// The service worker keeps the look of the portal and an offline page (never a page with
// personal data); it lives at /sw.js so that it looks after the whole site.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch(() => {});
}

// Photo uploads: a progress bar and each photo's state while the files go up. Without
// JavaScript (or on an old browser) the form is sent as it is.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-upload-progress]") || !window.FormData || !window.XMLHttpRequest) return;
  const files = Array.from(form.querySelectorAll("input[type=file]")).flatMap((input) => Array.from(input.files));
  if (!files.length) return;
  event.preventDefault();
  const panel = form.querySelector(".upload-progress");
  const bar = panel.querySelector("progress");
  const list = panel.querySelector("ol");
  const texts = panel.dataset;
  list.replaceChildren(...files.map((file) => {
    const item = document.createElement("li");
    item.textContent = `${file.name}: ${texts.waiting}`;
    return item;
  }));
  panel.hidden = false;
  form.querySelector("button[type=submit]").disabled = true;
  const ends = [];
  files.reduce((sum, file, i) => (ends[i] = sum + file.size), 0);
  const request = new XMLHttpRequest();
  request.open(form.method, form.action);
  request.setRequestHeader("X-Upload-Progress", "1");
  request.upload.addEventListener("progress", (progress) => {
    if (!progress.lengthComputable) return;
    bar.value = progress.loaded / progress.total;
    const sent = progress.loaded * (ends[ends.length - 1] / progress.total);
    files.forEach((file, i) => {
      const state = sent >= ends[i] ? texts.sent : sent > (ends[i] - file.size) ? texts.sending : texts.waiting;
      list.children[i].textContent = `${file.name}: ${state}`;
    });
  });
  request.upload.addEventListener("load", () => {
    bar.value = 1;
    files.forEach((file, i) => { list.children[i].textContent = `${file.name}: ${texts.processing}`; });
  });
  request.addEventListener("load", () => {
    // Done: the server says where to go (as a redirect would). Refused: its page with the reasons.
    if ((request.getResponseHeader("Content-Type") || "").startsWith("application/json")) {
      window.location.assign(JSON.parse(request.responseText).location);
      return;
    }
    document.open();
    document.write(request.responseText);
    document.close();
  });
  request.addEventListener("error", () => {
    panel.querySelector(".upload-progress__failed").hidden = false;
    form.querySelector("button[type=submit]").disabled = false;
  });
  request.send(new FormData(form));
});

// A boosted page swaps only <body>: carry its language over to <html lang> (after switching
// the language, screen readers and hyphenation must use the new one).
document.addEventListener("htmx:after:swap", () => {
  const lang = document.body.getAttribute("lang");
  if (lang && document.documentElement.lang !== lang) document.documentElement.lang = lang;
});
