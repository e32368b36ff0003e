// glassnet playground: draws what the server's engine computed. This page computes no
// number of its own: every weight, gradient, cost, probability and trace line comes from
// the JSON API (see glassnet/playground/__init__.py), and is only formatted here.
"use strict";

const params = new URLSearchParams(location.search);
const TOKEN = params.get("token") || "";
let lang = params.get("lang") === "ja" ? "ja" : "en";
let state = null;
let playing = false;
let pinned = null; // the weight or neuron under the cursor or clicked: {kind, layer, i, j}
let neuronOpen = false; // a clicked neuron's per-sample values follow each update

const WORDS = {
  en: {},
  ja: {
    playground: "プレイグラウンド", step: "ステップ", play: "再生", pause: "一時停止",
    reset: "リセット", run_to: "このエポックまで", go: "実行", per_update: "1 回の更新のエポック数",
    epoch: "エポック", cost: "コスト (COST)", dataset: "データ", hidden: "隠れ層",
    activation: "活性化関数", optimizer: "最適化 (勾配降下)", learning_rate: "learning rate (学習率)",
    batch_size: "バッチサイズ", initializer: "初期化", init_article: "記事 (0.5, 0.2)",
    seed: "シード", apply: "適用", upload: "CSV をアップロード", target: "目的の列",
    save: "モデルを保存", load: "モデルを読み込む", network: "ネットワーク",
    hover_hint: "重みかニューロンにカーソルを合わせるか、クリックしてください。",
    weights_table: "重み (weight) とバイアス (bias)", cost_curve: "エポックごとのコスト",
    table: "記事の学習データ", questions: "3 つの質問", boundary: "決定境界",
    gradcheck: "勾配チェック", gradcheck_run: "勾配を確かめる", this_step: "このステップ",
    this_step_hint: "最後のエポックを glassnet trace と同じ形で表示します。",
    ds_article: "記事の表", ds_moons: "月 (moons)", ds_circles: "円 (circles)",
    ds_spiral: "渦巻き (spiral)", ds_blobs: "ガウス分布の塊 (blobs)",
    ds_curve: "回帰の曲線", ds_upload: "アップロードした CSV",
    weight: "重み (weight)", bias: "バイアス (bias)", gradient: "勾配 ∂C/∂w (der_cost_w)",
    gradient_b: "勾配 ∂C/∂b (der_cost_b)", update: "直前の更新量 (引いた値: 更新前 − 更新後)", value: "値",
    neuron: "ニューロン", sample: "サンプル", z: "推測結果' (z)", a: "推測結果 (a)",
    delta: "δ = ∂C/∂z", student: "学生", job: "仕事", probability: "推測結果",
    verdict: "判定", inputs: "入力", no_step: "まだステップしていません。", layer: "層",
    passed: "合格", failed: "不合格", updates_s: "回/秒",
    minibatch_note: "ミニバッチで学習しているため、ここでは同じ重みから全データで 1 ステップを再現しています。",
    rows_note: "大きな表なので、同じ重みから最初の {rows} 行 (全 {n} 行) で 1 ステップを再現しています。",
    hidden_hint: "例: 8,8", accuracy: "正解率", r2: "R²", target_used: "目的の列",
    target_last: "(最後の列)", rows: "行", too_big: "ファイルは {size} MB です。{max} MB までにしてください。",
    checked_rows: "最初の {rows} 行 (全 {n} 行) で確認",
    max_error: "最大相対誤差", tolerance: "許容誤差",
    upload_note: "表の数値は glassnet train と同じく標準化 ((値 − 平均) / スケール) し、文字列は one-hot にしてネットワークに入力します。記事の数値そのままで学ぶには「記事の表」を選んでください。",
    run_to_bad: "エポックは 1 以上の整数で入れてください (「{value}」は使えません)。",
    run_to_past: "ネットワークはすでにエポック {epoch} です。それより後のエポックを入れるか、先にリセットしてください。",
    no_last_step: "表示できるステップがありません (最後のステップが発散したか、モデルを読み込んだところです)。ステップを進めると表示されます。",
    neuron_before: "最後のステップの z, a, δ です (更新する前の重みで計算。上の勾配はここから求めた値)。",
    server_gone: "プレイグラウンドのサーバーが応答しません。ターミナルで glassnet playground をもう一度起動して、表示された URL を開いてください。",
    cannot_check: "確かめられません: 重みかコストが大きすぎます (学習が発散しました)。リセットするか、learning rate を小さくしてください。",
    checked_at: "エポック {epoch} の重みで確認",
    trace_playing: "再生中です。一時停止すると、最後のステップをここに表示します。",
    ignored_columns: "ネットワークに入れない列",
    more_rows: "行 (省略)",
    rows_without_target: "目的の列が空の {n} 行は使いません (glassnet train と同じ)。",
    no_token: "このページは glassnet playground が表示した URL (?token= 付き) で開いてください。",
  },
  en_words: {
    play: "Play", pause: "Pause", weight: "weight", bias: "bias", gradient: "gradient ∂C/∂w",
    gradient_b: "gradient ∂C/∂b", update: "last update (subtracted: before − after)", value: "value", neuron: "neuron",
    sample: "sample", z: "z", a: "a", delta: "δ = ∂C/∂z", student: "student", job: "job",
    probability: "probability", verdict: "verdict", inputs: "inputs",
    no_step: "No step has run yet.", layer: "layer", passed: "passed", failed: "failed",
    updates_s: "updates/s", hover_hint: "Hover or click a weight or a neuron.",
    minibatch_note: "Training uses mini-batches: this replays one full-batch step from the same weights.",
    rows_note: "The table is large: this replays one step on its first {rows} of {n} rows, from the same weights.",
    hidden_hint: "e.g. 8,8", accuracy: "accuracy", r2: "R²", target_used: "target column",
    target_last: "(the last one)", rows: "rows", too_big: "the file is {size} MB; at most {max} MB can be uploaded",
    checked_rows: "checked on the first {rows} of {n} rows",
    max_error: "max relative error", tolerance: "tolerance",
    upload_note: "The table's numbers are standardized, (value − mean) / scale, and its text one-hot, as glassnet train does: those are the network's inputs. For the article's own numbers, choose the article's table.",
    run_to_bad: "run to epoch takes a whole number of epochs, 1 or more; got '{value}'",
    run_to_past: "the network is at epoch {epoch} already; give a later epoch, or Reset first",
    no_last_step: "No step to show: the last one diverged, or the network was just loaded. Step to see one.",
    neuron_before: "z, a and δ of the last step, from the weights before its update (the gradient above comes from them).",
    server_gone: "The playground's server does not answer: start glassnet playground again in a terminal and open the address it prints.",
    cannot_check: "cannot check: the weights or the cost are too large (training diverged); Reset, or use a smaller learning rate",
    checked_at: "checked at epoch {epoch}",
    trace_playing: "Playing: the last step shows here when you pause.",
    ignored_columns: "Columns the network does not see",
    more_rows: "more rows",
    rows_without_target: "{n} rows with no target are left out, as glassnet train does.",
    no_token: "Open this page at the address glassnet playground printed (with its ?token=).",
  },
};

