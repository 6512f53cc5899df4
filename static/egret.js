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

// ==== Analysis pages ==========================================================================
// Result grid (/batches/<id>): Enter moves down (Shift+Enter up), arrow keys move between cells
// (Left/Right only with the caret at the start/end of the box); a block pasted from a spreadsheet
// (lines, tab-separated columns) fills down and right from the focused cell. Values are checked as
// typed (a number, <number, ND/未检出, or one of the column's text options); formula inputs (in a
// <details> under a cell, when the method has a formula) as plain decimals. Changed cells are
// marked, and only they are posted (the others' boxes are disabled on submit); without this file
// every box is posted and the server keeps only the changed ones.
document.addEventListener("DOMContentLoaded", () => {
  const table = document.getElementById("result-grid");
  const form = document.getElementById("grid-form");
  if (!table || !form) return;
  const body = table.tBodies[0];
  const rows = () => Array.from(body.rows);
  const colOf = (el) => Number(el.dataset.col);
  const inCol = (tr, col) => tr.querySelector('input[data-col="' + col + '"]');
  const vertical = (el, step) => {
    const rs = rows();
    for (let i = rs.indexOf(el.closest("tr")) + step; i >= 0 && i < rs.length; i += step) {
      const t = inCol(rs[i], colOf(el));
      if (t) return t;
    }
    return null;
  };
  const horizontal = (el, step) => {
    const list = Array.from(el.closest("tr").querySelectorAll("input[data-col]"));
    return list[list.indexOf(el) + step] || null;
  };
  const NUMBER = /^[+-]?\d+(\.\d+)?$/;
  const LESS = /^[<＜]\s*\d+(\.\d+)?$/;
  const valid = (el) => {
    const v = el.value.trim();
    if (v === "") return true;
    if (el.dataset.numeric === "0") {
      let options = [];
      try {
        options = JSON.parse(el.dataset.options || "[]");
      } catch (_) {
        options = [];
      }
      return options.length === 0 || options.some((o) => o.trim() === v);
    }
    if (/^nd$/i.test(v) || v === "未检出") return true;
    if (LESS.test(v)) return Number(v.replace(/^[<＜]\s*/, "")) > 0;
    if (NUMBER.test(v)) return !v.startsWith("-") || el.dataset.signed === "1" || Number(v) === 0;
    return false;
  };
  // A formula input is a plain decimal (the service says more when it is not).
  const checkInput = (el) => {
    const bad = el.value.trim() !== "" && !NUMBER.test(el.value.trim());
    el.classList.toggle("typo", bad);
    if (bad) el.setAttribute("aria-invalid", "true");
    else el.removeAttribute("aria-invalid");
  };
  const check = (el) => {
    if (el.classList.contains("formula-input")) return checkInput(el);
    if (!el.classList.contains("cell-input")) return;
    const td = el.closest("td");
    if (valid(el)) {
      td.classList.remove("typo");
      if (el.dataset.typo) {
        el.removeAttribute("title");
        el.removeAttribute("aria-invalid");
        delete el.dataset.typo;
      }
    } else {
      td.classList.add("typo");
      el.title = table.dataset.invalid;
      el.setAttribute("aria-invalid", "true");
      el.dataset.typo = "1";
    }
  };
  const differs = (el) => el.value.trim() !== (el.dataset.orig || "").trim();
  const counter = document.getElementById("changed-count");
  const count = () => {
    const n = body.querySelectorAll("td.cell.changed").length;
    if (counter) counter.textContent = n ? table.dataset.changed.replace("{}", n) : "";
  };
  // A cell is changed when one of its boxes differs from what the page showed, or when its row's
  // dilution or time did (then every non-empty cell of the row is re-sent).
  const mark = (tr) => {
    const rowChanged = Array.from(tr.querySelectorAll("input.row-input")).some(differs);
    tr.querySelectorAll("td.cell").forEach((td) => {
      const v = td.querySelector("input.cell-input");
      if (!v) return;
      const own = Array.from(td.querySelectorAll("input.cell-input, input.extra-input, input.formula-input")).some(differs);
      td.classList.toggle("changed", own || (rowChanged && v.value.trim() !== ""));
    });
    count();
  };
  const set = (el, text) => {
    let v = text.trim();
    if (el.type === "datetime-local") v = v.replace(/\//g, "-").replace(" ", "T");
    el.value = v;
    check(el);
  };
  body.addEventListener("input", (e) => {
    if (!e.target.matches("input")) return;
    check(e.target);
    mark(e.target.closest("tr"));
  });
  body.addEventListener("paste", (e) => {
    const el = e.target;
    if (!el.matches("input[data-col]")) return;
    const text = (e.clipboardData || window.clipboardData).getData("text");
    const block = text.replace(/\r/g, "").replace(/\n+$/, "");
    if (!/[\t\n]/.test(block)) return; // one value: the browser pastes it
    e.preventDefault();
    const col = colOf(el);
    let start = el;
    block.split("\n").forEach((line, dr) => {
      if (dr > 0 && start) start = vertical(start, 1);
      if (!start) return;
      const tr = start.closest("tr");
      line.split("\t").forEach((v, dc) => {
        const target = inCol(tr, col + dc);
        if (target) set(target, v);
      });
      mark(tr);
    });
  });
  body.addEventListener("keydown", (e) => {
    const el = e.target;
    if (!el.matches("input[data-col]")) return;
    const text = el.type !== "datetime-local";
    let to = null;
    if (e.key === "Enter") {
      e.preventDefault();
      to = vertical(el, e.shiftKey ? -1 : 1);
    } else if (!text) {
      return; // the time box uses the arrow keys itself
    } else if (e.key === "ArrowDown") to = vertical(el, 1);
    else if (e.key === "ArrowUp") to = vertical(el, -1);
    // Left/Right leave the box with the caret at its start/end (or all of it selected, as on arrival).
    else if (e.key === "ArrowLeft" && el.selectionStart === 0 && (el.selectionEnd === 0 || el.selectionEnd === el.value.length))
      to = horizontal(el, -1);
    else if (e.key === "ArrowRight" && el.selectionEnd === el.value.length && (el.selectionStart === el.value.length || el.selectionStart === 0))
      to = horizontal(el, 1);
    if (to) {
      e.preventDefault();
      to.focus();
      if (to.type !== "datetime-local") to.select();
    }
  });
  form.addEventListener("submit", () => {
    body.querySelectorAll("td.cell").forEach((td) => {
      if (td.classList.contains("changed")) return;
      td.querySelectorAll("input").forEach((i) => {
        i.disabled = true;
      });
    });
  });
  // Back to a page whose boxes were disabled for posting: they are boxes again.
  window.addEventListener("pageshow", () => {
    body.querySelectorAll("td.cell input:disabled").forEach((i) => {
      i.disabled = false;
    });
  });
  body.querySelectorAll("input.cell-input").forEach(check);
  rows().forEach(mark);
});

// Worklist (/worklist?method_id=): a "select all" box over the sample checkboxes.
document.addEventListener("DOMContentLoaded", () => {
  const all = document.getElementById("select-all");
  if (!all) return;
  const picks = () => Array.from(document.querySelectorAll("#worklist input.pick"));
  all.hidden = false;
  all.addEventListener("change", () => picks().forEach((p) => (p.checked = all.checked)));
});

// Batch sheet (/batches/<id>/sheet): the print button.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("print-sheet");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
