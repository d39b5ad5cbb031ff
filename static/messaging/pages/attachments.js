/*
 * Attaching a file to the next message: the paperclip button, a picture pasted into the
 * text box, or a file dropped on the conversation. The file uploads at once, with a
 * progress bar, and the message carries its id when sent: one file per message. The
 * server decides what the file is; the page only shows names through textContent.
 */

import { csrfToken } from "./core.js";

const UPLOAD_FAILED = "The file could not be uploaded. Check your connection and try again.";

function trayItem(file, onRemove) {
  const item = document.createElement("div");
  item.className = "tray-item";
  const name = document.createElement("span");
  name.className = "file-name";
  name.textContent = file.name || "Pasted picture";
  const progress = document.createElement("progress");
  progress.max = 100;
  progress.value = 0;
  progress.setAttribute("aria-label", "Uploading " + name.textContent);
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "link-button";
  remove.textContent = "Remove";
  remove.setAttribute("aria-label", "Remove " + name.textContent);
  remove.addEventListener("click", onRemove);
  item.append(name, progress, remove);
  return { item: item, progress: progress };
}

export function initAttachments(view, textarea, errorBox) {
  const input = document.getElementById("attach-file");
  const tray = document.getElementById("attachment-tray");
  const none = { uploading: () => false, take: () => null };
  if (!input || input.disabled) return none;
  const maxMb = Number(input.dataset.maxMb);
  let current = null; // { request, attachment } for the file in the tray

  function clear() {
    if (current && current.request) current.request.abort();
    current = null;
    tray.replaceChildren();
    tray.hidden = true;
    input.value = "";
  }

  function upload(file) {
    errorBox.textContent = "";
    if (file.size > maxMb * 1024 * 1024) {
      errorBox.textContent = "Files may be at most " + maxMb + " MB.";
      return;
    }
    clear();
    const shown = trayItem(file, clear);
    tray.replaceChildren(shown.item);
    tray.hidden = false;
    const request = new XMLHttpRequest();
    const mine = { request: request, attachment: null };
    current = mine;
    request.open("POST", input.dataset.uploadUrl);
    request.setRequestHeader("X-CSRFToken", csrfToken());
    request.setRequestHeader("Accept", "application/json");
    request.responseType = "json";
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) shown.progress.value = Math.round((event.loaded / event.total) * 100);
    });
    request.addEventListener("load", function () {
      if (current !== mine) return;
      mine.request = null;
      const data = request.response;
      if (request.status === 201 && data && data.attachment) {
        mine.attachment = data.attachment;
        if (data.attachment.thumbnail_url) {
          // The server's thumbnail: the page's policy loads no blob: or data: images.
          const preview = document.createElement("img");
          preview.alt = "";
          preview.src = data.attachment.thumbnail_url;
          shown.item.prepend(preview);
        }
        shown.progress.value = 100;
        shown.item.classList.add("is-ready");
        shown.progress.hidden = true;
        textarea.focus();
      } else {
        clear();
        errorBox.textContent = (data && data.message) || UPLOAD_FAILED;
      }
    });
    request.addEventListener("error", function () {
      if (current !== mine) return;
      mine.request = null;
      clear();
      errorBox.textContent = UPLOAD_FAILED;
    });
    const body = new FormData();
    body.append("file", file, file.name || "pasted-picture.png");
    request.send(body);
  }

  input.addEventListener("change", function () {
    if (input.files && input.files[0]) upload(input.files[0]);
  });

  textarea.addEventListener("paste", function (event) {
    const files = event.clipboardData && event.clipboardData.files;
    if (!files || !files.length) return;
    event.preventDefault();
    upload(files[0]);
  });

  function carriesFiles(event) {
    return event.dataTransfer && Array.prototype.includes.call(event.dataTransfer.types, "Files");
  }
  view.chat.addEventListener("dragover", function (event) {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    view.chat.classList.add("is-dropping");
  });
  view.chat.addEventListener("dragleave", function (event) {
    if (!view.chat.contains(event.relatedTarget)) view.chat.classList.remove("is-dropping");
  });
  view.chat.addEventListener("drop", function (event) {
    view.chat.classList.remove("is-dropping");
    if (!carriesFiles(event) || !event.dataTransfer.files.length) return;
    event.preventDefault();
    upload(event.dataTransfer.files[0]);
  });

  return {
    // A file is still on its way: the message waits for it.
    uploading: function () {
      return Boolean(current && !current.attachment);
    },
    // The uploaded file for the message being sent; the tray empties.
    take: function () {
      const attachment = current && current.attachment;
      if (attachment) {
        current = null;
        clear();
      }
      return attachment;
    },
  };
}
