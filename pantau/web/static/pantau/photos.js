/* Photos on the web forms, prepared on the phone before they are sent (issue 17).

   A photo field is a container [data-photos] around the form's real file input (name="photos",
   what a browser without this script sends as it is). With the script:
   - two buttons open the camera (an input with capture="environment") or the gallery (an input
     without capture, several at once); neither input has a name, so neither is sent;
   - each photo chosen is resized here to at most data-max-side pixels on its longer side and
     re-encoded as JPEG (as the ODK form does), then put into the real input through a
     DataTransfer: the form, the outbox (offline.js) and the server see only the small copy;
   - what cannot be sent is refused before sending, with a message saying why: more photos than
     the report takes (data-max minus data-have, the photos it has already), a picture of more
     than data-max-pixels pixels (the server's limit, checked from the size the browser reads
     before drawing it), a file this browser cannot read that is larger than data-max-bytes;
   - while photos are being prepared the form's send button waits.
   The camera's EXIF block (where and when the photo was taken) is carried over into the small
   copy with its orientation set to "upright", since the copy is drawn upright already.

   No library; no inline script or handler (the Content-Security-Policy forbids them). */
(function () {
  "use strict";

  var QUALITY = 0.85;

  function text(root, key) {
    var el = root.querySelector('[data-photo-text="' + key + '"]');
    return el ? el.textContent : key;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? String(values[key]) : all;
    });
  }

  function megabytes(bytes) {
    return (bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0).replace(".", ",");
  }

  function kilobytes(bytes) {
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  // ---- EXIF: the APP1 block of a JPEG, with its orientation made "upright" ----------------

  function exifSegment(buffer) {
    var view = new DataView(buffer);
    if (view.byteLength < 4 || view.getUint16(0) !== 0xffd8) return null;
    var offset = 2;
    while (offset + 4 <= view.byteLength) {
      var marker = view.getUint16(offset);
      if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return null; // start of scan
      var length = view.getUint16(offset + 2);
      if (marker === 0xffe1 && offset + 10 <= view.byteLength &&
          view.getUint32(offset + 4) === 0x45786966) { // "Exif"
        var segment = new Uint8Array(buffer.slice(offset, offset + 2 + length));
        upright(new DataView(segment.buffer), 10);
        return segment;
      }
      offset += 2 + length;
    }
    return null;
  }

  // Set the Orientation tag (0x0112) of IFD0 to 1, in place; `tiff` is where the TIFF header
  // starts in the segment.
  function upright(view, tiff) {
    try {
      var little = view.getUint16(tiff) === 0x4949;
      var ifd = tiff + view.getUint32(tiff + 4, little);
      var count = view.getUint16(ifd, little);
      for (var i = 0; i < count; i++) {
        var entry = ifd + 2 + i * 12;
        if (view.getUint16(entry, little) === 0x0112) view.setUint16(entry + 8, 1, little);
      }
    } catch (e) { /* a damaged block: left as it is */ }
  }

  function withExif(blob, segment) {
    if (!segment) return Promise.resolve(blob);
    return blob.arrayBuffer().then(function (buffer) {
      var body = new Uint8Array(buffer);
      // After SOI (2 bytes), before the encoder's own APP0 (JFIF) block.
      return new Blob([body.subarray(0, 2), segment, body.subarray(2)], { type: "image/jpeg" });
    });
  }

  // ---- Reading and resizing ------------------------------------------------------------------

  function load(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.decoding = "async";
      img.onload = function () { resolve({ img: img, url: url }); };
      img.onerror = function () {
        URL.revokeObjectURL(url);
        reject(new Error("unreadable"));
      };
      img.src = url;
    });
  }

  function jpegName(name) {
    var base = (name || "foto").replace(/\.[^.]*$/, "") || "foto";
    return base + ".jpg";
  }

  // Resolves {file} (what to send) or {error} (a sentence saying why not).
  function prepare(file, options, root) {
    return load(file).then(function (loaded) {
      var img = loaded.img;
      var width = img.naturalWidth;
      var height = img.naturalHeight;
      if (width * height > options.maxPixels) {
        URL.revokeObjectURL(loaded.url);
        return { error: fill(text(root, "pixels"), {
          name: file.name, size: width + "×" + height,
          max: Math.round(options.maxPixels / 1e6),
        }) };
      }
      var scale = Math.min(1, options.maxSide / Math.max(width, height));
      var small = scale === 1 && file.type === "image/jpeg" && file.size <= options.keepBytes;
      if (small) {
        URL.revokeObjectURL(loaded.url);
        return { file: file };
      }
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(width * scale));
      canvas.height = Math.max(1, Math.round(height * scale));
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff"; // a transparent PNG gets white, not black
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.imageSmoothingQuality = "high";
      context.drawImage(img, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(loaded.url);
      var exif = file.type === "image/jpeg"
        ? file.slice(0, 256 * 1024).arrayBuffer().then(exifSegment, function () { return null; })
        : Promise.resolve(null);
      return new Promise(function (resolve) {
        canvas.toBlob(resolve, "image/jpeg", QUALITY);
      }).then(function (blob) {
        canvas.width = canvas.height = 0; // free the bitmap at once on a small phone
        if (!blob) return { error: fill(text(root, "unreadable"), { name: file.name }) };
        return exif.then(function (segment) { return withExif(blob, segment); });
      }).then(function (result) {
        if (result.error) return result;
        return { file: new File([result], jpegName(file.name), {
          type: "image/jpeg", lastModified: file.lastModified || Date.now(),
        }) };
      });
    }, function () {
      // Not a picture this browser can show (a HEIC on some phones, not a photo at all): sent
      // as it is when it is small enough, and the server says whether it takes it.
      if (file.size > options.maxBytes) {
        return { error: fill(text(root, "too_large"), {
          name: file.name, size: megabytes(file.size), max: megabytes(options.maxBytes),
        }) };
      }
      return { file: file };
    }).then(function (result) {
      if (result.file && result.file.size > options.maxBytes) {
        return { error: fill(text(root, "too_large"), {
          name: file.name, size: megabytes(result.file.size), max: megabytes(options.maxBytes),
        }) };
      }
      return result;
    });
  }

  // ---- One photo field -----------------------------------------------------------------------

  function setUp(root) {
    if (root.hasAttribute("data-photos-ready")) return;
    root.setAttribute("data-photos-ready", "");
    var input = root.querySelector("input[type=file][name]");
    var form = root.closest("form");
    var list = root.querySelector("[data-photo-list]");
    var status = root.querySelector("[data-photo-status]");
    var errors = root.querySelector("[data-photo-errors]");
    var picker = root.querySelector("[data-photo-pick]");
    if (!input || !form || !list || typeof DataTransfer === "undefined") return;
    var options = {
      max: parseInt(root.getAttribute("data-max"), 10) || 3,
      have: parseInt(root.getAttribute("data-have"), 10) || 0,
      maxSide: parseInt(root.getAttribute("data-max-side"), 10) || 1600,
      maxPixels: parseInt(root.getAttribute("data-max-pixels"), 10) || 60000000,
      maxBytes: parseInt(root.getAttribute("data-max-bytes"), 10) || 10485760,
      keepBytes: 300 * 1024, // a JPEG already small and small enough is sent untouched
    };
    var chosen = Array.prototype.slice.call(input.files || []);
    var pending = 0;

    input.hidden = true;
    picker.hidden = false;

    function room() {
      return options.max - options.have - chosen.length - pending;
    }

    function sync() {
      var transfer = new DataTransfer();
      chosen.forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
      draw();
    }

    function draw() {
      Array.prototype.forEach.call(list.querySelectorAll("img"), function (img) {
        URL.revokeObjectURL(img.src);
      });
      list.textContent = "";
      chosen.forEach(function (file, index) {
        var li = document.createElement("li");
        li.className = "photo-chosen";
        var img = document.createElement("img");
        img.alt = "";
        img.src = URL.createObjectURL(file);
        var caption = document.createElement("span");
        caption.textContent = file.name + " · " + kilobytes(file.size);
        caption.setAttribute("data-photo-size", String(file.size));
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link";
        remove.setAttribute("data-photo-remove", String(index));
        remove.textContent = text(root, "remove");
        li.appendChild(img);
        li.appendChild(caption);
        li.appendChild(remove);
        list.appendChild(li);
      });
      var left = options.max - options.have - chosen.length;
      Array.prototype.forEach.call(picker.querySelectorAll("button"), function (b) {
        b.disabled = left <= 0 || pending > 0;
      });
      if (pending) status.textContent = text(root, "preparing");
      else if (left <= 0) status.textContent = fill(text(root, "full"), { max: options.max });
      else status.textContent = chosen.length
        ? fill(text(root, "room"), { n: left }) : "";
      var submit = form.querySelector("[type=submit]");
      if (pending) form.setAttribute("data-photos-busy", "");
      else form.removeAttribute("data-photos-busy");
      if (submit && !form.hasAttribute("data-busy")) submit.disabled = pending > 0;
    }

    function refuse(message) {
      var p = document.createElement("p");
      p.className = "error";
      p.textContent = message;
      errors.appendChild(p);
    }

    function add(files) {
      errors.textContent = "";
      files = Array.prototype.slice.call(files || []);
      var queue = Promise.resolve();
      files.forEach(function (file) {
        if (room() <= 0) {
          refuse(fill(text(root, "too_many"), { name: file.name, max: options.max }));
          return;
        }
        pending += 1;
        draw();
        queue = queue.then(function () {
          return prepare(file, options, root);
        }).catch(function () {
          return { error: fill(text(root, "unreadable"), { name: file.name }) };
        }).then(function (result) {
          pending -= 1;
          if (result.file) chosen.push(result.file);
          else refuse(result.error);
          sync();
        });
      });
      return queue;
    }

    Array.prototype.forEach.call(root.querySelectorAll("[data-photo-source]"), function (source) {
      source.addEventListener("change", function () {
        add(source.files).then(function () { source.value = ""; });
      });
    });
    picker.addEventListener("click", function (event) {
      var button = event.target.closest("[data-photo-open]");
      if (!button) return;
      var source = root.querySelector('[data-photo-source="' +
        button.getAttribute("data-photo-open") + '"]');
      if (source) source.click();
    });
    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-photo-remove]");
      if (!button) return;
      chosen.splice(parseInt(button.getAttribute("data-photo-remove"), 10), 1);
      errors.textContent = "";
      sync();
    });
    // offline.js clears the form for the next report once it kept this one on the phone.
    form.addEventListener("reset", function () {
      setTimeout(function () {
        chosen = [];
        errors.textContent = "";
        sync();
      }, 0);
    });
    draw();
  }

  // A form sent while photos are still being prepared waits for them (the button does; this
  // is for the Enter key).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute && form.hasAttribute("data-photos-busy")) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  function setUpAll(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("[data-photos]"), setUp);
  }

  // The outbox puts the server's answer (the form with its errors) in place of the form.
  document.addEventListener("pantau:form-replaced", function (event) {
    setUpAll(event.detail && event.detail.form);
  });
  setUpAll(document);
})();
