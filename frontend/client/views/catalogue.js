// Shared pieces of the public catalogue screens (explore, theme): a module as a compact card.

import { html, icon, minutes } from "../dom.js";

export function moduleCard(module, { reason, headingLevel = 3 } = {}) {
  const heading = headingLevel === 2 ? "h2" : "h3";
  const title = html`<a href="/app/modules/${encodeURIComponent(module.slug)}/" data-link>${module.title}</a>`;
  return html`<li class="card next-card" data-module="${module.slug}">
    <p class="next-card__theme"><span class="theme-dot theme-dot--${module.theme.slug}" aria-hidden="true"></span>${module.theme.name}</p>
    ${heading === "h2" ? html`<h2 class="next-card__title">${title}</h2>` : html`<h3 class="next-card__title">${title}</h3>`}
    <p class="next-card__summary">${module.summary}</p>
    <ul class="facts" role="list" aria-label="En bref">
      <li>${icon("clock")} ${minutes(module.estimated_minutes)}</li>
      <li>${module.cost_band.name}</li>
      <li>${module.level.name}</li>
    </ul>
    ${reason ? html`<p class="reasons"><span class="chip">${reason.label}</span></p>` : ""}
  </li>`;
}
