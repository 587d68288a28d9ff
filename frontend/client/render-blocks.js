// A module's body, from the API's typed JSON blocks to HTML. Shared by the module page and the
// editors' preview, so a draft looks exactly as it will once published.
//
// Block shapes (GET /api/v1/modules/<slug>/ and /api/v2/page_preview/ give the same):
//   text, tip, warning: rich-text HTML · step: {title, text (HTML)} · checklist: {title, items[]}
//   resource: {title, url, description} · video: {url, caption}
//   image: {alt, caption, renditions: {small, medium, large: {url, width, height}}}
//   fact: {text (HTML), sources: [keys]} — its sources come from the module's `sources` list
//   example: rich-text HTML, an illustrative case shown as « Exemple : »
// Rich-text HTML goes through raw() (see dom.js); every other value is escaped by html``.

import { html, icon, raw, safeUrl } from "./dom.js";

const renderers = {
  text: (value) => html`<div class="prose">${raw(value)}</div>`,
  tip: (value) =>
    html`<aside class="callout callout--tip"><p class="callout__title">${icon("bulb")} Astuce</p><div class="prose">${raw(value)}</div></aside>`,
  warning: (value) =>
    html`<aside class="callout callout--warning"><p class="callout__title">${icon("alert")} Attention</p><div class="prose">${raw(value)}</div></aside>`,
  step: (value, { stepIndex, interactive, stepsDone }) => {
    const done = stepsDone.has(stepIndex);
    return html`<section class="step${done ? " step--done" : ""}" data-step="${stepIndex}" aria-labelledby="step-${stepIndex}">
      <h2 class="step__title" id="step-${stepIndex}"><span class="step__number" aria-hidden="true">${stepIndex + 1}</span>
        <span><span class="visually-hidden">Étape ${stepIndex + 1} : </span>${value.title}</span></h2>
      <div class="prose">${raw(value.text)}</div>
      ${
        interactive
          ? html`<button type="button" class="button button--small ${done ? "button--done" : "button--secondary"}"
              data-action="step-done" data-index="${stepIndex}" aria-pressed="${done}">
              ${done ? "✓ Étape faite" : "Étape faite"}</button>
              ${done ? html`<span class="hint step__undo">Touchez à nouveau pour décocher.</span>` : ""}`
          : ""
      }
    </section>`;
  },
  checklist: (value, { blockIndex }) =>
    html`<section class="checklist"><h2>${value.title}</h2><ul role="list">${value.items.map(
      (item, i) => html`<li><label><input type="checkbox" name="check-${blockIndex}-${i}"> <span>${item}</span></label></li>`,
    )}</ul></section>`,
  resource: (value) =>
    html`<a class="resource" href="${safeUrl(value.url)}" rel="noopener noreferrer" target="_blank">
      <span class="resource__title">${value.title}<span class="visually-hidden"> (nouvel onglet)</span></span>
      ${value.description ? html`<span class="resource__text">${value.description}</span>` : ""}
      <span class="resource__host" aria-hidden="true">${icon("link")} ${hostOf(value.url)}</span></a>`,
  video: (value) =>
    value.url
      ? html`<a class="resource resource--video" href="${safeUrl(value.url)}" rel="noopener noreferrer" target="_blank">
          <span class="resource__title">${icon("play")} Voir la vidéo<span class="visually-hidden"> (nouvel onglet)</span></span>
          ${value.caption ? html`<span class="resource__text">${value.caption}</span>` : ""}
          <span class="resource__host" aria-hidden="true">${icon("link")} ${hostOf(value.url)}</span></a>`
      : "",
  image: (value) => {
    const r = value.renditions || {};
    const base = r.medium || r.small || r.large;
    if (!base) return "";
    const srcset = ["small", "medium", "large"]
      .filter((name) => r[name])
      .map((name) => `${safeUrl(r[name].url)} ${r[name].width}w`)
      .join(", ");
    return html`<figure class="figure"><img src="${safeUrl(base.url)}" srcset="${srcset}"
      sizes="(min-width: 48rem) 44rem, 100vw" width="${base.width}" height="${base.height}"
      alt="${value.alt}" loading="lazy" decoding="async">
      ${value.caption ? html`<figcaption>${value.caption}</figcaption>` : ""}</figure>`;
  },
  fact: (value, { sources }) => {
    const cited = (value.sources || []).map((key) => sources.get(key)).filter(Boolean);
    return html`<aside class="callout callout--fact"><p class="callout__title">${icon("alert")} Ce que dit la règle</p>
      <div class="prose">${raw(value.text)}</div>
      ${cited.length ? html`<p class="fact__sources">Source : ${cited.map(
        (s, i) => html`${i ? " ; " : ""}<a href="${safeUrl(s.url)}" rel="noopener noreferrer" target="_blank">${s.title}</a>
          (vérifiée le ${new Date(s.checked_on).toLocaleDateString("fr-FR", { dateStyle: "long" })})`,
      )}</p>` : ""}</aside>`;
  },
  example: (value) =>
    html`<aside class="callout callout--example"><p class="callout__title">Exemple :</p><div class="prose">${raw(value)}</div></aside>`,
  testimonial: (value) =>
    html`<figure class="quote"><blockquote><p>${value.quote}</p></blockquote>
      <figcaption>${value.author}${value.business ? html`, <span>${value.business}</span>` : ""}</figcaption></figure>`,
};

function hostOf(url) {
  try {
    return new URL(url).hostname.replace(/^www\./, "");
  } catch {
    return "";
  }
}

/** Steps are numbered from 0 in the order they appear: the index `step_completed` events carry. */
export function countSteps(body) {
  return (body || []).filter((block) => block.type === "step").length;
}

export function renderBlocks(body, { interactive = false, stepsDone = new Set(), sources = [] } = {}) {
  const byKey = new Map((sources || []).map((source) => [source.key, source]));
  let stepIndex = -1;
  return (body || []).map((block, blockIndex) => {
    if (block.type === "step") stepIndex += 1;
    const render = renderers[block.type];
    // an unknown block type (a newer CMS) is skipped rather than breaking the page
    return render ? render(block.value, { stepIndex, blockIndex, interactive, stepsDone, sources: byKey }) : "";
  });
}
