// Progress per theme: GET /me/progress/ (modules done and in progress, capabilities covered, the
// diagnostic's score), plus what the merchant started and kept for later.

import { me } from "../api.js";
import { html, mount, plural } from "../dom.js";

const moduleLink = (m) => html`<a href="/app/modules/${encodeURIComponent(m.slug)}/" data-link>${m.title}</a>`;

function themeCard(t) {
  const done = t.modules_completed.length;
  return html`<li class="card theme-card">
    <h2><span class="theme-dot theme-dot--${t.theme.slug}" aria-hidden="true"></span>${t.theme.name}</h2>
    <div class="meter-row">
      <label for="p-${t.theme.slug}">${plural(done, "fiche terminée", "fiches terminées")} sur ${t.modules_total}</label>
      <progress id="p-${t.theme.slug}" max="${t.modules_total || 1}" value="${done}">${done} sur ${t.modules_total}</progress>
    </div>
    <p class="hint">Outils en place : ${t.capabilities_covered.length} sur ${t.capabilities_total}${
      t.diagnostic_score === null ? "" : html` · diagnostic : <strong>${t.diagnostic_score}/100</strong>`
    }</p>
    ${t.modules_in_progress.length ? html`<p class="hint">En cours : ${t.modules_in_progress.map((m, i) => html`${i ? ", " : ""}${moduleLink(m)}`)}</p>` : ""}
  </li>`;
}

export async function render(main) {
  const progress = await me("GET", "/me/progress/");
  const totalDone = progress.themes.reduce((sum, t) => sum + t.modules_completed.length, 0);
  mount(
    main,
    html`<header class="page-header">
        <h1>Ma progression</h1>
        <p class="lead">${
          totalDone
            ? `${plural(totalDone, "fiche terminée", "fiches terminées")} : chaque pas compte.`
            : "Terminez une première fiche pour voir votre progression ici."
        }</p>
      </header>
      ${
        progress.last_diagnostic
          ? html`<p class="notice">Dernier diagnostic : <strong>${progress.last_diagnostic.band.label}</strong>
              (${progress.last_diagnostic.overall_score}/100). <a href="/app/diagnostic/" data-link>Le refaire</a></p>`
          : html`<p class="notice">Vous n'avez pas encore fait le diagnostic : 5 minutes pour savoir où vous en êtes.
              <a href="/app/diagnostic/" data-link>Faire le diagnostic</a></p>`
      }
      ${
        progress.started_modules.length
          ? html`<section class="stack"><h2>À reprendre</h2><ul class="cards" role="list">${progress.started_modules.map(
              (s) => html`<li class="card"><h3>${moduleLink(s.module)}</h3>
                <div class="meter-row"><label for="s-${s.module.slug}">${s.steps_completed.length} étape(s) sur ${s.steps_total}</label>
                <progress id="s-${s.module.slug}" max="${s.steps_total || 1}" value="${s.steps_completed.length}"></progress></div>
                ${s.next_step ? html`<p class="hint">Prochaine étape : ${s.next_step.title}</p>` : ""}</li>`,
            )}</ul></section>`
          : ""
      }
      <section class="stack"><h2>Par thème</h2><ul class="cards cards--grid" role="list">${progress.themes.map(themeCard)}</ul></section>
      ${
        progress.bookmarks.length
          ? html`<section class="stack"><h2>Gardées pour plus tard</h2><ul class="link-list" role="list">${progress.bookmarks.map(
              (m) => html`<li>${moduleLink(m)}</li>`,
            )}</ul></section>`
          : ""
      }`,
  );
  return "Ma progression";
}