function t(key, values) {
  let text = lang === "ja" && WORDS.ja[key] ? WORDS.ja[key] : WORDS.en_words[key] || key;
  for (const [name, value] of Object.entries(values || {})) text = text.replace(`{${name}}`, value);
  return text;
}

const MAX_UPLOAD_MB = 2; // the server's MAX_UPLOAD

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

// numbers as the article prints them: 8 decimals (its weights print to 8 places)
// (a diverged weight, 1e22, in 8 significant digits: fixed, it would be 31 characters)
const fixed8 = (v) => (v === null || v === undefined ? "–" : Math.abs(v) >= 1e6 ? sig8(v) : v.toFixed(8));
// gradients, updates and per-sample values can be tiny: 8 significant digits, as glassnet
// trace prints them
function sig8(v) {
  if (v === null || v === undefined) return "–";
  const text = v.toPrecision(8);
  if (text.includes("e")) return text.replace(/\.?0+e/, "e");
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}
const short = (v) => (Math.abs(v) >= 100 ? v.toPrecision(4) : v.toFixed(3));

// ----- the API --------------------------------------------------------------------------
async function api(method, route, body, query) {
  const q = new URLSearchParams(query || {});
  const init = { method, headers: { "X-Glassnet-Token": TOKEN } };
  if (body instanceof ArrayBuffer || typeof body === "string") {
    init.body = body;
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(`/api/${route}?${q}`, init);
  } catch (e) { // no answer at all: the server stopped (the page would only look frozen)
    playing = false;
    runId += 1;
    $("play").textContent = t("play");
    showError(t("server_gone"));
    throw e;
  }
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try { message = (await response.json()).error; } catch (e) { /* not JSON */ }
    if (response.status === 403) message = t("no_token");
    showError(message);
    throw new Error(message);
  }
  return response;
}

