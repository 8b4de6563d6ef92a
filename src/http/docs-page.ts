// GET /docs: a self-contained page (no CDN, no external file) that fetches /openapi.json and renders
// the operations, their parameters, request bodies and responses, with schemas resolved from the
// document's components. Works offline and in the Worker alike.
export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nalssi API</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem 4rem; color: #1d232a; }
  h1 { margin-bottom: 0.2rem; } .sub { color: #5a6470; margin-top: 0; }
  details.op { border: 1px solid #d5dbe1; border-radius: 6px; margin: 0.6rem 0; }
  details.op > summary { cursor: pointer; padding: 0.55rem 0.8rem; list-style: none; display: flex; gap: 0.8rem; align-items: baseline; }
  details.op[open] > summary { border-bottom: 1px solid #d5dbe1; }
  .m { font: 600 12px ui-monospace, monospace; padding: 2px 7px; border-radius: 4px; color: #fff; min-width: 3.2rem; text-align: center; }
  .get { background: #2f7d32; } .post { background: #1f5fa8; } .put { background: #8a5a00; } .delete { background: #a12b2b; }
  .path { font: 600 14px ui-monospace, monospace; } .sum { color: #4a5560; }
  .body { padding: 0.4rem 1rem 0.8rem; } h4 { margin: 0.8rem 0 0.3rem; }
  table { border-collapse: collapse; width: 100%; font-size: 14px; } td, th { text-align: left; border-bottom: 1px solid #eef1f4; padding: 0.25rem 0.5rem 0.25rem 0; vertical-align: top; }
  pre { background: #f5f7f9; padding: 0.6rem; border-radius: 4px; overflow: auto; font-size: 12.5px; }
  code { font-family: ui-monospace, monospace; } .err { color: #a12b2b; }
</style>
</head>
<body>
<h1 id="title">nalssi API</h1>
<p class="sub" id="desc">Loading <code>/openapi.json</code>...</p>
<div id="ops"></div>
<script>
(function () {
  var doc;
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    (children || []).forEach(function (c) { e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function resolve(s, depth) {
    if (!s || depth > 6) return s;
    if (s.$ref) { var name = s.$ref.split("/").pop(); return resolve((doc.components && doc.components.schemas || {})[name], depth + 1); }
    var out = Array.isArray(s) ? [] : {};
    for (var k in s) out[k] = typeof s[k] === "object" && s[k] !== null ? resolve(s[k], depth + 1) : s[k];
    return out;
  }
  function schemaText(s) { return JSON.stringify(resolve(s, 0), null, 2); }
  function render() {
    document.getElementById("title").textContent = doc.info.title + " " + doc.info.version;
    document.getElementById("desc").textContent = doc.info.description || "";
    var ops = document.getElementById("ops");
    Object.keys(doc.paths).sort().forEach(function (path) {
      var item = doc.paths[path];
      ["get", "post", "put", "delete"].forEach(function (method) {
        var op = item[method]; if (!op) return;
        var body = el("div", { class: "body" });
        if (op.description) body.appendChild(el("p", {}, [op.description]));
        if (op.security && op.security.length) body.appendChild(el("p", {}, ["Needs ", el("code", {}, ["Authorization: Bearer <ADMIN_TOKEN>"])]));
        var params = op.parameters || [];
        if (params.length) {
          var t = el("table", {}, [el("tr", {}, [el("th", {}, ["name"]), el("th", {}, ["in"]), el("th", {}, ["required"]), el("th", {}, ["description"])])]);
          params.forEach(function (p) { t.appendChild(el("tr", {}, [el("td", {}, [el("code", {}, [p.name])]), el("td", {}, [p.in]), el("td", {}, [p.required ? "yes" : "no"]), el("td", {}, [(p.description || (p.schema && p.schema.description) || "")])])); });
          body.appendChild(el("h4", {}, ["Parameters"])); body.appendChild(t);
        }
        var rb = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
        if (rb) { body.appendChild(el("h4", {}, ["Request body (application/json)"])); body.appendChild(el("pre", {}, [schemaText(rb.schema)])); }
        body.appendChild(el("h4", {}, ["Responses"]));
        Object.keys(op.responses || {}).forEach(function (code) {
          var r = op.responses[code];
          var c = r.content && r.content["application/json"];
          var d = el("details", {}, [el("summary", {}, [el("b", { class: code >= 400 ? "err" : "" }, [code]), " " + (r.description || "")])]);
          if (c) d.appendChild(el("pre", {}, [schemaText(c.schema)]));
          body.appendChild(d);
        });
        ops.appendChild(el("details", { class: "op" }, [el("summary", {}, [el("span", { class: "m " + method }, [method.toUpperCase()]), el("span", { class: "path" }, [path]), el("span", { class: "sum" }, [op.summary || ""])]), body]));
      });
    });
  }
  fetch("openapi.json").then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(function (d) { doc = d; render(); })
    .catch(function (e) { document.getElementById("desc").textContent = "Could not load openapi.json: " + e.message; });
})();
</script>
</body>
</html>
`;
