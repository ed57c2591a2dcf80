// Drag-and-drop publishing with a progress bar per file. Each file is its own request, streamed by the browser;
// the server never holds a whole file in memory. Without JavaScript the plain form still works.
(function () {
  "use strict";
  const zone = document.getElementById("dropzone");
  if (!zone) { return; }
  const form = document.getElementById("upload-form");
  const input = form.elements.files;
  const list = document.getElementById("upload-progress");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  const resumableAbove = Number(zone.dataset.resumableAbove);
  const chunkSize = Number(zone.dataset.chunkSize);

  function row(file) {
    const item = document.createElement("li");
    const label = document.createElement("span");
    const bar = document.createElement("progress");
    label.textContent = file.name + " ";
    bar.max = 100; bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    item.append(label, bar);
    list.append(item);
    return {item: item, label: label, bar: bar};
  }

  function finish(view, file, ok, message) {
    view.bar.value = 100;
    view.label.textContent = file.name + " — " + (ok ? zone.dataset.done : message);
    view.item.className = ok ? "done" : "failed";
    return ok;
  }

  function tusRequest(method, url, headers, body) {
    return fetch(url, {
      method: method, body: body, credentials: "same-origin",
      headers: Object.assign({"Tus-Resumable": "1.0.0", "X-CSRFToken": csrf}, headers)
    });
  }

  function metadata(file) {
    const values = {filename: file.name, folder: form.elements.folder.value, category: form.elements.category.value};
    return Object.keys(values).map(function (key) {
      return key + " " + btoa(unescape(encodeURIComponent(values[key])));
    }).join(",");
  }

  // Large files go in chunks (tus): after a dropped connection, ask the server for its offset and go on from
  // there; the upload's address is kept in localStorage so a reloaded page resumes too.
  async function sendResumable(file) {
    const view = row(file);
    const key = ["portico-upload", form.action, form.elements.folder.value, form.elements.category.value,
                 file.name, file.size, file.lastModified].join(":");
    let location = window.localStorage.getItem(key);
    let offset = 0;
    if (location) {
      const head = await tusRequest("HEAD", location, {});
      if (head.ok) { offset = Number(head.headers.get("Upload-Offset")); } else { location = null; }
    }
    if (!location) {
      const created = await tusRequest("POST", zone.dataset.resumableUrl, {"Upload-Length": String(file.size), "Upload-Metadata": metadata(file)});
      if (created.status !== 201) { return finish(view, file, false, (await created.json()).error); }
      location = created.headers.get("Location");
      window.localStorage.setItem(key, location);
    }
    let failures = 0;
    let conflicts = 0;
    while (offset < file.size) {
      try {
        const answer = await tusRequest("PATCH", location, {"Content-Type": "application/offset+octet-stream", "Upload-Offset": String(offset)}, file.slice(offset, offset + chunkSize));
        if (answer.status === 409) {
          conflicts += 1;
          if (conflicts > 5) { window.localStorage.removeItem(key); return finish(view, file, false, zone.dataset.failed); }
          offset = Number((await tusRequest("HEAD", location, {})).headers.get("Upload-Offset"));
          continue;
        }
        if (!answer.ok) { window.localStorage.removeItem(key); return finish(view, file, false, (await answer.json()).error); }
        offset = Number(answer.headers.get("Upload-Offset"));
        view.bar.value = Math.round(100 * offset / file.size);
        failures = 0;
      } catch (error) {
        failures += 1;
        if (failures > 5) { return finish(view, file, false, zone.dataset.failed); }
        await new Promise(function (wait) { setTimeout(wait, 1000 * failures); });
        const head = await tusRequest("HEAD", location, {}).catch(function () { return null; });
        if (head && head.ok) { offset = Number(head.headers.get("Upload-Offset")); }
      }
    }
    window.localStorage.removeItem(key);
    return finish(view, file, true);
  }

  function send(file) {
    if (file.size > resumableAbove) { return sendResumable(file); }
    return new Promise(function (resolve) {
      const view = row(file);
      const item = view.item, label = view.label, bar = view.bar;
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