async function apiJson(method, route, body, query) {
  return (await api(method, route, body, query)).json();
}

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

function showNotice(message) {
  const box = $("notice");
  box.textContent = message || "";
  box.hidden = !message;
}

// ----- drawing ------------------------------------------------------------------------------
function featureName(index) {
  const name = state.dataset.features[index];
  return lang === "ja" && state.dataset.names_ja[name] ? state.dataset.names_ja[name] : name;
}

function colour(v) {
  return v >= 0 ? "#1565c0" : "#e65100";
}

// a weight or neuron of the drawing, reached by Tab as a button is: Enter or Space does
// what a click does, and a screen reader says which one it is
function reachable(element, label) {
  element.setAttribute("tabindex", "0");
  element.setAttribute("role", "button");
  element.setAttribute("aria-label", label);
  element.addEventListener("keydown", (e) => {
    if (e.key !== "Enter" && e.key !== " ") return;
    e.preventDefault();
    element.dispatchEvent(new MouseEvent("click"));
  });
}

function drawNetwork() {
  const el = $("net");
  // the weight or neuron a keyboard is on stays focused through the redraw (each step
  // replaced it, and the focus fell back to the page)
  const focused = el.contains(document.activeElement) ? document.activeElement.id : "";
  el.replaceChildren();
  const layers = state.layers;
  const sizes = [layers[0].n_in, ...layers.map((l) => l.n_out)];
  const width = +el.getAttribute("width");
  const height = +el.getAttribute("height");
  const maxShown = 16;
  const x = (c) => 70 + (c * (width - 140)) / Math.max(1, sizes.length - 1);
  const gap = (c) => Math.min(44, (height - 30) / Math.min(sizes[c], maxShown));
  const y = (c, i) => height / 2 + (i - (Math.min(sizes[c], maxShown) - 1) / 2) * gap(c);
  // circles no wider than their spacing (nine neurons a layer and more overlapped)
  const radius = (c) => Math.max(4, Math.min(11, gap(c) / 2 - 1));
  const total = layers.reduce((s, l) => s + l.n_in * l.n_out, 0);
  layers.forEach((layer, L) => {
    layer.weights.forEach((row, i) => {
      row.forEach((w, j) => {
        if (i >= maxShown || j >= maxShown) return;
        const line = svg("line", {
          x1: x(L), y1: y(L, i), x2: x(L + 1), y2: y(L + 1, j),
          stroke: colour(w), "stroke-width": Math.min(10, 0.8 + 2 * Math.abs(w)),
          "stroke-opacity": 0.75, id: `line-${L + 1}-${i}-${j}`,
        });
        const ref = { kind: "weight", layer: L + 1, i, j };
        line.addEventListener("mouseenter", () => { pinned = ref; neuronOpen = false; inspect(ref); });
        line.addEventListener("click", () => { pinned = ref; neuronOpen = false; inspect(ref); });
        reachable(line, `w[${L + 1}][${i}][${j}]`);
        el.appendChild(line);
        if (total <= 12) {
          // each target neuron's labels at their own distance along the lines: lines from
          // one input fan out from one point, where labels at one distance overlapped
          const f = layer.n_out > 1 ? 0.22 + (0.5 * j) / (layer.n_out - 1) : 0.35;
          el.appendChild(svg("text", {
            x: x(L) * (1 - f) + x(L + 1) * f, y: y(L, i) * (1 - f) + y(L + 1, j) * f - 4,
            class: "wlabel",
          }, short(w)));
        }
      });
    });
  });
  sizes.forEach((n, c) => {
    for (let i = 0; i < Math.min(n, maxShown); i++) {
      const dot = svg("circle", {
        cx: x(c), cy: y(c, i), r: radius(c), fill: c === 0 ? "#eee" : "#fff", id: `neuron-${c}-${i}`,
      });
      el.appendChild(dot);
      if (c === 0) {
        el.appendChild(svg("text", { x: x(c) - 62, y: y(c, i) + 4 }, featureName(i)));
      } else {
        const ref = { kind: "neuron", layer: c, j: i };
        dot.addEventListener("mouseenter", () => { pinned = ref; neuronOpen = false; inspect(ref); });
        dot.addEventListener("click", () => {
          pinned = ref;
          neuronOpen = true;
          inspect(ref);
          showNeuron(ref).catch(() => { /* shown in #error */ });
        });
        reachable(dot, `${t("neuron")} ${t("layer")} ${c}, #${i}`);
        const b = layers[c - 1].bias[i];
        // the output layer's below its neuron, centred: beside it, a long one ran off the edge
        const last = c === sizes.length - 1;
        el.appendChild(svg("text", last
          ? { x: x(c), y: y(c, i) + radius(c) + 13, "text-anchor": "middle" }
          : { x: x(c) + 14, y: y(c, i) + 16 }, `b ${short(b)}`));
      }
    }
    if (n > maxShown) el.appendChild(svg("text", { x: x(c) - 20, y: height - 4 }, `… ${n}`));
  });
  if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
}

