// The officer's field page: tasks, codes and records from IndexedDB; sync when online.
// Every record revision and every photo carries an id generated here; the server replays its
// answer for an id it has seen, so a retried sync never duplicates anything (docs/field.md).
"use strict";
(function () {
  const db = window.fieldDb;
  const $ = (sel) => document.querySelector(sel);
  const RESULTS = { ok: "符合", fail: "不符合", na: "不适用" };
  const OUTCOMES = { none: "无问题", rectify: "责令整改", case: "移送立案" };
  const ATTEST = [
    "未接受企业宴请、礼品、礼金，未让企业承担任何费用，未指定中介服务",
    "未干扰企业正常生产经营，未要求法定代表人或主要负责人到场陪同",
    "未随意查封、扣押财物或责令停产停业",
    "本次检查与考核指标、罚没任务无关",
    "未以观摩、督导、考察等名义变相检查",
  ];
  let bundle = null;
  let csrf = $("#field").dataset.csrf;
  let syncing = false;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c) node.append(c);
    return node;
  }
  const say = (text) => { $("#field-msg").textContent = text; };
  const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  const fmt = (iso) => (iso ? new Date(iso).toLocaleString("zh-CN", { hour12: false }) : "");

  // --- the bundle -----------------------------------------------------------------------
  async function refresh() {
    try {
      const r = await fetch("/api/v1/field/tasks", { credentials: "same-origin" });
      if (r.status === 401) { say("登录已过期：本机数据已保存，请重新登录后同步。"); return; }
      if (!r.ok) throw new Error(r.status);
      bundle = await r.json();
      csrf = bundle.csrf_token;
      await db.put("meta", bundle, "bundle");
    } catch (e) {
      bundle = (await db.get("meta", "bundle")) || bundle;
      if (bundle) say(`离线：显示 ${fmt(bundle.generated_at)} 保存在本机的任务。`);
    }
  }

  function taskOf(id) { return bundle && bundle.tasks.find((t) => t.task_id === id); }

  async function localRecord(task) {
    let rec = await db.get("records", task.task_id);
    if (!rec) {
      const s = task.record;
      const lines = {};
      for (const a of s.checklist) lines[a.line_id] = { result: a.result, note: a.note };
      rec = {
        task_id: task.task_id, client_id: crypto.randomUUID(), revision: 0, synced_revision: 0,
        base_version: s.version, started_at: s.started_at, completed_at: s.finished_at,
        fields: Object.assign({ location: "", data_source: "", present_person: "", findings: "",
          outcome: "", rectify_deadline: "", ids_shown: false, attested: false }, s.fields),
        lines, attest: s.fields && s.fields.attested ? ATTEST.map(() => true) : ATTEST.map(() => false),
        state: s.finished_at ? "finished" : "clean", message: "", problems: [], server: null,
      };
    }
    return rec;
  }

  async function saveLocal(rec) {
    rec.revision += 1;
    if (rec.state !== "conflict") rec.state = "draft";
    await db.put("records", rec);
    await countPending();
  }

  async function countPending() {
    const recs = await db.all("records");
    const files = await db.all("files");
    const n = recs.filter((r) => r.revision > r.synced_revision).length
      + files.filter((f) => f.state !== "synced").length;
    const p = $("#pending");
    p.dataset.count = String(n);
    p.textContent = `待同步 ${n} 项`;
    return n;
  }

  // --- the list -------------------------------------------------------------------------
  async function renderList() {
    const list = $("#task-list");
    list.replaceChildren();
    if (!bundle) { list.append(el("p", { class: "muted", text: "本机还没有保存任务，请在有网络时打开本页。" })); return; }
    if (!bundle.tasks.length) list.append(el("p", { class: "muted", text: "未来 7 天没有已赋码的检查任务。" }));
    const recs = Object.fromEntries((await db.all("records")).map((r) => [r.task_id, r]));
    for (const t of bundle.tasks) {
      const rec = recs[t.task_id];
      const state = rec ? stateLabel(rec) : (t.record.finished_at ? "已完成" : (t.record.started_at ? "检查中" : "未开始"));
      list.append(el("article", { class: "card field-task", "data-task": t.task_id },
        el("h2", { text: t.enterprise_name }),
        el("p", { class: "muted", text: `检查期间 ${t.window_start} 至 ${t.window_end} · ${t.items.map((i) => i.name).join("、")}` }),
        el("p", {}, t.code ? el("span", { text: `行政行为码 ${t.code.number}` }) : el("span", { class: "badge bad", text: "尚未赋码" }),
          " · ", el("span", { class: "record-state", text: state })),
        el("p", {},
          t.code ? el("button", { type: "button", class: "show-qr", onclick: () => showQr(t) , text: "亮码" }) : null, " ",
          el("button", { type: "button", class: "open-record", onclick: () => openRecord(t.task_id), text: "检查笔录" }))));
    }
  }

  function stateLabel(rec) {
    if (rec.state === "conflict") return "有冲突，待处理";
    if (rec.state === "refused") return "同步被拒绝";
    if (rec.revision > rec.synced_revision) return rec.completed_at ? "已完成（待同步）" : "本机已保存（待同步）";
    if (rec.completed_at) return "已完成并同步";
    return rec.started_at ? "检查中（已同步）" : "未开始";
  }

  function showQr(t) {
    const v = $("#qr-view");
    v.replaceChildren(
      el("h1", { text: "行政行为码" }),
      el("p", {}, el("strong", { text: t.code.number }), ` · 有效期 ${t.code.valid_from} 至 ${t.code.valid_to}`),
      el("div", { class: "qr", "data-url": t.code.url }),
      el("p", { text: "请企业使用手机扫码核验：检查人员、检查事项与有效期。" }),
      el("p", { class: "muted", text: t.enterprise_name }),
      el("button", { type: "button", onclick: () => { v.hidden = true; $("#field").hidden = false; }, text: "返回" }));
    v.querySelector(".qr").innerHTML = t.code.qr_svg; // server-made SVG, cached with the bundle
    $("#field").hidden = true;
    $("#task-view").hidden = true;
    v.hidden = false;
  }

  // --- the record -----------------------------------------------------------------------
  async function openRecord(taskId) {
    const t = taskOf(taskId);
    const rec = await localRecord(t);
    const v = $("#task-view");
    const files = await db.filesOf(taskId);
    const done = !!rec.completed_at;
    const onsite = t.method === "onsite";
    const changed = async () => { collect(v, rec); await saveLocal(rec); say("已保存到本机。"); };

    const form = el("form", { id: "field-record", "data-task": taskId });
    form.addEventListener("input", changed);
    form.addEventListener("submit", (e) => e.preventDefault());
    form.append(el("h1", { text: `检查笔录 · ${t.enterprise_name}` }));
    if (rec.state === "conflict") form.append(conflictBox(t, rec));
    if (rec.state === "refused" || rec.problems.length) {
      form.append(el("div", { class: "flash flash-error", role: "alert", id: "record-problems" },
        el("p", { text: rec.message || "服务器未接受本次同步。" }),
        el("ul", {}, ...rec.problems.map((p) => el("li", { text: p })))));
    }
    if (!rec.started_at) {
      form.append(el("p", {}, el("button", { type: "button", id: "start", text: "开始检查", onclick: async () => {
        if (!t.code || t.code.status !== "valid" || today() < t.code.valid_from || today() > t.code.valid_to) {
          say("本任务没有今日有效的行政行为码，不得开始检查。"); return;
        }
        rec.started_at = new Date().toISOString();
        await saveLocal(rec); openRecord(taskId);
      } })));
      v.replaceChildren(form, backButton());
      show(v); return;
    }
    form.append(el("p", { class: "muted", text: `开始检查 ${fmt(rec.started_at)}${rec.completed_at ? ` · 完成 ${fmt(rec.completed_at)}` : ""}` }));
    const f = rec.fields;
    const field = (label, input) => { input.style.width = "100%"; return el("label", { class: "field", style: "display:block;margin:.5rem 0" }, el("span", { text: label, style: "display:block" }), input); };
    if (onsite) {
      form.append(el("label", { style: "display:block;margin:.5rem 0" }, el("input", { type: "checkbox", name: "ids_shown", checked: f.ids_shown }), " 已向企业出示执法证件和行政行为码"));
      form.append(field("企业在场人员", el("input", { name: "present_person", value: f.present_person, maxlength: 60 })));
    } else {
      form.append(field("数据来源", el("textarea", { name: "data_source", text: f.data_source })));
    }
    form.append(field("检查地点", el("input", { name: "location", value: f.location, maxlength: 200 })));
    for (const item of t.items) {
      const fs = el("fieldset", {}, el("legend", { text: `${item.code} ${item.name}` }));
      for (const line of item.lines) {
        const a = rec.lines[line.id] || { result: "", note: "" };
        fs.append(el("div", { class: "line" },
          el("p", { text: `${line.seq}. ${line.text}` }),
          line.basis ? el("p", { class: "muted", text: line.basis }) : null,
          ...Object.entries(RESULTS).map(([k, label]) => el("label", {},
            el("input", { type: "radio", name: `line_${line.id}`, value: k, checked: a.result === k }), ` ${label} `)),
          el("input", { name: `note_${line.id}`, value: a.note, placeholder: "说明（选填）" })));
      }
      form.append(fs);
    }
    form.append(field("检查情况", el("textarea", { name: "findings", rows: 4, text: f.findings })));
    form.append(el("fieldset", {}, el("legend", { text: "处理结果" }),
      ...Object.entries(OUTCOMES).map(([k, label]) => el("label", {},
        el("input", { type: "radio", name: "outcome", value: k, checked: f.outcome === k }), ` ${label} `)),
      field("整改期限", el("input", { type: "date", name: "rectify_deadline", value: f.rectify_deadline || "" }))));
    const photos = el("ul", { id: "photos" }, ...files.map((p) => el("li", { "data-sha256": p.sha256 },
      `${p.name} · SHA-256 ${p.sha256.slice(0, 16)}… · ${p.state === "synced" ? "已同步" : "待同步"}`)));
    form.append(el("fieldset", {}, el("legend", { text: "现场照片" }),
      el("input", { type: "file", name: "photo", style: "max-width:100%", accept: "image/*", capture: "environment", multiple: true, onchange: (e) => addPhotos(e, t, rec) }),
      photos));
    form.append(el("fieldset", {}, el("legend", { text: "“五个严禁”确认" }),
      ...ATTEST.map((text, i) => el("label", { class: "attest", style: "display:block;margin:.25rem 0" },
        el("input", { type: "checkbox", name: `attest_${i}`, checked: rec.attest[i] }), ` ${text}`))));
    form.append(el("p", {},
      rec.completed_at ? el("span", { class: "badge ok", text: "已完成" }) :
        el("button", { type: "button", id: "finish", text: "完成检查", onclick: async () => {
          collect(v, rec);
          rec.completed_at = new Date().toISOString();
          rec.problems = []; rec.message = "";
          await saveLocal(rec); say("已完成并保存到本机，网络恢复后同步。"); await sync(); openRecord(taskId);
        } })));
    v.replaceChildren(form, backButton());
    if (done) for (const input of form.querySelectorAll("input, textarea")) input.disabled = true;
    show(v);
  }

  function collect(v, rec) {
    const form = v.querySelector("form");
    const val = (n) => { const i = form.elements.namedItem(n); return i ? i.value : undefined; };
    for (const n of ["location", "data_source", "present_person", "findings", "rectify_deadline"]) {
      if (val(n) !== undefined) rec.fields[n] = val(n);
    }
    const ids = form.elements.namedItem("ids_shown");
    if (ids) rec.fields.ids_shown = ids.checked;
    const outcome = form.querySelector("input[name=outcome]:checked");
    rec.fields.outcome = outcome ? outcome.value : "";
    for (const radio of form.querySelectorAll("input[type=radio][name^=line_]:checked")) {
      const id = radio.name.slice(5);
      rec.lines[id] = { result: radio.value, note: val(`note_${id}`) || "" };
    }
    rec.attest = ATTEST.map((_, i) => { const b = form.elements.namedItem(`attest_${i}`); return !!(b && b.checked); });
    rec.fields.attested = rec.attest.every(Boolean);
  }

  async function addPhotos(event, t, rec) {
    for (const file of event.target.files) {
      const buf = await file.arrayBuffer();
      const digest = await crypto.subtle.digest("SHA-256", buf);
      const sha = Array.from(new Uint8Array(digest)).map((b) => b.toString(16).padStart(2, "0")).join("");
      await db.put("files", { client_id: crypto.randomUUID(), task_id: t.task_id, name: file.name,
        type: file.type, size: file.size, sha256: sha, blob: new Blob([buf], { type: file.type }), state: "pending" });
    }
    await countPending();
    say("照片已保存到本机（SHA-256 已计算）。");
    openRecord(t.task_id);
  }

  function conflictBox(t, rec) {
    const s = rec.server || {};
    const rows = [["企业在场人员", "present_person"], ["检查地点", "location"], ["检查情况", "findings"], ["处理结果", "outcome"]];
    return el("div", { class: "flash flash-warn", role: "alert", id: "conflict" },
      el("p", { text: rec.message }),
      el("table", {}, el("tr", {}, el("th", { text: "" }), el("th", { text: "服务器" }), el("th", { text: "本机" })),
        ...rows.map(([label, k]) => el("tr", {}, el("td", { text: label }),
          el("td", { text: String(k === "outcome" ? OUTCOMES[s[k]] || "" : s[k] || "") }),
          el("td", { text: String(k === "outcome" ? OUTCOMES[rec.fields[k]] || "" : rec.fields[k] || "") })))),
      el("p", {},
        el("button", { type: "button", id: "take-server", text: "采用服务器版本", onclick: async () => {
          await db.del("records", t.task_id); await refresh(); await countPending(); openRecord(t.task_id);
        } }), " ",
        rec.server_finished ? null : el("button", { type: "button", id: "keep-mine", text: "保留本机版本并提交", onclick: async () => {
          rec.base_version = rec.server_version; rec.state = "draft"; rec.server = null;
          await saveLocal(rec); await sync(); openRecord(t.task_id);
        } })));
  }

  function backButton() {
    return el("p", {}, el("button", { type: "button", class: "link", text: "返回任务列表", onclick: async () => {
      $("#task-view").hidden = true; $("#field").hidden = false; await renderList();
    } }));
  }
  function show(v) { $("#field").hidden = true; $("#qr-view").hidden = true; v.hidden = false; }

  // --- the sync -------------------------------------------------------------------------
  async function sync() {
    if (syncing || !navigator.onLine) return;
    syncing = true;
    try {
      const recs = await db.all("records");
      const files = await db.all("files");
      for (const rec of recs) {
        if (rec.state === "conflict") continue;
        const pending = files.filter((f) => f.task_id === rec.task_id && f.state !== "synced");
        if (rec.revision === rec.synced_revision && !pending.length) continue;
        if (!rec.started_at) continue;
        if (rec.revision === 0) rec.revision = 1; // a record opened only to add photos
        const sent = rec.revision;
        const body = {
          records: [{
            client_id: rec.client_id, revision: sent, task_id: rec.task_id, base_version: rec.base_version || "",
            started_at: rec.started_at, completed_at: rec.completed_at || null,
            fields: { location: rec.fields.location, present_person: rec.fields.present_person,
              data_source: rec.fields.data_source, findings: rec.fields.findings, outcome: rec.fields.outcome,
              rectify_deadline: rec.fields.outcome === "rectify" && rec.fields.rectify_deadline ? rec.fields.rectify_deadline : null,
              ids_shown: !!rec.fields.ids_shown, attested: !!rec.fields.attested },
            checklist: Object.entries(rec.lines).map(([id, a]) => ({ line_id: Number(id), result: a.result, note: a.note || "" })),
            files: pending.map((f) => ({ client_id: f.client_id, filename: f.name, sha256: f.sha256 })),
          }],
        };
        const fd = new FormData();
        fd.append("batch", JSON.stringify(body));
        for (const f of pending) fd.append(`file:${f.client_id}`, f.blob, f.name);
        const r = await fetch("/api/v1/field/sync", { method: "POST", body: fd, credentials: "same-origin",
          headers: { "X-CSRF-Token": csrf } });
        if (r.status === 401) { say("登录已过期：本机数据已保存，请重新登录后同步。"); return; }
        if (!r.ok) { const e = await r.json().catch(() => ({})); say(`同步失败：${e.message || r.status}`); continue; }
        const out = await r.json();
        const fresh = (await db.get("records", rec.task_id)) || rec;
        for (const a of out.items) {
          if (a.kind === "file") {
            const f = await db.get("files", a.client_id);
            if (f && a.status === "applied") { f.state = "synced"; f.evidence_id = a.evidence_id; await db.put("files", f); }
            continue;
          }
          fresh.message = a.message; fresh.problems = a.problems;
          if (a.status === "applied" || a.status === "saved") {
            fresh.base_version = a.version;
            fresh.synced_revision = sent;
            if (fresh.revision < sent) fresh.revision = sent;
            fresh.state = a.status === "saved" ? "draft" : "synced";
            if (a.status === "saved") fresh.completed_at = null; // the server did not close it
          } else if (a.status === "conflict") {
            fresh.state = "conflict"; fresh.server = a.server; fresh.server_version = a.version;
            fresh.server_finished = a.finished;
          } else if (a.status === "refused") {
            fresh.state = "refused";
          }
        }
        await db.put("records", fresh);
      }
      await refresh();
    } catch (e) {
      say("网络中断，稍后自动重试；本机数据已保存。");
    } finally {
      syncing = false;
      await countPending();
      if (!$("#field").hidden) await renderList();
    }
  }

  function netStatus() {
    const s = $("#net-status");
    s.textContent = navigator.onLine ? "在线" : "离线";
    s.className = `badge ${navigator.onLine ? "ok" : "bad"}`;
    s.dataset.online = navigator.onLine ? "1" : "0";
  }

  window.addEventListener("online", async () => { netStatus(); await sync(); });
  window.addEventListener("offline", netStatus);
  $("#sync-now").addEventListener("click", () => sync());

  async function main() {
    netStatus();
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/field/sw.js", { scope: "/field" }).catch(() => {});
    }
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
    await refresh();
    await countPending();
    await renderList();
    if (navigator.onLine) await sync();
    document.body.dataset.fieldReady = "1";
  }
  main();
})();
