// Egret: small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Confirm before disabling a user or other destructive form actions marked data-confirm.
  document.querySelectorAll("form[data-confirm]").forEach((f) => {
    f.addEventListener("submit", (e) => {
      if (!window.confirm(f.dataset.confirm)) e.preventDefault();
    });
  });
});

// Registration sheet (/work-orders/new): add a row, copy the row above, paste a block of cells from
// a spreadsheet (tab-separated lines) starting at the focused cell, Enter and arrow keys between cells.
// Without this the table still posts: ten blank rows and an "add 10 rows" button.
document.addEventListener("DOMContentLoaded", () => {
  const table = document.getElementById("samples-table");
  if (!table) return;
  const body = table.tBodies[0];
  const tools = document.getElementById("sheet-tools");
  if (tools) tools.hidden = false;
  let current = null;
  const rows = () => Array.from(body.rows);
  const cells = (tr) => Array.from(tr.querySelectorAll("input, select"));
  const pos = (el) => {
    const tr = el.closest("tr");
    return [rows().indexOf(tr), cells(tr).indexOf(el)];
  };
  const at = (r, c) => {
    const tr = rows()[r];
    return tr ? cells(tr)[c] || null : null;
  };
  const matrixOf = (tr) => {
    const m = tr.querySelector('select[name$=".matrix"]');
    return m ? m.value : "";
  };
  const applyMatrix = (tr) => {
    const m = matrixOf(tr);
    tr.querySelectorAll("td[data-matrices]").forEach((td) => {
      td.classList.toggle("na", m !== "" && !td.dataset.matrices.split(" ").includes(m));
    });
  };
  const clearMarks = (tr) => {
    tr.querySelectorAll(".cell-error").forEach((e) => e.remove());
    tr.querySelectorAll("td.invalid").forEach((td) => td.classList.remove("invalid"));
    tr.querySelectorAll("[aria-invalid]").forEach((el) => {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("title");
      el.removeAttribute("aria-describedby");
    });
  };
  const addRow = () => {
    const all = rows();
    const tr = all[all.length - 1].cloneNode(true);
    const n = all.length;
    clearMarks(tr);
    tr.dataset.row = n;
    tr.querySelector("th").textContent = n + 1;
    tr.querySelectorAll("[name]").forEach((el) => {
      el.name = el.name.replace(/^samples\[\d+\]/, "samples[" + n + "]");
      if (el.tagName === "SELECT") el.selectedIndex = 0;
      else el.value = "";
    });
    tr.querySelectorAll("[id]").forEach((el) => {
      el.id = el.id.replace(/^s\d+-/, "s" + n + "-");
    });
    body.appendChild(tr);
    applyMatrix(tr);
    return tr;
  };
  const copyAbove = (tr) => {
    const i = rows().indexOf(tr);
    if (i < 1) return;
    const src = cells(rows()[i - 1]);
    cells(tr).forEach((el, k) => {
      if (!el.name.endsWith(".client_sample_id") && src[k]) el.value = src[k].value;
    });
    applyMatrix(tr);
  };
  // A pasted value into a select: its code or its label, case-insensitive.
  const setValue = (el, text) => {
    const v = text.trim();
    if (el.tagName !== "SELECT") {
      el.value = v;
      return;
    }
    const t = v.toLowerCase();
    const opts = Array.from(el.options);
    const hit =
      opts.find((o) => o.value.toLowerCase() === t || o.text.trim().toLowerCase() === t) ||
      opts.find((o) => t !== "" && o.text.trim().toLowerCase().startsWith(t));
    el.value = hit ? hit.value : "";
  };
  body.addEventListener("focusin", (e) => {
    if (e.target.name) current = e.target;
  });
  body.addEventListener("change", (e) => {
    if (e.target.name && e.target.name.endsWith(".matrix")) applyMatrix(e.target.closest("tr"));
  });
  body.addEventListener("paste", (e) => {
    const el = e.target;
    if (!el.name) return;
    const text = (e.clipboardData || window.clipboardData).getData("text");
    const block = text.replace(/\r/g, "").replace(/\n+$/, "");
    if (!/[\t\n]/.test(block)) return; // one value: the browser pastes it
    e.preventDefault();
    const [r0, c0] = pos(el);
    block.split("\n").forEach((line, dr) => {
      while (rows().length <= r0 + dr) addRow();
      line.split("\t").forEach((v, dc) => {
        const target = at(r0 + dr, c0 + dc);
        if (target) setValue(target, v);
      });
      applyMatrix(rows()[r0 + dr]);
    });
  });
  body.addEventListener("keydown", (e) => {
    const el = e.target;
    if (!el.name || !el.name.startsWith("samples[")) return;
    const [r, c] = pos(el);
    const text = el.tagName === "INPUT";
    let to = null;
    if (e.key === "Enter") {
      e.preventDefault();
      if (e.shiftKey) to = [r - 1, c];
      else {
        if (r + 1 >= rows().length) addRow();
        to = [r + 1, c];
      }
    } else if ((e.ctrlKey || e.metaKey) && (e.key === "d" || e.key === "D")) {
      e.preventDefault();
      copyAbove(el.closest("tr"));
    } else if (text && e.key === "ArrowDown") to = [r + 1, c];
    else if (text && e.key === "ArrowUp") to = [r - 1, c];
    else if (e.key === "ArrowLeft" && (!text || (el.selectionStart === 0 && el.selectionEnd === 0))) to = [r, c - 1];
    else if (e.key === "ArrowRight" && (!text || el.selectionEnd === el.value.length)) to = [r, c + 1];
    if (to) {
      const t = at(to[0], to[1]);
      if (t) {
        e.preventDefault();
        t.focus();
        if (t.tagName === "INPUT") t.select();
      }
    }
  });
  const add = document.getElementById("add-row");
  if (add)
    add.addEventListener("click", () => {
      const first = cells(addRow())[0];
      if (first) first.focus();
    });
  const copy = document.getElementById("copy-above");
  if (copy)
    copy.addEventListener("click", () => {
      if (current) {
        copyAbove(current.closest("tr"));
        current.focus();
      }
    });
});