function inspect(ref) {
  const layer = state.layers[ref.layer - 1];
  const box = $("inspector");
  if (ref.kind === "weight") {
    const g = layer.grad_weights ? layer.grad_weights[ref.i][ref.j] : null;
    const u = layer.update_weights ? layer.update_weights[ref.i][ref.j] : null;
    box.innerHTML = `<b>${t("weight")} w[${ref.layer}][${ref.i}][${ref.j}]</b><br>` +
      `${t("value")}: <span id="inspect-value">${fixed8(layer.weights[ref.i][ref.j])}</span><br>` +
      `${t("gradient")}: <span id="inspect-grad">${sig8(g)}</span><br>` +
      `${t("update")}: <span id="inspect-update">${sig8(u)}</span>`;
  } else {
    const g = layer.grad_bias ? layer.grad_bias[ref.j] : null;
    const u = layer.update_bias ? layer.update_bias[ref.j] : null;
    box.innerHTML = `<b>${t("neuron")} ${t("layer")} ${ref.layer}, #${ref.j} (${layer.activation})</b><br>` +
      `${t("bias")}: ${fixed8(layer.bias[ref.j])}, ${t("gradient_b")}: ${sig8(g)}, ` +
      `${t("update")}: ${sig8(u)}<div id="neuron-values"></div>`;
  }
}

async function showNeuron(ref) {
  const data = await apiJson("GET", "neuron", undefined, { layer: ref.layer, unit: ref.j });
  const rows = data.z.slice(0, 50).map((z, k) =>
    `<tr><td>${k + 1}</td><td>${sig8(z)}</td><td>${sig8(data.a[k])}</td><td>${sig8(data.delta[k])}</td></tr>`);
  const more = (data.n_samples > 50 ? `<p class="muted">… ${data.n_samples}</p>` : "") +
    (data.before_update ? `<p class="muted">${t("neuron_before")}</p>` : "");
  const target = $("neuron-values");
  if (target) {
    target.innerHTML = `<table class="nums"><tr><th>${t("sample")}</th><th>${t("z")}</th>` +
      `<th>${t("a")}</th><th>${t("delta")}</th></tr>${rows.join("")}</table>${more}`;
  }
}

const SHOWN_ROWS = 32; // weights of the first 32 inputs of a layer …
const SHOWN_COLUMNS = 16; // … into its first 16 neurons: the table says when there are more

function drawWeights() {
  const parts = state.layers.map((layer, L) => {
    const columns = layer.bias.length;
    const more = (n, limit) => (n > limit ? `<th>… ${n - limit}</th>` : "");
    // the header has a cell for each column shown (it had one for every neuron: 41 headings
    // above rows of 17 cells)
    const head = `<tr><th>${t("layer")} ${L + 1}</th>` +
      layer.bias.slice(0, SHOWN_COLUMNS).map((_, j) => `<th>→ ${j}</th>`).join("") +
      more(columns, SHOWN_COLUMNS) + "</tr>";
    const rows = layer.weights.slice(0, SHOWN_ROWS).map((row, i) =>
      `<tr><th>${t("weight")} ${L === 0 ? featureName(i) : i}</th>` +
      row.slice(0, SHOWN_COLUMNS).map((w, j) => `<td id="w-${L + 1}-${i}-${j}">${fixed8(w)}</td>`).join("") + "</tr>");
    if (layer.weights.length > SHOWN_ROWS) {
      rows.push(`<tr><th>… ${layer.weights.length - SHOWN_ROWS} ${t("more_rows")}</th></tr>`);
    }
    const bias = `<tr><th>${t("bias")}</th>` +
      layer.bias.slice(0, SHOWN_COLUMNS).map((b, j) => `<td id="b-${L + 1}-${j}">${fixed8(b)}</td>`).join("") + "</tr>";
    return `<table class="nums">${head}${rows.join("")}${bias}</table>`;
  });
  $("weights").innerHTML = parts.join("");
}

