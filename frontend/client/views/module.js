// A module: GET /modules/<slug>/ (public, cacheable) rendered from its typed blocks. A signed-in merchant
// also reads GET /me/progress/ (what is done) and posts events: viewed, started, step_completed (index
// from 0), completed, rated (1–5), bookmarked / unbookmarked — each with the recommendation_id of the
// list the merchant came from (?rec=…), when there is one.

import { get, isSignedIn, me, track } from "../api.js";
import * as outbox from "../outbox.js";
import { announce, html, icon, minutes, mount, raw } from "../dom.js";
import { countSteps, renderBlocks } from "../render-blocks.js";

/** The top of a module page; `module` has the /api/v1/ shape (the preview converts v2 pages to it). */
export function moduleHeader(module) {
  return html`<header class="module-header">
    <p class="next-card__theme"><span class="theme-dot theme-dot--${module.theme.slug}" aria-hidden="true"></span>${module.theme.name}</p>
    <h1>${module.title}</h1>
    ${module.summary ? html`<p class="lead">${module.summary}</p>` : ""}
    ${
      module.en_bref?.length
        ? html`<section class="en-bref" aria-labelledby="en-bref-title"><h2 id="en-bref-title" class="en-bref__title">En bref</h2>
            <ul>${module.en_bref.map((line) => html`<li>${line}</li>`)}</ul></section>`
        : ""
    }
    <ul class="facts facts--large" role="list" aria-label="En bref">
      ${module.estimated_minutes ? html`<li>${icon("clock")} ${minutes(module.estimated_minutes)}</li>` : ""}
      ${module.cost_band ? html`<li>${module.cost_band.name}</li>` : ""}
      ${module.level ? html`<li>${module.level.name}</li>` : ""}
    </ul>
    ${
      module.capabilities_built?.length
        ? html`<p class="gain"><strong>Ce que vous y gagnez :</strong> ${module.capabilities_built.map((c) => c.name).join(", ")}</p>`
        : ""
    }
    ${
      module.capabilities_required?.length
        ? html`<p class="hint"><strong>Il vous faut déjà :</strong> ${module.capabilities_required.map((c) => c.name).join(", ")}</p>`
        : ""
    }
  </header>`;
}

export function moduleBody(module, options) {
  return html`<div class="module-body">${renderBlocks(module.body, { ...options, sources: module.sources })}</div>
    ${
      module.facts_checked_on
        ? html`<p class="checked-on">Informations vérifiées le ${new Date(module.facts_checked_on).toLocaleDateString("fr-FR", { dateStyle: "long" })}.</p>`
        : ""
    }`;
}

function stateOf(progress, module, pending) {
  const { slug } = module;
  const completed = progress.themes.some((t) => t.modules_completed.some((m) => m.slug === slug));
  const started = progress.started_modules.find((s) => s.module.slug === slug);
  const state = {
    completed,
    started: Boolean(started) || completed,
    stepsDone: new Set(started?.steps_completed ?? []),
    bookmarked: progress.bookmarks.some((m) => m.slug === slug),
    rating: progress.ratings?.[slug] ?? null,
  };
  // Events still waiting in the outbox (made offline) count already: the page shows what the merchant did.
  for (const event of pending) {
    if (event.kind === "completed") state.completed = true;
    if (event.kind === "rated") state.rating = event.value;
    if (event.kind === "started") state.started = true;
    if (event.kind === "step_completed") state.stepsDone.add(event.value);
    if (event.kind === "step_uncompleted") state.stepsDone.delete(event.value);
    if (event.kind === "bookmarked" || event.kind === "unbookmarked") state.bookmarked = event.kind === "bookmarked";
  }
  // A finished module shows its steps ticked (the merchant said it is done), and is no longer "kept for later".
  if (state.completed) {
    state.started = true;
    for (let i = 0; i < countSteps(module.body); i += 1) state.stepsDone.add(i);
    state.bookmarked = false;
  }
  return state;
}

function actionBar(state) {
  return html`<div class="action-bar">
    ${
      state.completed
        ? html`<p class="badge badge--done">✓ Fiche terminée</p>`
        : state.started
          ? html`<p class="badge">En cours</p>`
          : html`<button type="button" class="button" data-action="start">Commencer</button>`
    }
    ${
      state.completed
        ? ""
        : html`<button type="button" class="button button--small button--secondary" data-action="bookmark" aria-pressed="${state.bookmarked}">
            ${state.bookmarked ? "★ Gardée pour plus tard" : "☆ Garder pour plus tard"}</button>`
    }
  </div>`;
}

function finishPanel(state, module) {
  if (!state.completed) {
    return html`<section class="card finish" aria-labelledby="finish-title">
      <h2 id="finish-title">Vous avez tout fait ?</h2>
      <p>Quand la liste « C'est fait si… » est cochée, dites-le : la fiche quitte vos prochaines étapes.</p>
      <button type="button" class="button" data-action="complete">J'ai terminé</button>
    </section>`;
  }
  return html`<section class="card finish finish--done" aria-labelledby="finish-title">
    <h2 id="finish-title">Bravo, c'est fait !</h2>
    ${
      module.capabilities_built.length
        ? html`<p>Votre profil compte maintenant : ${module.capabilities_built.map((c) => c.name).join(", ")}.</p>`
        : ""
    }
    <form class="rating" data-rating>
      <fieldset>
        <legend>Cette fiche vous a-t-elle aidé ?</legend>
        <div class="stars">${[1, 2, 3, 4, 5].map(
          (n) => html`<label><input type="radio" name="rating" value="${n}"${state.rating === n ? raw(" checked") : ""}>
            <span aria-hidden="true">★</span><span class="visually-hidden">${n} sur 5</span></label>`,
        )}</div>
      </fieldset>
      <p class="rating__thanks"${state.rating ? "" : raw(" hidden")}>Merci pour votre note !</p>
    </form>
    <p><a class="button button--secondary" href="/app/etapes/" data-link>Voir mes prochaines étapes</a></p>
  </section>`;
}

