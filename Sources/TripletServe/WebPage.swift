/// The web page served at `/` and its script at `/app.js`: plain HTML and JavaScript, no build step and
/// nothing fetched from elsewhere (the page's Content-Security-Policy allows only this server).
enum WebPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>TripletKit — visual search</title>
        <style>
          body { font: 15px/1.4 system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
          header { background: #23395d; color: #fff; padding: 12px 20px; display: flex; gap: 20px; align-items: baseline; flex-wrap: wrap; }
          header h1 { font-size: 20px; margin: 0; }
          #status { font-size: 13px; opacity: .85; }
          nav { display: flex; gap: 4px; padding: 0 20px; border-bottom: 1px solid #ccc; background: #fff; }
          nav button { border: 0; background: none; padding: 10px 16px; font-size: 15px; cursor: pointer; border-bottom: 3px solid transparent; }
          nav button.active { border-bottom-color: #23395d; font-weight: 600; }
          main { padding: 16px 20px; }
          section[hidden] { display: none; }
          .drop { border: 2px dashed #999; border-radius: 8px; padding: 18px; text-align: center; background: #fff; cursor: pointer; }
          .drop.over { border-color: #23395d; background: #eef2f8; }
          .row { display: flex; gap: 20px; align-items: flex-start; flex-wrap: wrap; margin-top: 14px; }
          .query img, .cell img { image-rendering: pixelated; background: #000; }
          .query img { width: 140px; height: 140px; object-fit: contain; border: 1px solid #ccc; }
          #grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(110px, 1fr)); gap: 10px; flex: 1; min-width: 300px; }
          .cell { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 6px; text-align: center; font-size: 13px; }
          .cell img { width: 96px; height: 96px; object-fit: contain; }
          .cell .name { font-weight: 600; }
          .cell .dist { color: #555; font-variant-numeric: tabular-nums; }
          .error { color: #b00020; margin-top: 10px; white-space: pre-wrap; }
          .verdict { font-size: 20px; font-weight: 600; margin: 6px 0; }
          table { border-collapse: collapse; background: #fff; }
          td, th { border: 1px solid #ddd; padding: 4px 10px; text-align: left; }
          fieldset { border: 1px solid #ccc; border-radius: 6px; background: #fff; margin: 14px 0; }
          label { margin-right: 12px; }
        </style>
        </head>
        <body>
        <header><h1>TripletKit</h1><span id="status">connecting…</span>
          <label>Token <input id="token" type="password" size="18" autocomplete="off" placeholder="bearer token"></label>
        </header>
        <nav><button id="tab-search" class="active">Search</button><button id="tab-gallery">Gallery</button></nav>
        <main>
          <section id="search">
            <label>Neighbours <input id="k" type="number" min="1" max="100" value="12" size="4"></label>
            <div id="search-drop" class="drop">Drop an image here, or <input id="search-file" type="file" accept="image/*"></div>
            <div class="row">
              <div class="query" id="query" hidden><div>Query</div><img id="query-preview" alt="query"></div>
              <div id="grid"></div>
            </div>
            <div id="search-error" class="error"></div>
          </section>
          <section id="gallery" hidden>
            <fieldset><legend>Identify</legend>
              <div id="identify-drop" class="drop">Drop an image here, or <input id="identify-file" type="file" accept="image/*"></div>
              <div class="row">
                <div class="query" id="identify-query" hidden><img id="identify-preview" alt="probe"></div>
                <div><div id="verdict" class="verdict"></div><table id="candidates"></table></div>
              </div>
              <div id="identify-error" class="error"></div>
            </fieldset>
            <fieldset><legend>Enroll a new identity (needs the token)</legend>
              <label>Name <input id="enroll-name" size="16"></label>
              <label>Images <input id="enroll-files" type="file" accept="image/*" multiple></label>
              <button id="enroll">Enroll</button>
              <div id="enroll-result"></div><div id="enroll-error" class="error"></div>
            </fieldset>
            <fieldset><legend>Identities</legend><table id="identities"></table><div id="calibration"></div></fieldset>
          </section>
        </main>
        <script src="/app.js"></script>
        </body>
        </html>
        """#

    static let script = #"""
        "use strict";
        const $ = (id) => document.getElementById(id);
        let health = null;

        function headers(extra) {
          const h = Object.assign({}, extra || {});
          const token = $("token").value.trim();
          if (token) h["Authorization"] = "Bearer " + token;
          return h;
        }

        async function call(method, path, body, type) {
          const init = { method, headers: headers(type ? { "Content-Type": type } : {}) };
          if (body !== undefined) init.body = body;
          const response = await fetch(path, init);
          const text = await response.text();
          let json = null;
          try { json = JSON.parse(text); } catch (e) { json = null; }
          if (!response.ok) {
            const message = json && json.error ? json.error.message : text;
            throw new Error(response.status + ": " + message);
          }
          return json;
        }

        function fileAsBase64(file) {
          return new Promise((resolve, reject) => {
            const reader = new FileReader();
            reader.onload = () => resolve(reader.result);
            reader.onerror = () => reject(reader.error);
            reader.readAsDataURL(file);
          });
        }

        function element(tag, attributes, children) {
          const e = document.createElement(tag);
          for (const [k, v] of Object.entries(attributes || {})) e.setAttribute(k, v);
          for (const c of children || []) e.append(c);
          return e;
        }

        function dropZone(zone, input, handle) {
          zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
          zone.addEventListener("dragleave", () => zone.classList.remove("over"));
          zone.addEventListener("drop", (e) => {
            e.preventDefault(); zone.classList.remove("over");
            if (e.dataTransfer.files.length) handle(e.dataTransfer.files[0]);
          });
          input.addEventListener("change", () => { if (input.files.length) handle(input.files[0]); });
        }

        // An <img> cannot send the Authorization header: with a read token, the image is fetched and shown
        // from a blob.
        function thumbnail(path, name) {
          const img = element("img", { alt: name });
          if (!health || !health.reads_need_token) {
            img.src = path;
          } else {
            fetch(path, { headers: headers() }).then((r) => r.ok ? r.blob() : null)
              .then((blob) => { if (blob) img.src = URL.createObjectURL(blob); });
          }
          return img;
        }

        async function search(file) {
          $("search-error").textContent = "";
          $("query").hidden = false;
          $("query-preview").src = URL.createObjectURL(file);
          $("grid").replaceChildren();
          try {
            const k = Math.max(1, parseInt($("k").value, 10) || 10);
            const answer = await call("POST", "/v1/search?k=" + k, file, file.type || "application/octet-stream");
            const cells = answer.results[0].neighbors.map((n) => {
              const name = n.class_name || ("label " + n.label);
              const children = [];
              if (n.image) children.push(thumbnail(n.image, name));
              children.push(element("div", { class: "name" }, [name]));
              children.push(element("div", { class: "dist" }, ["d = " + n.distance.toFixed(4)]));
              children.push(element("div", {}, ["#" + n.index]));
              return element("div", { class: "cell neighbor", "data-label": String(n.label) }, children);
            });
            $("grid").replaceChildren(...cells);
          } catch (error) {
            $("search-error").textContent = error.message;
          }
        }

        async function identify(file) {
          $("identify-error").textContent = "";
          $("identify-query").hidden = false;
          $("identify-preview").src = URL.createObjectURL(file);
          $("verdict").textContent = "";
          $("candidates").replaceChildren();
          try {
            const answer = await call("POST", "/v1/identify?k=5", file, file.type || "application/octet-stream");
            const result = answer.results[0];
            $("verdict").textContent = result.unknown ? "unknown" : result.identity;
            const rows = result.matches.map((m) =>
              element("tr", {}, [element("td", {}, [m.name]), element("td", {}, [m.distance.toFixed(4)])]));
            $("candidates").replaceChildren(
              element("tr", {}, [element("th", {}, ["candidate"]), element("th", {}, ["distance"])]), ...rows);
          } catch (error) {
            $("identify-error").textContent = error.message;
          }
        }

        async function enroll() {
          $("enroll-error").textContent = "";
          $("enroll-result").textContent = "";
          const name = $("enroll-name").value.trim();
          const files = Array.from($("enroll-files").files);
          if (!name || !files.length) { $("enroll-error").textContent = "give a name and at least one image"; return; }
          try {
            const images = await Promise.all(files.map(fileAsBase64));
            const answer = await call("POST", "/v1/identities", JSON.stringify({ name, images }), "application/json");
            $("enroll-result").textContent = "enrolled " + answer.name + " from " + answer.samples + " image(s)";
            await Promise.all([listIdentities(), refreshStatus()]);
          } catch (error) {
            $("enroll-error").textContent = error.message;
          }
        }

        async function remove(name) {
          try {
            await call("DELETE", "/v1/identities/" + encodeURIComponent(name));
            await Promise.all([listIdentities(), refreshStatus()]);
          } catch (error) {
            $("enroll-error").textContent = error.message;
          }
        }

        async function listIdentities() {
          if (!health || health.identities === undefined || health.identities === null) {
            $("identities").replaceChildren(element("tr", {}, [element("td", {}, ["this server has no gallery"])]));
            return;
          }
          try {
            const answer = await call("GET", "/v1/identities");
            const rows = answer.identities.map((i) => {
              const button = element("button", {}, ["remove"]);
              button.addEventListener("click", () => remove(i.name));
              return element("tr", {}, [element("td", {}, [i.name]), element("td", {}, [String(i.samples)]),
                element("td", {}, [button])]);
            });
            $("identities").replaceChildren(
              element("tr", {}, [element("th", {}, ["name"]), element("th", {}, ["samples"]), element("th", {}, [""])]),
              ...rows);
            const c = answer.calibration;
            $("calibration").textContent = c
              ? "threshold " + c.threshold.toFixed(4) + " (FAR " + c.false_accept_rate + ", TAR " + c.true_accept_rate + ")"
              : "not calibrated: every identity is accepted at any distance";
          } catch (error) {
            $("identities").replaceChildren(element("tr", {}, [element("td", {}, [error.message])]));
          }
        }

        function show(tab) {
          for (const name of ["search", "gallery"]) {
            $(name).hidden = name !== tab;
            $("tab-" + name).classList.toggle("active", name === tab);
          }
          if (tab === "gallery") listIdentities();
        }

        async function refreshStatus() {
          try {
            health = await call("GET", "/health");
            const parts = ["model " + health.model.slice(0, 12), "input " + health.input_shape.join("×"),
              "dimension " + health.embedding_dimension];
            if (health.index_references !== undefined && health.index_references !== null) parts.push(health.index_references + " references");
            if (health.identities !== undefined && health.identities !== null) parts.push(health.identities + " identities");
            parts.push(health.writes_enabled ? "writes need the token" : "writes disabled");
            $("status").textContent = parts.join(" · ");
          } catch (error) {
            $("status").textContent = "the server did not answer: " + error.message;
          }
        }

        async function start() {
          $("token").value = sessionStorage.getItem("triplet-token") || "";
          $("token").addEventListener("change", () => sessionStorage.setItem("triplet-token", $("token").value.trim()));
          $("tab-search").addEventListener("click", () => show("search"));
          $("tab-gallery").addEventListener("click", () => show("gallery"));
          dropZone($("search-drop"), $("search-file"), search);
          dropZone($("identify-drop"), $("identify-file"), identify);
          $("enroll").addEventListener("click", enroll);
          await refreshStatus();
        }

        start();
        """#
}
