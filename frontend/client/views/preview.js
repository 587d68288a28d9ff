// The headless preview editors land on: the Wagtail admin's "Aperçu" opens
// /preview/?content_type=cms.modulepage&token=<signed token> (HEADLESS_PREVIEW_CLIENT_URL). The draft comes
// from Wagtail's API v2 (/api/v2/page_preview/), whose page shape names terms by slug; the taxonomy turns
// slugs into names so the draft is drawn by the same code as a published module.

import { get } from "../api.js";
import { html, mount } from "../dom.js";
import { moduleBody, moduleHeader } from "./module.js";

function asV1Module(page, taxonomy) {
  const find = (list, slug) => list.find((term) => term.slug === slug);
  const terms = (list, slugs) => (slugs || []).map((slug) => find(list, slug) || { slug, name: slug });
  return {
    title: page.title,
    summary: page.summary,
    theme: find(taxonomy.themes, page.theme) || { slug: page.theme || "", name: "Thème à choisir" },
    level: find(taxonomy.levels, page.level),
    cost_band: find(taxonomy.cost_bands, page.cost_band),
    estimated_minutes: page.estimated_minutes,
    capabilities_built: terms(taxonomy.capabilities, page.capabilities_built),
    capabilities_required: terms(taxonomy.capabilities, page.capabilities_required),
    facts_checked_on: page.facts_checked_on,
    en_bref: page.en_bref,
    sources: page.sources,
    body: page.body,
  };
}

export async function render(main, { query }) {
  const params = new URLSearchParams({
    content_type: query.get("content_type") || "",
    token: query.get("token") || "",
  });
  const banner = html`<p class="preview-banner" role="note"><strong>Aperçu du brouillon</strong> — cette version
    n'est pas encore publiée.</p>`;
  let page;
  let taxonomy;
  try {
    [page, taxonomy] = await Promise.all([get(`/api/v2/page_preview/?${params}`), get("/taxonomy/")]);
  } catch {
    mount(main, html`${banner}<div class="card"><h1>Aperçu expiré</h1>
      <p>Ce lien d'aperçu n'est plus valable : cliquez à nouveau sur « Aperçu » dans l'administration.</p></div>`);
    return "Aperçu expiré";
  }
  const module = asV1Module(page, taxonomy);
  mount(main, html`${banner}<article class="module">${moduleHeader(module)}${moduleBody(module)}</article>`);
  return `Aperçu : ${module.title}`;
}
