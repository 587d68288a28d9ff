// "Mes prochaines étapes": GET /me/recommendations/?limit=5. Each card links to its module with the list's
// recommendation_id (?rec=…), so the events sent from there are tied to this list; "Pas pour moi" posts a
// `dismissed` event and the module never comes back — unless the merchant presses "Annuler" on the folded
// card (an `undismissed` event). The modules listed are fetched ahead for offline reading.

import { keepForOffline, me, track } from "../api.js";
import { announce, html, icon, minutes, mount } from "../dom.js";

const REASON_ICONS = { content: "◎", collaborative: "☷", popularity: "★", editorial: "✎", new: "✦", fallback: "→" };

function card(item, recommendationId) {
  const { module } = item;
  const href = `/app/modules/${encodeURIComponent(module.slug)}/?rec=${encodeURIComponent(recommendationId)}`;
  const titleId = `card-${module.slug}`;
  return html`<li class="card next-card" data-module="${module.slug}" aria-labelledby="${titleId}">
    <p class="next-card__theme"><span class="theme-dot theme-dot--${module.theme.slug}" aria-hidden="true"></span>${module.theme.name}</p>
    <h2 class="next-card__title" id="${titleId}"><a href="${href}" data-link>${module.title}</a></h2>
    <div data-card-body>
    <p class="next-card__summary">${module.summary}</p>
    <ul class="facts" role="list" aria-label="En bref">
      <li>${icon("clock")} ${minutes(module.estimated_minutes)}</li>
      <li>${module.cost_band.name}</li>
      <li>${module.level.name}</li>
    </ul>
    ${
      item.reasons.length
        ? html`<ul class="reasons" role="list" aria-label="Pourquoi cette fiche">${item.reasons.map(
            (reason) => html`<li class="chip"><span aria-hidden="true">${REASON_ICONS[reason.code] || "→"}</span> ${reason.text}</li>`,
          )}</ul>`
        : ""
    }
    ${
      item.missing_prerequisites.length
        ? html`<p class="notice notice--small"><strong>Prérequis manquant :</strong>
            ${item.missing_prerequisites.map((c) => c.name).join(", ")}.
            ${
              item.prepare_with.length
                ? html`À faire avant : ${item.prepare_with.map(
                    (m, i) => html`${i ? ", " : ""}<a href="/app/modules/${encodeURIComponent(m.slug)}/?rec=${encodeURIComponent(recommendationId)}" data-link>${m.title}</a>`,
                  )}.`
                : ""
            }</p>`
        : ""
    }
    <div class="next-card__actions">
      <a class="button button--small" href="${href}" data-link>Ouvrir<span class="visually-hidden"> : ${module.title}</span></a>
      <button type="button" class="button button--small button--quiet" data-action="dismiss" data-slug="${module.slug}">
        Pas pour moi<span class="visually-hidden"> : ${module.title}</span></button>
    </div>
    </div>
  </li>`;
}

export async function render(main) {
  const data = await me("GET", "/me/recommendations/?limit=5");
  mount(
    main,
    html`<header class="page-header">
        <h1>Mes prochaines étapes</h1>
        <p class="lead">Choisies pour votre commerce. Une fiche se fait en une fois, entre deux clients.</p>
      </header>
      ${
        data.personalised
          ? ""
          : html`<p class="notice">${data.notice || "Ces suggestions ne tiennent pas compte de votre activité : vous n'avez pas accepté la personnalisation."}
              <a href="/app/profil/" data-link>Modifier dans mon profil</a></p>`
      }
      ${data.personalised && data.notice ? html`<p class="notice">${data.notice}</p>` : ""}
      ${
        data.results.length
          ? html`<ol class="cards" role="list">${data.results.map((item) => card(item, data.recommendation_id))}</ol>`
          : html`<div class="card empty"><h2>Bravo, vous avez fait le tour !</h2>
              <p>Aucune nouvelle fiche pour l'instant. Refaites le <a href="/app/diagnostic/" data-link>diagnostic</a>
              ou complétez votre <a href="/app/profil/" data-link>profil</a>.</p></div>`
      }`,
  );

  // Recommended modules (and their images) are kept by the service worker for reading offline.
  keepForOffline(data.results.map((item) => item.module.slug)).catch(() => {});

  main.querySelector(".cards")?.addEventListener("click", async (event) => {
    const undo = event.target.closest("[data-action=undo-dismiss]");
    if (undo) {
      const cardElement = undo.closest(".next-card");
      undo.disabled = true;
      const status = await track({ module: cardElement.dataset.module, kind: "undismissed" }).catch(() => "error");
      if (status === "invalid" || status === "conflict" || status === "error") {
        undo.disabled = false;
        announce("Impossible d'annuler pour l'instant. Réessayez.");
        return;
      }
      cardElement.classList.remove("next-card--dismissed");
      cardElement.querySelector("[data-dismissed]").remove();
      cardElement.querySelectorAll("[data-card-body]").forEach((part) => part.removeAttribute("hidden"));
      cardElement.querySelector("[data-action=dismiss]").disabled = false;
      cardElement.querySelector(".next-card__title a").focus();
      announce("La fiche est de retour dans vos étapes.");
      return;
    }
    const button = event.target.closest("[data-action=dismiss]");
    if (!button) return;
    const cardElement = button.closest(".next-card");
    const title = cardElement.querySelector(".next-card__title").textContent.trim();
    button.disabled = true;
    const status = await track({
      module: button.dataset.slug,
      kind: "dismissed",
      recommendation_id: data.recommendation_id,
    }).catch(() => "error");
    if (status === "invalid" || status === "conflict" || status === "error") {
      button.disabled = false;
      announce("Impossible d'écarter cette fiche pour l'instant. Réessayez.");
      return;
    }
    // The card folds into one line with an undo button, which takes the focus (keyboard users stay in place).
    cardElement.classList.add("next-card--dismissed");
    cardElement.querySelectorAll("[data-card-body]").forEach((part) => part.setAttribute("hidden", ""));
    const notice = mount(
      document.createElement("div"),
      html`<p class="dismissed" data-dismissed>Elle ne vous sera plus proposée.
        <button type="button" class="button button--small button--secondary" data-action="undo-dismiss">Annuler<span class="visually-hidden"> : remettre « ${title} »</span></button></p>`,
    );
    cardElement.append(...notice.childNodes);
    cardElement.querySelector("[data-action=undo-dismiss]").focus();
    announce(`« ${title} » ne vous sera plus proposée. Vous pouvez annuler.`);
  });
  return "Mes prochaines étapes";
}
