// Help from a student ("mise en relation"), on today's /me/help-requests/ API:
//   /app/aide/                      my requests and their status
//   /app/aide/nouvelle/?module=…|?theme=…   ask for help, pre-filled from a module page or a theme
//   /app/aide/<id>/                 follow one request: status, helper, cancel while open, rate once done
// Kept in its own file so the missions work (sessions, messages) can extend the detail screen.

import { get, me } from "../api.js";
import { announce, html, mount } from "../dom.js";
import { busy, clearErrors, showErrors } from "../forms.js";
import { navigate } from "../app.js";

const OPEN = new Set(["new", "proposed", "matched", "in_progress"]);
const STATUS_HELP = {
  new: "Nous cherchons un étudiant disponible pour votre thème.",
  proposed: "Un étudiant a été sollicité : vous saurez qui dès qu'il aura accepté.",
  matched: "Un étudiant a accepté : il va vous proposer un rendez-vous.",
  in_progress: "L'accompagnement est en cours.",
  done: "L'accompagnement est terminé.",
  cancelled: "Vous avez annulé cette demande.",
};
const dateFr = (value) => (value ? new Date(value).toLocaleDateString("fr-FR", { dateStyle: "long" }) : "");

function statusBadge(request) {
  return html`<span class="badge badge--${request.status}">${request.status_label}</span>`;
}

async function list(main) {
  const data = await me("GET", "/me/help-requests/?page_size=100");
  mount(
    main,
    html`<header class="page-header"><h1>Se faire aider</h1>
        <p class="lead">Un étudiant d'une école de Marseille vient vous aider, gratuitement, pour une fiche ou un thème.</p></header>
      <p><a class="button" href="/app/aide/nouvelle/" data-link>Demander de l'aide</a></p>
      ${
        data.results.length
          ? html`<h2>Mes demandes</h2><ul class="cards" role="list">${data.results.map(
              (r) => html`<li class="card help-card"><h3><a href="/app/aide/${r.id}/" data-link>${r.module ? r.module.title : r.theme.name}</a></h3>
                <p>${statusBadge(r)} <span class="hint">demandée le ${dateFr(r.created_at)}</span></p></li>`,
            )}</ul>`
          : html`<p class="card">Vous n'avez pas encore demandé d'aide.</p>`
      }`,
  );
  return "Se faire aider";
}

async function create(main, query) {
  const taxonomy = await get("/taxonomy/");
  const moduleSlug = query.get("module");
  const module = moduleSlug ? await get(`/modules/${encodeURIComponent(moduleSlug)}/`).catch(() => null) : null;
  const theme = module?.theme.slug || query.get("theme") || "";
  mount(
    main,
    html`<nav class="back" aria-label="Fil d'Ariane"><a href="/app/aide/" data-link>← Mes demandes d'aide</a></nav>
      <header class="page-header"><h1>Demander de l'aide</h1>
        <p class="lead">Dites-nous ce qui vous bloque : un étudiant vous recontacte pour convenir d'un rendez-vous.</p></header>
      <form class="card form" novalidate>
        <p class="form-summary" role="alert" tabindex="-1" hidden></p>
        ${module ? html`<p class="notice">Pour la fiche <strong>${module.title}</strong></p><input type="hidden" name="module" value="${module.slug}">` : ""}
        <div class="field">
          <label for="theme">Thème</label>
          <select id="theme" name="theme" aria-describedby="theme-error" ${module ? "disabled" : ""}>
            <option value="">— Choisissez —</option>
            ${taxonomy.themes.map((t) => html`<option value="${t.slug}" ${t.slug === theme ? "selected" : ""}>${t.name}</option>`)}
          </select>
          <p class="field-error" id="theme-error" data-error-for="theme" hidden></p>
        </div>
        <div class="field">
          <label for="message">Votre besoin</label>
          <p class="hint" id="message-hint">En quelques mots : ce que vous voulez faire, où vous en êtes.</p>
          <textarea id="message" name="message" rows="5" maxlength="2000" required aria-describedby="message-hint message-error">${
            module ? `J'aimerais de l'aide pour « ${module.title} ».` : ""
          }</textarea>
          <p class="field-error" id="message-error" data-error-for="message" hidden></p>
        </div>
        <div class="field">
          <label for="availability">Vos disponibilités <span class="optional">(facultatif)</span></label>
          <input id="availability" name="availability" maxlength="300" placeholder="Par exemple : le lundi matin" aria-describedby="availability-error">
          <p class="field-error" id="availability-error" data-error-for="availability" hidden></p>
        </div>
        <button class="button" type="submit">Envoyer ma demande</button>
      </form>`,
  );
  const form = main.querySelector("form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const data = new FormData(form);
    const body = { message: data.get("message").trim(), availability: data.get("availability").trim() };
    if (module) body.module = module.slug;
    else if (data.get("theme")) body.theme = data.get("theme");
    const button = form.querySelector("[type=submit]");
    busy(button, true, "Envoi…");
    try {
      const created = await me("POST", "/me/help-requests/", body);
      await navigate(`/app/aide/${created.id}/?envoyee=1`);
      announce("Demande envoyée.");
    } catch (error) {
      busy(button, false);
      showErrors(form, error);
    }
  });
  return "Demander de l'aide";
}

