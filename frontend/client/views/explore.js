// Open before sign-up: "par où commencer" for the sector chosen on this device (GET /start/?sector=, public
// and cacheable, nothing personal), the themes (GET /themes/), and search (GET /modules/?q=).
// The sector is kept in localStorage only: no account, nothing sent but the sector's slug.

import { get, isSignedIn } from "../api.js";
import { announce, html, mount, plural } from "../dom.js";
import { moduleCard } from "./catalogue.js";

const SECTOR_KEY = "eleasud.sector";

export const chosenSector = () => localStorage.getItem(SECTOR_KEY) || "";

function signUpOffer() {
  return html`<aside class="card offer" aria-labelledby="offer-title">
    <h2 id="offer-title">Allez plus loin avec un compte gratuit</h2>
    <p>Gardez votre avancement, recevez des étapes choisies pour votre commerce et demandez l'aide d'un
      étudiant près de chez vous.</p>
    <p class="offer__actions"><a class="button" href="/app/inscription/" data-link>Créer un compte</a>
      <a href="/app/connexion/" data-link>J'ai déjà un compte</a></p>
  </aside>`;
}

export async function render(main, { query }) {
  const startPath = () => `/start/${chosenSector() ? `?sector=${encodeURIComponent(chosenSector())}` : ""}`;
  // everything the first screen shows is fetched before it is drawn: nothing moves once it is there
  const [taxonomy, themes, start] = await Promise.all([get("/taxonomy/"), get("/themes/"), get(startPath())]);
  const q = query.get("q") || "";
  mount(
    main,
    html`<header class="page-header">
        <p class="eyebrow">Marseille · commerçants, artisans, restaurateurs</p>
        <h1>Le numérique, pas à pas</h1>
        <p class="lead">Des fiches courtes et concrètes pour faire avancer votre commerce : être trouvé sur
          internet, faire revenir vos clients, vendre en ligne, vous protéger. Sans compte, tout est lisible.</p>
      </header>
      ${query.get("compte") === "supprime" ? html`<p class="notice notice--success" role="status">Votre compte et vos données ont été supprimés.</p>` : ""}
      <form class="card search" role="search" data-search>
        <label for="q">Rechercher une fiche</label>
        <div class="search__row">
          <input id="q" name="q" type="search" value="${q}" placeholder="avis clients, QR code…">
          <button class="button" type="submit">Rechercher</button>
        </div>
      </form>
      <section data-results aria-live="polite"></section>
      <section class="stack" aria-labelledby="start-title">
        <h2 id="start-title">Par où commencer ?</h2>
        <div class="field">
          <label for="sector">Votre activité</label>
          <select id="sector" name="sector">
            <option value="">— Tous les commerces —</option>
            ${taxonomy.sectors.map(
              (s) => html`<option value="${s.slug}" ${s.slug === chosenSector() ? "selected" : ""}>${s.name}</option>`,
            )}
          </select>
          <p class="hint">Gardé sur cet appareil seulement.</p>
        </div>
        <ol class="cards" role="list" data-start>${start.results.map((r) => moduleCard(r.module, { reason: r.reason }))}</ol>
      </section>
      <section class="stack" aria-labelledby="themes-title">
        <h2 id="themes-title">Les thèmes</h2>
        <ul class="cards cards--grid" role="list">${themes.map(
          (t) => html`<li class="card theme-card"><h3><span class="theme-dot theme-dot--${t.slug}" aria-hidden="true"></span>
            <a href="/app/themes/${encodeURIComponent(t.slug)}/" data-link>${t.name}</a></h3>
            <p class="hint">${t.description} · ${plural(t.module_count, "fiche", "fiches")}</p></li>`,
        )}</ul>
      </section>
      ${isSignedIn() ? "" : signUpOffer()}`,
  );

  const startList = main.querySelector("[data-start]");
  const showStart = async () => {
    const data = await get(startPath());
    mount(startList, data.results.map((r) => moduleCard(r.module, { reason: r.reason })));
  };
  main.querySelector("#sector").addEventListener("change", async (event) => {
    if (event.target.value) localStorage.setItem(SECTOR_KEY, event.target.value);
    else localStorage.removeItem(SECTOR_KEY);
    await showStart();
    announce("Suggestions mises à jour pour votre activité.");
  });

  const results = main.querySelector("[data-results]");
  const search = async (text) => {
    if (!text) return mount(results, "");
    const data = await get(`/modules/?q=${encodeURIComponent(text)}&page_size=20`);
    mount(
      results,
      html`<h2>${data.count ? plural(data.count, "fiche trouvée", "fiches trouvées") : "Aucune fiche trouvée"}</h2>
        ${data.count ? html`<ul class="cards" role="list">${data.results.map((m) => moduleCard(m))}</ul>` : html`<p>Essayez un autre mot, ou parcourez les thèmes.</p>`}`,
    );
  };
  main.querySelector("[data-search]").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = event.target.q.value.trim();
    history.replaceState(null, "", text ? `?q=${encodeURIComponent(text)}` : location.pathname);
    await search(text);
    results.querySelector("h2")?.setAttribute("tabindex", "-1");
    results.querySelector("h2")?.focus();
  });
  if (q) await search(q);
  return "Découvrir";
}
