// Drag-and-drop publishing with a progress bar per file. Each file is its own request, streamed by the browser;
// the server never holds a whole file in memory. Without JavaScript the plain form still works.
(function () {
  "use strict";
  const zone = document.getElementById("dropzone");
  if (!zone) { return; }
  const form = document.getElementById("upload-form");
  const input = document.getElementById("files");
  const list = document.getElementById("upload-progress");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function send(file) {
    return new Promise(function (resolve) {
      const item = document.createElement("li");
      const label = document.createElement("span");
      const bar = document.createElement("progress");
      label.textContent = file.name + " ";
      bar.max = 100; bar.value = 0;
      bar.setAttribute("aria-label", file.name);
      item.append(label, bar);
      list.append(item);
      const data = new FormData();
      data.append("folder", form.elements.folder.value);
      data.append("category", form.elements.category.value);
      data.append("files", file);
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("X-CSRFToken", csrf);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) { bar.value = Math.round(100 * event.loaded / event.total); }
      });
      request.addEventListener("load", function () {
        let answer = {};
        try { answer = JSON.parse(request.responseText); } catch (error) { answer = {error: request.statusText}; }
        bar.value = 100;
        label.textContent = file.name + " — " + (request.status === 200 ? zone.dataset.done : answer.error);
        item.className = request.status === 200 ? "done" : "failed";
        resolve(request.status === 200);
      });
      request.addEventListener("error", function () {
        label.textContent = file.name + " — " + zone.dataset.failed;
        item.className = "failed";
        resolve(false);
      });
      request.send(data);
    });
  }

  function publish(files) {
    Promise.all(Array.from(files).map(send)).then(function (results) {
      if (results.every(Boolean)) { window.location.reload(); }
    });
  }

  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    publish(event.dataTransfer.files);
  });
  form.addEventListener("submit", function (event) {
    if (input.files.length) { event.preventDefault(); publish(input.files); }
  });
})();