function ratingForm() {
  return html`<form class="rating form" novalidate data-rate>
    <p class="form-summary" role="alert" tabindex="-1" hidden></p>
    <fieldset>
      <legend>Comment s'est passé l'accompagnement ?</legend>
      <div class="stars">${[1, 2, 3, 4, 5].map(
        (n) => html`<label><input type="radio" name="satisfaction" value="${n}" required>
          <span aria-hidden="true">★</span><span class="visually-hidden">${n} sur 5</span></label>`,
      )}</div>
      <p class="field-error" id="satisfaction-error" data-error-for="satisfaction" hidden></p>
    </fieldset>
    <div class="field">
      <label for="comment">Un commentaire <span class="optional">(facultatif)</span></label>
      <textarea id="comment" name="comment" rows="3" maxlength="2000"></textarea>
    </div>
    <button class="button" type="submit">Envoyer ma note</button>
  </form>`;
}

const whenFr = (value) =>
  new Date(value).toLocaleString("fr-FR", { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" });

// The mission itself once a student accepted: its sessions (to confirm, then to confirm as held) and the
// message thread (read by the coordination and the student's school referent too; no phone numbers needed).
function missionSections(request) {
  const active = request.status === "matched" || request.status === "in_progress";
  const sessions = request.sessions || [];
  const messages = request.messages || [];
  if (!active && !sessions.length && !messages.length) return "";
  const now = new Date();
  return html`<section class="card stack" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Séances</h2>
      ${sessions.length
        ? html`<ul class="link-list">${sessions.map(
            (s) => html`<li data-session="${s.id}"><p><strong>${whenFr(s.starts_at)}</strong> — ${s.mode_label}, ${s.duration_minutes} min ·
                <span class="badge">${s.status_label}</span></p>
              ${s.report ? html`<p>Compte rendu de l'étudiant : ${s.report.done} (${s.report.minutes} min)</p>` : ""}
              ${s.status === "proposed" && s.proposed_by === "student"
                ? html`<button type="button" class="button button--small" data-session-action="confirm" data-id="${s.id}">Confirmer ce créneau</button>`
                : ""}
              ${s.status === "scheduled" && new Date(s.starts_at) <= now
                ? html`<button type="button" class="button button--small" data-session-action="held" data-id="${s.id}">Confirmer que la séance a eu lieu</button>`
                : ""}</li>`,
          )}</ul>`
        : html`<p>L'étudiant va vous proposer un créneau : en boutique pendant vos heures d'ouverture, par téléphone ou en visio.</p>`}
      <p class="field-error" id="session-error" role="alert" hidden></p>
    </section>
    <section class="card stack" aria-labelledby="messages-title">
      <h2 id="messages-title">Messages</h2>
      <p class="hint">Lus aussi par la coordination EleaSud et le référent de l'établissement de l'étudiant.</p>
      ${messages.length
        ? html`<ul class="link-list">${messages.map((m) => html`<li><strong>${m.author}</strong>, ${whenFr(m.sent_at)} : ${m.body}</li>`)}</ul>`
        : html`<p>Aucun message pour l'instant.</p>`}
      ${request.status !== "cancelled"
        ? html`<form class="form" data-message novalidate>
            <div class="field"><label for="message-body">Votre message</label>
              <textarea id="message-body" name="body" required maxlength="2000"></textarea>
              <p class="field-error" data-error-for="body" hidden></p></div>
            <button class="button button--secondary" type="submit">Envoyer</button>
          </form>`
        : ""}
    </section>`;
}

async function detail(main, id, query) {
  let request = await me("GET", `/me/help-requests/${encodeURIComponent(id)}/`);
  const draw = () =>
    mount(
      main,
      html`<nav class="back" aria-label="Fil d'Ariane"><a href="/app/aide/" data-link>← Mes demandes d'aide</a></nav>
        <header class="page-header"><h1>${request.module ? request.module.title : request.theme.name}</h1>
          <p>${statusBadge(request)}</p></header>
        ${query.get("envoyee") ? html`<p class="notice notice--success" role="status">Votre demande est envoyée. Nous vous tenons au courant ici.</p>` : ""}
        <section class="card stack" aria-labelledby="status-title">
          <h2 id="status-title">Où en est votre demande ?</h2>
          <p>${STATUS_HELP[request.status] || ""}</p>
          ${request.helper ? html`<p><strong>Votre étudiant :</strong> ${request.helper.name} (${request.helper.school})</p>` : ""}
          <dl class="facts-list">
            <dt>Thème</dt><dd>${request.theme.name}</dd>
            ${request.module ? html`<dt>Fiche</dt><dd><a href="/app/modules/${encodeURIComponent(request.module.slug)}/" data-link>${request.module.title}</a></dd>` : ""}
            <dt>Votre besoin</dt><dd>${request.message}</dd>
            ${request.availability ? html`<dt>Disponibilités</dt><dd>${request.availability}</dd>` : ""}
            <dt>Demandée le</dt><dd>${dateFr(request.created_at)}</dd>
          </dl>
          ${OPEN.has(request.status) ? html`<button type="button" class="button button--secondary" data-action="cancel">Annuler ma demande</button>` : ""}
        </section>
        ${
          request.status === "done"
            ? html`<section class="card" aria-labelledby="rate-title"><h2 id="rate-title">Votre avis</h2>${
                request.satisfaction
                  ? html`<p class="rating__thanks">Merci ! Vous avez donné ${request.satisfaction} sur 5.</p>
                      ${request.satisfaction_comment ? html`<p>« ${request.satisfaction_comment} »</p>` : ""}`
                  : ratingForm()
              }</section>`
            : ""
        }
        ${missionSections(request)}
        <div data-extensions></div>`,
    );
  draw();
  main.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-action=cancel]");
    if (!button) return;
    if (!window.confirm("Annuler cette demande d'aide ?")) return;
    busy(button, true, "Annulation…");
    request = await me("POST", `/me/help-requests/${request.id}/cancel/`);
    draw();
    announce("Demande annulée.");
  });
  const reload = async () => {
    request = await me("GET", `/me/help-requests/${request.id}/`);
    draw();
  };
  main.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-session-action]");
    if (!button) return;
    const action = button.dataset.sessionAction;
    busy(button, true, "Envoi…");
    try {
      await me("POST", `/me/help-requests/${request.id}/sessions/${button.dataset.id}/${action}/`);
      await reload();
      announce(action === "held" ? "Merci : la séance est confirmée." : "Créneau confirmé.");
    } catch (error) {
      const message = main.querySelector("#session-error");
      message.hidden = false;
      message.textContent = error.message;
      busy(button, false);
    }
  });
  main.addEventListener("submit", async (event) => {
    const form = event.target.closest("[data-message]");
    if (!form) return;
    event.preventDefault();
    clearErrors(form);
    try {
      await me("POST", `/me/help-requests/${request.id}/messages/`, { body: form.body.value.trim() });
      await reload();
      announce("Message envoyé.");
    } catch (error) {
      showErrors(form, error);
    }
  });
  main.addEventListener("submit", async (event) => {
    const form = event.target.closest("[data-rate]");
    if (!form) return;
    event.preventDefault();
    clearErrors(form);
    const data = new FormData(form);
    try {
      request = await me("POST", `/me/help-requests/${request.id}/rating/`, {
        satisfaction: Number(data.get("satisfaction")),
        comment: data.get("comment").trim(),
      });
      draw();
      announce("Merci pour votre note !");
    } catch (error) {
      showErrors(form, error);
    }
  });
  return "Ma demande d'aide";
}

export async function render(main, { mode, id, query }) {
  if (mode === "new") return create(main, query);
  if (mode === "detail") return detail(main, id, query);
  return list(main);
}