function drawCurve() {
  const el = $("curve");
  el.replaceChildren();
  const points = state.cost_curve;
  if (!points.length) return;
  const w = +el.getAttribute("width");
  const h = +el.getAttribute("height");
  const costs = points.map((p) => p[1]);
  const hi = Math.max(...costs);
  const lo = Math.min(0, ...costs);
  const last = points[points.length - 1][0];
  const px = (e) => 30 + ((e - 1) / Math.max(1, last - 1)) * (w - 40);
  const py = (c) => h - 15 - ((c - lo) / Math.max(1e-12, hi - lo)) * (h - 25);
  el.appendChild(svg("polyline", { points: points.map((p) => `${px(p[0])},${py(p[1])}`).join(" ") }));
  el.appendChild(svg("text", { x: 2, y: 12 }, hi.toPrecision(3)));
  el.appendChild(svg("text", { x: 2, y: h - 15 }, lo.toPrecision(3)));
  // anchored at the right edge: "エポック 1000" is wider than "epoch 1000" and was cut
  el.appendChild(svg("text", { x: w - 2, y: h - 2, "text-anchor": "end" }, `${t("epoch")} ${last}`));
}

function drawArticle() {
  const show = state.dataset.name === "article";
  $("article-panels").hidden = !show;
  if (!show) return;
  const names = ["A", "B", "C", "D"];
  const head = `<tr><th>${t("student")}</th>` +
    state.dataset.features.map((_, i) => `<th>${featureName(i)}</th>`).join("") +
    `<th>${lang === "ja" ? "仕事" : "job"}</th></tr>`;
  const rows = state.table.inputs.map((row, k) =>
    `<tr><td>${names[k]}${lang === "ja" ? "さん" : ""}</td>${row.map((v) => `<td>${v}</td>`).join("")}` +
    `<td>${state.table.targets[k]}</td></tr>`);
  $("table").innerHTML = head + rows.join("");
  const qhead = `<tr><th>${t("inputs")}</th><th>${t("probability")}</th><th>${t("verdict")}</th></tr>`;
  const qrows = state.questions.map((q, k) =>
    `<tr><td>[${q.inputs.join(", ")}]</td><td id="q-${k}">${fixed8(q.probability)}</td>` +
    `<td id="verdict-${k}">${q.verdict[lang]}</td></tr>`);
  $("questions").innerHTML = qhead + qrows.join("");
}

const CLASS_RGB = [[230, 81, 0], [21, 101, 192], [46, 125, 50], [123, 31, 162]];

