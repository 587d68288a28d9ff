// One theme's published modules (GET /modules/?theme=<slug>), public.

import { get } from "../api.js";
import { html, mount } from "../dom.js";
import { moduleCard } from "./catalogue.js";

export async function render(main, { slug }) {
  const [themes, modules] = await Promise.all([
    get("/themes/"),
    get(`/modules/?theme=${encodeURIComponent(slug)}&page_size=100`),
  ]);
  const theme = themes.find((t) => t.slug === slug) || { name: "Thème", description: "" };
  mount(
    main,
    html`<nav class="back" aria-label="Fil d'Ariane"><a href="/app/decouvrir/" data-link>← Tous les thèmes</a></nav>
      <header class="page-header"><h1><span class="theme-dot theme-dot--${slug}" aria-hidden="true"></span>${theme.name}</h1>
        <p class="lead">${theme.description}</p></header>
      <ul class="cards" role="list">${modules.results.map((m) => moduleCard(m, { headingLevel: 2 }))}</ul>`,
  );
  return theme.name;
}