export async function render(main, { slug, query }) {
  const signedIn = isSignedIn();
  const [module, progress, queued] = await Promise.all([
    get(`/modules/${encodeURIComponent(slug)}/`),
    signedIn ? me("GET", "/me/progress/") : null,
    signedIn ? outbox.all().catch(() => []) : [],
  ]);
  const recommendation_id = query.get("rec") || undefined;
  const send = (kind, value) => track({ module: module.slug, kind, value, recommendation_id });
  const state = progress ? stateOf(progress, module, queued.filter((e) => e.module === module.slug)) : null;

  const draw = () =>
    mount(
      main,
      html`<nav class="back" aria-label="Fil d'Ariane">${
        state
          ? html`<a href="/app/etapes/" data-link>← Mes prochaines étapes</a>`
          : html`<a href="/app/themes/${encodeURIComponent(module.theme.slug)}/" data-link>← ${module.theme.name}</a>`
      }</nav>
      <article class="module">
        ${moduleHeader(module)}
        ${state ? actionBar(state) : html`<p class="notice"><a href="/app/inscription/" data-link>Créez un compte gratuit</a>
          ou <a href="/app/connexion/?suite=${encodeURIComponent(location.pathname)}" data-link>connectez-vous</a>
          pour cocher vos étapes, garder votre avancement et demander l'aide d'un étudiant.</p>`}
        ${moduleBody(module, { interactive: Boolean(state), stepsDone: state?.stepsDone })}
        ${state ? finishPanel(state, module) : ""}
        ${
          state
            ? html`<aside class="card help-offer" aria-labelledby="help-offer-title">
                <h2 id="help-offer-title">Besoin d'un coup de main ?</h2>
                <p>Un étudiant peut venir vous aider pour cette fiche, gratuitement.</p>
                <a class="button button--secondary" href="/app/aide/nouvelle/?module=${encodeURIComponent(module.slug)}" data-link>Demander de l'aide pour cette fiche</a>
              </aside>`
            : ""
        }
        ${
          module.related.length
            ? html`<section class="related"><h2>Pour aller plus loin</h2><ul role="list">${module.related.map(
                (m) => html`<li><a href="/app/modules/${encodeURIComponent(m.slug)}/" data-link>${m.title}</a>
                  <span class="hint">${minutes(m.estimated_minutes)} · ${m.cost_band.name}</span></li>`,
              )}</ul></section>`
            : ""
        }
      </article>`,
    );
  draw();
  if (!state) return module.title;

  send("viewed").catch(() => {});
  main.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button || !main.contains(button)) return;
    const action = button.dataset.action;
    button.disabled = true;
    try {
      if (action === "start") {
        await send("started");
        state.started = true;
        draw();
        main.querySelector("[data-step='0'] button")?.focus();
        announce("C'est parti ! Marquez chaque étape quand elle est faite.");
      } else if (action === "step-done" && state.stepsDone.has(Number(button.dataset.index))) {
        const index = Number(button.dataset.index);
        await send("step_uncompleted", index);
        state.stepsDone.delete(index);
        draw();
        main.querySelector(`[data-step='${index}'] button`)?.focus();
        announce(`Étape ${index + 1} décochée.`);
      } else if (action === "step-done") {
        const index = Number(button.dataset.index);
        await send("step_completed", index);
        state.started = true;
        state.stepsDone.add(index);
        draw();
        const total = countSteps(module.body);
        const nextButton = main.querySelector(`[data-step='${index + 1}'] button`) || main.querySelector("[data-action=complete]");
        nextButton?.focus();
        announce(`Étape ${index + 1} sur ${total} faite.`);
      } else if (action === "complete") {
        await send("completed");
        state.completed = true;
        state.started = true;
        state.bookmarked = false;
        for (let i = 0; i < countSteps(module.body); i += 1) state.stepsDone.add(i);
        draw();
        main.querySelector("#finish-title").setAttribute("tabindex", "-1");
        main.querySelector("#finish-title").focus();
        announce("Fiche terminée. Bravo !");
      } else if (action === "bookmark") {
        await send(state.bookmarked ? "unbookmarked" : "bookmarked");
        state.bookmarked = !state.bookmarked;
        draw();
        main.querySelector("[data-action=bookmark]").focus();
        announce(state.bookmarked ? "Fiche gardée pour plus tard." : "Fiche retirée de vos favoris.");
      }
    } catch {
      button.disabled = false;
      announce("Cela n'a pas marché. Vérifiez votre connexion et réessayez.");
    }
  });
  main.addEventListener("change", async (event) => {
    if (event.target.name !== "rating") return;
    if (state) state.rating = Number(event.target.value);
    await send("rated", Number(event.target.value)).catch(() => {});
    const thanks = main.querySelector(".rating__thanks");
    thanks.hidden = false;
    announce("Merci pour votre note !");
  });
  return module.title;
}