// Work order step 1: the project list shows the chosen client's projects only.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("choose-project");
  if (!form) return;
  const client = form.querySelector("#client_id");
  const project = form.querySelector("#project_id");
  const filter = () => {
    project.querySelectorAll("optgroup").forEach((g) => {
      const show = client.value === "" || g.dataset.client === client.value;
      g.hidden = !show;
      g.disabled = !show;
    });
    const sel = project.selectedOptions[0];
    if (sel && sel.parentElement.disabled) project.value = "";
  };
  client.addEventListener("change", filter);
  project.addEventListener("change", () => {
    const g = project.selectedOptions[0] && project.selectedOptions[0].parentElement;
    if (g && g.dataset.client && client.value === "") client.value = g.dataset.client;
  });
  filter();
});

// Receipt desk: scans are posted in the background so the scanner never waits for a page load;
// scans typed meanwhile queue up. The server's answer (the same page) supplies the new list.
document.addEventListener("DOMContentLoaded", () => {
  if (!document.getElementById("scan-form") || !window.fetch || !window.DOMParser) return;
  const queue = [];
  let busy = false;
  const pump = () => {
    if (busy || queue.length === 0) return;
    busy = true;
    const form = document.getElementById("scan-form");
    const data = new FormData(form);
    const code = queue.shift();
    data.set("code", code);
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then((r) => r.text())
      .then((html) => {
        const doc = new DOMParser().parseFromString(html, "text/html");
        const box = document.getElementById("scan-code");
        const typed = box ? box.value : "";
        const invalid = doc.querySelector("#scan-form [aria-invalid='true'], #scan-form .form-alert");
        const parts = invalid ? ["receipt"] : ["scan-state", "scan-log"];
        parts.forEach((id) => {
          const fresh = doc.getElementById(id);
          const old = document.getElementById(id);
          if (fresh && old) old.replaceWith(fresh);
        });
        const nb = document.getElementById("scan-code");
        if (nb) {
          if (!invalid) nb.value = typed;
          nb.focus();
        }
      })
      .catch(() => {
        // The server did not answer: the code goes back into the box to be tried again.
        const box = document.getElementById("scan-code");
        if (box && box.value === "") box.value = code;
      })
      .finally(() => {
        busy = false;
        pump();
      });
  };
  document.addEventListener("submit", (e) => {
    if (e.target.id !== "scan-form") return;
    const box = document.getElementById("scan-code");
    const code = box.value.trim();
    e.preventDefault();
    box.value = "";
    box.focus();
    if (code !== "") {
      queue.push(code);
      pump();
    }
  });
});
