// The page's script, served same-origin as /api/docs/docs.js. Plain ES2017, no dependencies.
// Schemas are shown as a TypeScript-like outline with constraints and descriptions as comments.

export const DOCS_JS = String.raw`"use strict";
(function () {
  var ACCESS = {
    public: "anyone",
    user: "signed in (token or API key)",
    account: "signed in with an access token (not an API key)",
    admin: "administrators",
  };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === "text") node.textContent = attrs[k];
        else node.setAttribute(k, attrs[k]);
      });
    }
    (children || []).forEach(function (c) {
      if (c) node.appendChild(c);
    });
    return node;
  }

  function resolve(doc, s) {
    var seen = 0;
    while (s && typeof s === "object" && typeof s.$ref === "string" && s.$ref.indexOf("#/") === 0 && seen++ < 20) {
      var target = doc;
      s.$ref.slice(2).split("/").forEach(function (p) {
        target = target && target[p.replace(/~1/g, "/").replace(/~0/g, "~")];
      });
      s = target;
    }
    return s;
  }

  // Constraints worth reading; a format makes its (long, generated) pattern redundant.
  function constraints(s) {
    var out = [];
    var keys = ["minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "format"];
    if (!s.format) keys.push("pattern");
    keys.forEach(function (k) {
      if (s[k] !== undefined && Math.abs(Number(s[k])) !== 9007199254740991) out.push(k + " " + s[k]);
    });
    if (s.exclusiveMinimum !== undefined) out.push("> " + s.exclusiveMinimum);
    if (s.exclusiveMaximum !== undefined) out.push("< " + s.exclusiveMaximum);
    var d = s["default"];
    if (d !== undefined && !(d && typeof d === "object" && Object.keys(d).length === 0)) {
      out.push("default " + JSON.stringify(d));
    }
    return out;
  }

  function note(description, notes) {
    var text = (description || "").replace(/\.$/, "");
    if (notes.length) text += (text ? " (" : "(") + notes.join(", ") + ")";
    return text;
  }

  function outline(doc, s, indent, depth) {
    s = resolve(doc, s);
    if (!s || typeof s !== "object" || depth > 12) return "any";
    var t;
    var alts = s.anyOf || s.oneOf;
    if (s.enum) t = s.enum.map(function (v) { return JSON.stringify(v); }).join(" | ");
    else if (s.const !== undefined) t = JSON.stringify(s.const);
    else if (alts) t = alts.map(function (a) { return outline(doc, a, indent, depth + 1); }).join(" | ");
    else if (s.allOf) t = s.allOf.map(function (a) { return outline(doc, a, indent, depth + 1); }).join(" & ");
    else if (s.type === "array") t = "Array<" + outline(doc, s.items, indent, depth + 1) + ">";
    else if (s.type === "object" || s.properties) {
      var props = s.properties || {};
      var keys = Object.keys(props);
      var req = s.required || [];
      var inner = indent + "  ";
      var lines = keys.map(function (k) {
        var p = resolve(doc, props[k]) || {};
        var text = note(p.description, constraints(p));
        var comment = text ? inner + "// " + text + "\n" : "";
        return comment + inner + k + (req.indexOf(k) >= 0 ? "" : "?") + ": " + outline(doc, p, inner, depth + 1) + ";";
      });
      if (s.additionalProperties && typeof s.additionalProperties === "object") {
        lines.push(inner + "[key: string]: " + outline(doc, s.additionalProperties, inner, depth + 1) + ";");
      }
      t = lines.length ? "{\n" + lines.join("\n") + "\n" + indent + "}" : "{}";
    } else t = s.type || "any";
    if (s.nullable) t += " | null";
    return t;
  }

  function schemaBlock(doc, s) {
    return el("pre", { text: outline(doc, s, "", 0) });
  }

  function parametersTable(doc, params) {
    var rows = params.map(function (p0) {
      var p = resolve(doc, p0) || {};
      var s = resolve(doc, p.schema) || {};
      var notes = constraints(s);
      return el("tr", null, [
        el("td", { text: p.name }),
        el("td", { text: p["in"] }),
        el("td", { text: p.required ? "yes" : "no" }),
        el("td", { text: outline(doc, s, "", 0) }),
        el("td", { text: note(p.description || s.description, notes) }),
      ]);
    });
    var head = el("tr", null, ["name", "in", "required", "type", "notes"].map(function (h) {
      return el("th", { text: h });
    }));
    return el("table", null, [el("thead", null, [head]), el("tbody", null, rows)]);
  }

  function operation(doc, path, method, op) {
    var access = op["x-access"] || "user";
    var body = el("div", { class: "body" });
    if (op.description) body.appendChild(el("p", { text: op.description }));
    body.appendChild(el("p", { text: "Access: " + (ACCESS[access] || access) }));
    if (op.parameters && op.parameters.length) {
      body.appendChild(el("h3", { text: "Parameters" }));
      body.appendChild(parametersTable(doc, op.parameters));
    }
    var rb = op.requestBody && resolve(doc, op.requestBody);
    if (rb && rb.content) {
      body.appendChild(el("h3", { text: "Request body (application/json)" }));
      var media = rb.content["application/json"] || rb.content[Object.keys(rb.content)[0]];
      body.appendChild(schemaBlock(doc, media && media.schema));
    }
    body.appendChild(el("h3", { text: "Responses" }));
    Object.keys(op.responses || {}).sort().forEach(function (status) {
      var r = resolve(doc, op.responses[status]) || {};
      body.appendChild(el("p", null, [
        el("span", { class: "status", text: status }),
        document.createTextNode(" " + (r.description || "")),
      ]));
      var m = r.content && r.content["application/json"];
      if (m && m.schema && status.charAt(0) === "2") body.appendChild(schemaBlock(doc, m.schema));
    });
    var summary = el("summary", null, [
      el("span", { class: "method " + method, text: method }),
      el("span", { class: "path", text: path }),
      el("span", { class: "sum", text: op.summary || "" }),
      el("span", { class: "access " + access, text: access }),
    ]);
    var details = el("details", { class: "op", "data-search": (method + " " + path + " " + (op.summary || "") + " " + (op.tags || []).join(" ")).toLowerCase() }, [summary, body]);
    return details;
  }

  function render(doc) {
    var main = document.getElementById("api");
    main.textContent = "";
    document.getElementById("version").textContent = "v" + ((doc.info && doc.info.version) || "?");
    var groups = {};
    var methods = ["get", "post", "put", "patch", "delete"];
    Object.keys(doc.paths || {}).sort().forEach(function (path) {
      methods.forEach(function (m) {
        var op = doc.paths[path][m];
        if (!op) return;
        var tag = (op.tags && op.tags[0]) || "other";
        (groups[tag] = groups[tag] || []).push(operation(doc, path, m, op));
      });
    });
    Object.keys(groups).sort().forEach(function (tag) {
      var section = el("section", { "data-tag": tag }, [el("h2", { text: tag })].concat(groups[tag]));
      main.appendChild(section);
    });
    var count = main.querySelectorAll("details.op").length;
    main.setAttribute("data-operations", String(count));
  }

  function filter(text) {
    var q = text.trim().toLowerCase();
    Array.prototype.forEach.call(document.querySelectorAll("section[data-tag]"), function (section) {
      var visible = 0;
      Array.prototype.forEach.call(section.querySelectorAll("details.op"), function (d) {
        var show = !q || d.getAttribute("data-search").indexOf(q) >= 0;
        d.hidden = !show;
        if (show) visible++;
      });
      section.hidden = visible === 0;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.getElementById("filter").addEventListener("input", function (e) {
      filter(e.target.value);
    });
    fetch("/api/openapi.json", { headers: { accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(render)
      .catch(function (err) {
        document.getElementById("status").textContent = "Could not load /api/openapi.json: " + err.message;
      });
  });
})();
`;