async function drawBoundary() {
  const grid = await apiJson("GET", "grid", undefined, { size: 50 });
  $("boundary-panel").hidden = grid.kind === "none";
  if (grid.kind === "none") return;
  const canvas = $("boundary");
  const ctx = canvas.getContext("2d");
  const W = canvas.width;
  const H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  const regression = state.dataset.task === "regression";
  const pts = grid.points;
  if (grid.kind === "curve") {
    const all = grid.values.concat(grid.labels);
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    const [x0, x1] = [grid.xs[0], grid.xs[grid.xs.length - 1]];
    const sx = (v) => ((v - x0) / (x1 - x0)) * W;
    const sy = (v) => H - 10 - ((v - lo) / Math.max(1e-12, hi - lo)) * (H - 20);
    ctx.fillStyle = "#888";
    pts.forEach((p, k) => { ctx.fillRect(sx(p[0]) - 2, sy(grid.labels[k]) - 2, 4, 4); });
    ctx.strokeStyle = "#1565c0";
    ctx.lineWidth = 2;
    ctx.beginPath();
    grid.xs.forEach((xv, k) => { const f = k ? ctx.lineTo : ctx.moveTo; f.call(ctx, sx(xv), sy(grid.values[k])); });
    ctx.stroke();
    return;
  }
  const n = grid.size;
  const cell = W / n;
  const lo = regression ? Math.min(...grid.values) : 0;
  const hi = regression ? Math.max(...grid.values) : 1;
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const k = r * n + c;
      let rgb;
      let alpha;
      if (grid.classes) {
        rgb = CLASS_RGB[grid.classes[k] % CLASS_RGB.length];
        alpha = grid.values[k] * 0.6;
      } else {
        const p = (grid.values[k] - lo) / Math.max(1e-12, hi - lo);
        rgb = p >= 0.5 ? CLASS_RGB[1] : CLASS_RGB[0];
        alpha = Math.abs(p - 0.5) * 1.2;
      }
      // opaque colour mixed with white, on whole pixels: no seams where cells meet
      const mix = rgb.map((v) => Math.round(255 - alpha * (255 - v)));
      ctx.fillStyle = `rgb(${mix[0]},${mix[1]},${mix[2]})`;
      const left = Math.floor(c * cell);
      const top = Math.floor(r * cell);
      ctx.fillRect(left, top, Math.floor((c + 1) * cell) - left, Math.floor((r + 1) * cell) - top);
    }
  }
  const [x0, x1] = grid.x_range;
  const [y0, y1] = grid.y_range;
  pts.forEach((p, k) => {
    const label = grid.labels[k];
    const rgb = regression ? [60, 60, 60] : CLASS_RGB[label % CLASS_RGB.length];
    ctx.fillStyle = `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;
    ctx.strokeStyle = "#fff";
    ctx.beginPath();
    ctx.arc(((p[0] - x0) / (x1 - x0)) * W, H - ((p[1] - y0) / (y1 - y0)) * H, 3.5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  });
}

function fillChoices() {
  // the menus offer what the engine takes (build.HIDDEN_ACTIVATIONS, OPTIMIZERS, ...)
  for (const [name, id] of [["activation", "activation"], ["cost", "cost-fn"], ["optimizer", "optimizer"]]) {
    const select = $(id);
    select.replaceChildren(...state.choices[name].map((value) => new Option(value, value)));
  }
}

function fillSettings() {
  const c = state.config;
  $("dataset").value = c.dataset;
  $("hidden").value = c.hidden.join(",");
  $("activation").value = c.activation;
  $("cost-fn").value = c.cost;
  $("optimizer").value = c.optimizer;
  $("learning-rate").value = String(c.learning_rate);
  $("batch-size").value = c.batch_size === null ? "" : String(c.batch_size);
  $("l2").value = String(c.l2);
  $("initializer").value = c.initializer;
  $("seed").value = String(c.seed);
}

let checked = null; // the network and epoch the gradient check's result is for

async function render(newState, { grid = true, trace = true } = {}) {
  state = newState;
  if (checked !== null && checked !== networkKey()) {
    checked = null;
    $("gradcheck-result").textContent = ""; // another network or epoch: no longer its result
  }
  $("epoch").textContent = String(state.epoch);
  $("cost").textContent = state.cost === null ? "–" : state.cost.toPrecision(8);
  $("score-box").hidden = !state.score;
  if (state.score) {
    $("score-name").textContent = t(state.score.name);
    $("score").textContent = state.score.value.toFixed(4);
  }
  const d = state.dataset;
  $("dataset-info").textContent = d.name === "upload"
    ? `${t("target_used")}: ${d.target}${d.target_default ? ` ${t("target_last")}` : ""}, ` +
      `${d.n_samples} ${t("rows")}`
    : "";
  drawNetwork();
  drawWeights();
  drawCurve();
  drawArticle();
  if (pinned && pinned.layer <= state.layers.length) {
    inspect(pinned);
    if (neuronOpen) await showNeuron(pinned);
  }
  if (grid) await drawBoundary();
  if (trace) await drawTrace();
}

async function drawTrace() {
  // a loaded model has epochs but no step run here to replay: nothing to ask for
  if (playing) {
    $("trace").textContent = t("trace_playing");
    return;
  }
  if (!state.can_trace) {
    $("trace").textContent = t(state.epoch > 0 ? "no_last_step" : "no_step");
    return;
  }
  const data = await apiJson("GET", "trace", undefined, { lang });
  let note = "";
  if (data.n_rows < data.n_samples) note = t("rows_note", { rows: data.n_rows, n: data.n_samples });
  else if (!data.replays_exactly) note = t("minibatch_note");
  $("trace").textContent = (note ? `${note}\n\n` : "") + data.text;
}

function applyLanguage() {
  document.documentElement.lang = lang;
  const address = new URL(location.href);
  address.searchParams.set("lang", lang); // a reload keeps the language chosen
  history.replaceState(null, "", address);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  for (const el of document.querySelectorAll("[data-i18n]")) {
    if (!el.dataset.en) el.dataset.en = el.textContent;
    el.textContent = lang === "ja" && WORDS.ja[el.dataset.i18n] ? WORDS.ja[el.dataset.i18n] : el.dataset.en;
  }
  $("play").textContent = playing ? t("pause") : t("play");
  $("lang-en").classList.toggle("on", lang === "en");
  $("lang-ja").classList.toggle("on", lang === "ja");
  if (state) render(state, { grid: false });
}

// ----- actions ------------------------------------------------------------------------------
async function step(n) {
  // within what one request may do (max_steps 0: the server says what to change)
  const result = await apiJson("POST", "step", { n: Math.max(1, Math.min(n, state.max_steps)) });
  if (result.stopped) { showError(result.stopped); playing = false; }
  return result;
}

async function stepAndShow(n) {
  showError("");
  await render(await step(n));
}

let runId = 0; // a "run to epoch" in progress stops when this changes (Reset, Play, a new run)

async function runTo() {
  const text = $("run-to").value.trim();
  const target = Number(text);
  showError("");
  if (text === "" || !Number.isInteger(target) || target < 1) {
    showError(t("run_to_bad", { value: text }));
    return;
  }
  if (target <= state.epoch) {
    showError(t("run_to_past", { epoch: state.epoch }));
    return;
  }
  playing = false;
  const id = ++runId;
  // a request at a time, each within what the server allows: the epoch shown moves on
  while (id === runId && state.epoch < target) {
    const result = await step(Math.min(state.max_steps, target - state.epoch));
    if (id !== runId) return; // stopped meanwhile: what stopped it shows its own state
    await render(result, { trace: false, grid: false });
    if (result.stopped) break;
  }
  if (id === runId) await render(state);
}

async function play() {
  runId += 1; // a run to an epoch stops where it is
  playing = !playing;
  $("play").textContent = playing ? t("pause") : t("play");
  if (playing) await drawTrace();
  let count = 0;
  const start = performance.now();
  while (playing) {
    const result = await step(parseInt($("speed").value, 10));
    await render(result, { trace: false });
    count += 1;
    const rate = count / ((performance.now() - start) / 1000);
    $("rate").textContent = `${rate.toFixed(1)} ${t("updates_s")}`;
  }
  $("play").textContent = t("play");
  await drawTrace();
}

function numberOrText(text) {
  const v = Number(text);
  return text.trim() !== "" && Number.isFinite(v) ? v : text;
}

function typedSettings() {
  const hidden = $("hidden").value.trim();
  return {
    // "0", as glassnet train --hidden 0 takes it: no hidden layer
    hidden: hidden && hidden !== "0" ? hidden.split(",").map((s) => numberOrText(s.trim())) : [],
    activation: $("activation").value,
    cost: $("cost-fn").value,
    optimizer: $("optimizer").value,
    learning_rate: numberOrText($("learning-rate").value),
    batch_size: $("batch-size").value.trim() ? numberOrText($("batch-size").value) : null,
    l2: numberOrText($("l2").value),
    initializer: $("initializer").value,
    seed: numberOrText($("seed").value),
  };
}

async function applySettings(datasetOnly) {
  showError("");
  showNotice("");
  forget();
  const changes = { dataset: $("dataset").value };
  const typed = typedSettings();
  if (!datasetOnly || changes.dataset !== "article") {
    // only what the learner changed (a setting sent is one chosen: hidden layers on the
    // article's weights get random ones unless the initializer was chosen too); a new
    // dataset keeps what was typed but not applied yet (the server keeps the choices
    // applied before); the article's table brings the article's network
    for (const [key, value] of Object.entries(typed)) {
      if (JSON.stringify(value) !== JSON.stringify(state.config[key])) changes[key] = value;
    }
  }
  try {
    const result = await apiJson("POST", "configure", changes);
    showNotice(result.notice);
    await render(result);
  } finally {
    fillSettings();
  }
}

function forget() {
  // a new network: the weight or neuron inspected may no longer exist, the rate was another's
  $("rate").textContent = "";
  pinned = null;
  neuronOpen = false;
  $("inspector").textContent = t("hover_hint");
}

async function upload(file) {
  showError("");
  showNotice("");
  $("upload").value = ""; // the same file may be chosen again after a fix
  if (file.size > MAX_UPLOAD_MB * 1024 * 1024) {
    // refused here: the server would close the connection on a body it will not read
    showError(t("too_big", { size: (file.size / (1024 * 1024)).toFixed(1), max: MAX_UPLOAD_MB }));
    return;
  }
  forget();
  const body = await file.arrayBuffer();
  await render(await apiJson("POST", "upload", body, { target: $("target").value.trim() }));
  fillSettings();
  // why the article's own table gives other numbers here; which columns it does not see
  const d = state.dataset;
  const notes = [t("upload_note")];
  if (d.ignored.length) {
    notes.push(`${t("ignored_columns")}: ${d.ignored.map(([name, why]) => `${name} (${why})`).join("; ")}`);
  }
  if (d.rows_without_target) notes.push(t("rows_without_target", { n: d.rows_without_target }));
  showNotice(notes.join("\n"));
}

async function saveModel() {
  const response = await api("GET", "save");
  const blob = await response.blob();
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename="([^"]+)"/.exec(disposition);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = match ? match[1] : "playground.safetensors";
  link.click();
  URL.revokeObjectURL(link.href);
}

async function loadModel(file) {
  showError("");
  forget();
  $("load").value = "";
  if (file.size > MAX_UPLOAD_MB * 1024 * 1024) {
    showError(t("too_big", { size: (file.size / (1024 * 1024)).toFixed(1), max: MAX_UPLOAD_MB }));
    return;
  }
  const body = await file.arrayBuffer();
  await render(await apiJson("POST", "load", body));
  fillSettings();
}

// a number in e-notation; a NaN or infinity (null in JSON: diverged weights) as "–"
const expo = (v, digits) => (v === null || v === undefined ? "–" : v.toExponential(digits));

function networkKey() {
  return JSON.stringify([state.epoch, state.config, state.dataset.name, state.dataset.n_samples]);
}

async function gradcheck() {
  const r = await apiJson("POST", "gradcheck");
  checked = networkKey();
  if (r.max_relative_error === null) { // NaN or inf: nothing a finite difference can check
    $("gradcheck-result").textContent = `${t("cannot_check")}\n${t("checked_at", { epoch: state.epoch })}`;
    return;
  }
  const lines = r.layers.map((l) => `${t("layer")} ${l.layer}: ${t("max_error")} ${expo(l.max_relative_error, 2)}`);
  $("gradcheck-result").textContent =
    `${r.passed ? `✓ ${t("passed")}` : `✗ ${t("failed")}`}: ${t("max_error")} ${expo(r.max_relative_error, 2)} ` +
    `(${t("tolerance")} ${expo(r.tolerance, 0)})\n${lines.join("\n")}` +
    (r.n_rows < r.n_samples ? `\n${t("checked_rows", { rows: r.n_rows, n: r.n_samples })}` : "") +
    `\n${t("checked_at", { epoch: state.epoch })}`;
}

function wire(id, event, handler) {
  $(id).addEventListener(event, (e) => {
    // no first state (no token, no server): the error shown stays, nothing to act on
    if (state === null && !id.startsWith("lang-")) return;
    handler(e).catch(() => { /* shown in #error */ });
  });
}

wire("step-1", "click", () => stepAndShow(1));
wire("step-10", "click", () => stepAndShow(10));
wire("step-100", "click", () => stepAndShow(100));
wire("play", "click", play);
wire("reset", "click", async () => {
  showError("");
  playing = false;
  runId += 1;
  await render(await apiJson("POST", "reset"));
});
wire("run-to-go", "click", runTo);
// Enter in a field does what its button does
wire("run-to", "keydown", (e) => (e.key === "Enter" ? runTo() : Promise.resolve()));
for (const id of ["hidden", "learning-rate", "batch-size", "l2", "seed"]) {
  wire(id, "keydown", (e) => (e.key === "Enter" ? applySettings(false) : Promise.resolve()));
}
wire("apply", "click", () => applySettings(false));
wire("dataset", "change", () => applySettings(true));
wire("upload", "change", (e) => (e.target.files[0] ? upload(e.target.files[0]) : Promise.resolve()));
wire("load", "change", (e) => (e.target.files[0] ? loadModel(e.target.files[0]) : Promise.resolve()));
wire("save", "click", saveModel);
wire("gradcheck", "click", gradcheck);
wire("lang-en", "click", async () => { lang = "en"; applyLanguage(); });
wire("lang-ja", "click", async () => { lang = "ja"; applyLanguage(); });

(async () => {
  applyLanguage();
  state = await apiJson("GET", "state");
  fillChoices();
  fillSettings();
  await render(state);
  document.body.dataset.ready = "1";
})().catch(() => { /* shown in #error */ });
