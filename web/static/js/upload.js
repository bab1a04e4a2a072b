// Upload screen: drag and drop, a list of chosen files, and a progress bar per file.
// Without this script the form still works as a plain multipart POST.
(function () {
  "use strict";

  var selected = [];

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function formatSize(bytes) {
    var language = document.documentElement.lang || "ar";
    var format = new Intl.NumberFormat(language, { maximumFractionDigits: 1 });
    if (bytes < 1024 * 1024) {
      return format.format(bytes / 1024) + " KiB";
    }
    return format.format(bytes / (1024 * 1024)) + " MiB";
  }

  function renderList(form) {
    var list = document.getElementById("file-list");
    list.textContent = "";
    selected.forEach(function (file, index) {
      var item = document.createElement("li");
      item.className = "file-item";

      var name = document.createElement("span");
      name.className = "file-name";
      name.dir = "auto";
      name.textContent = file.name;

      var size = document.createElement("span");
      size.className = "file-size";
      size.dir = "ltr";
      size.textContent = formatSize(file.size);

      var progress = document.createElement("progress");
      progress.max = 100;
      progress.value = 0;
      progress.setAttribute("aria-label", file.name);

      var state = document.createElement("span");
      state.className = "file-state";
      state.textContent = form.dataset.labelWaiting;

      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link-button";
      remove.textContent = form.dataset.labelRemove;
      remove.addEventListener("click", function () {
        selected.splice(index, 1);
        renderList(form);
      });

      item.append(name, size, progress, state, remove);
      list.append(item);
    });
  }

  function addFiles(form, files) {
    Array.prototype.forEach.call(files, function (file) {
      selected.push(file);
    });
    renderList(form);
  }

  // One request carries every file, so the batch stays one batch. The browser reports bytes
  // sent for the whole body; each file's share is estimated from the file sizes in body order.
  function showProgress(form, loaded, total) {
    var sizes = selected.map(function (file) { return file.size; });
    var sum = sizes.reduce(function (a, b) { return a + b; }, 0);
    var position = total > 0 ? loaded * (sum / total) : 0;
    var offset = 0;
    var items = document.querySelectorAll("#file-list .file-item");
    sizes.forEach(function (size, index) {
      var share = size > 0 ? (position - offset) / size : 1;
      var percent = Math.max(0, Math.min(1, share)) * 100;
      var item = items[index];
      if (item) {
        item.querySelector("progress").value = percent;
        if (percent > 0) {
          item.querySelector(".file-state").textContent = form.dataset.labelUploading;
        }
      }
      offset += size;
    });
  }

  function setAllStates(label, percent) {
    document.querySelectorAll("#file-list .file-item").forEach(function (item) {
      if (percent !== null) {
        item.querySelector("progress").value = percent;
      }
      item.querySelector(".file-state").textContent = label;
    });
  }

  function replacePanel(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var fresh = holder.content.querySelector("#upload-panel");
    var panel = document.getElementById("upload-panel");
    if (!fresh || !panel) {
      return false;
    }
    panel.replaceWith(fresh);
    bind();
    return true;
  }

  function showAlert(html) {
    var flash = document.getElementById("flash");
    if (flash) {
      flash.innerHTML = html;
    }
  }

  function send(form) {
    var data = new FormData(form);
    data.delete("files");
    selected.forEach(function (file) {
      data.append("files", file, file.name);
    });

    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;

    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("HX-Request", "true");
    request.setRequestHeader("X-CSRF-Token", csrfToken());
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        showProgress(form, event.loaded, event.total);
      }
    });
    request.upload.addEventListener("load", function () {
      setAllStates(form.dataset.labelChecking, 100);
    });
    request.addEventListener("load", function () {
      var redirect = request.getResponseHeader("HX-Redirect");
      if (redirect) {
        window.location.href = redirect;
        return;
      }
      var accepted = request.status >= 200 && request.status < 300;
      if (accepted) {
        selected = [];
      }
      if (!replacePanel(request.responseText)) {
        // Not the upload panel: an error page fragment (for example a rejected role), shown as the alert.
        showAlert(request.responseText);
        button.disabled = false;
        setAllStates(form.dataset.labelFailed, null);
      }
    });
    request.addEventListener("error", function () {
      button.disabled = false;
      setAllStates(form.dataset.labelFailed, null);
    });
    request.send(data);
  }

  function bind() {
    var form = document.getElementById("upload-form");
    var zone = document.getElementById("drop-zone");
    var input = document.getElementById("f-files");
    if (!form || !zone || !input) {
      return;
    }

    input.addEventListener("change", function () {
      addFiles(form, input.files);
      input.value = "";
    });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("drop-active");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () {
        zone.classList.remove("drop-active");
      });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files) {
        addFiles(form, event.dataTransfer.files);
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send(form);
    });
    renderList(form);
  }

  document.addEventListener("DOMContentLoaded", bind);
})();
