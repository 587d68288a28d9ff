// The students' and school referents' space: sign in, the missions one may see, and on a mission what one's
// role may do (a student: accept or decline, propose sessions, confirm the merchant's, write reports, mark it
// done; a referent: read, validate the hours, download the certificate). Everyone writes in the thread.
//
// Tokens as in the merchants' app: the access token in memory only, the refresh token in localStorage (this
// page loads no third-party script and escapes everything it inserts; strict CSP). Escaping: dom.js `html`.

import { announce, html, mount } from "/static/client/dom.js";

const BASE = "/api/v1/espace";
const REFRESH_KEY = "eleasud.espace.refresh";
const main = document.getElementById("main");
const signout = document.getElementById("signout");
let access = null;
let me = null;

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || "Le service ne répond pas comme prévu. Réessayez dans un instant.");
    this.status = status;
    this.fields = body?.error?.fields || {};
  }
}

async function send(method, path, body, { raw = false } = {}) {
  const headers = { Accept: raw ? "application/pdf, application/json" : "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (access) headers.Authorization = `Bearer ${access}`;
  let response;
  try {
    response = await fetch(BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
    });
  } catch {
    throw new ApiError(0, { error: { message: "Pas de connexion. Vérifiez votre réseau." } });
  }
  if (response.ok && raw) return response.blob();
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

async function refresh() {
  const token = localStorage.getItem(REFRESH_KEY);
  if (!token) throw new ApiError(401, null);
  access = null;
  try {
    keep(await send("POST", "/auth/refresh/", { refresh: token }));
  } catch (error) {
    if (error.status === 401) localStorage.removeItem(REFRESH_KEY);
    throw error;
  }
}

function keep(pair) {
  access = pair.access;
  localStorage.setItem(REFRESH_KEY, pair.refresh);
}

/** An authenticated call: refreshes the access token once on a 401. */
async function api(method, path, body, options) {
  if (!access) await refresh();
  try {
    return await send(method, path, body, options);
  } catch (error) {
    if (error.status !== 401) throw error;
    await refresh();
    return send(method, path, body, options);
  }
}

// --- Views ---------------------------------------------------------------------------------------

function go(path) {
  history.pushState({}, "", path);
  route();
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-link]");
  if (!link || event.metaKey || event.ctrlKey) return;
  event.preventDefault();
  go(link.getAttribute("href"));
});
window.addEventListener("popstate", route);
signout.addEventListener("click", async () => {
  try {
    await api("POST", "/auth/logout/");
  } catch {
    /* signed out locally anyway */
  }
  access = null;
  me = null;
  localStorage.removeItem(REFRESH_KEY);
  go("/espace/");
});

function showLogin(message = "") {
  signout.hidden = true;
  document.title = "Connexion — Espace missions EleaSud";
  mount(
    main,
    html`<section class="narrow">
      <h1>Espace étudiants et référents</h1>
      <p class="lead">Connectez-vous avec le compte que votre établissement ou la coordination EleaSud vous a donné.</p>
      ${message ? html`<p class="notice" role="alert">${message}</p>` : ""}
      <form class="form" id="login" novalidate>
        <div class="field"><label for="email">Adresse e-mail</label>
          <input id="email" name="email" type="email" autocomplete="username" required></div>
        <div class="field"><label for="password">Mot de passe</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required></div>
        <p class="field-error" id="login-error" role="alert" hidden></p>
        <div class="form-actions"><button class="button" type="submit">Se connecter</button></div>
      </form>
    </section>`,
  );
  document.getElementById("login").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const error = document.getElementById("login-error");
    try {
      keep(await send("POST", "/auth/login/", { email: form.email.value, password: form.password.value }));
      go("/espace/");
    } catch (failure) {
      error.hidden = false;
      error.textContent = failure.message;
    }
  });
}

const when = (iso) =>
  new Date(iso).toLocaleString("fr-FR", { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" });

async function showList() {
  const page = await api("GET", "/missions/");
  document.title = "Mes missions — Espace missions EleaSud";
  const student = me.role === "student";
  mount(
    main,
    html`<section>
      <h1>${student ? "Mes missions" : `Les missions des élèves — ${me.school}`}</h1>
      <p class="lead">Bonjour ${me.name}.</p>
      ${page.results.length
        ? html`<ul class="mission-list">${page.results.map(
            (m) => html`<li class="card">
              <h2><a href="/espace/missions/${m.id}/" data-link>${m.theme.name} — ${m.trade || "Commerce"}${m.arrondissement ? `, ${m.arrondissement}` : ""}</a></h2>
              <p><span class="badge">${m.status_label}</span>${student ? "" : html` · ${m.student.first_name} ${m.student.last_name}`}</p>
            </li>`,
          )}</ul>`
        : html`<p class="empty">${student ? "Aucune mission ne vous est proposée pour le moment." : "Aucune mission pour vos élèves."}</p>`}
    </section>`,
  );
}

function sessionView(mission, session) {
  const student = me.role === "student";
  const started = new Date(session.starts_at) <= new Date();
  const report = session.report;
  return html`<li class="session" id="session-${session.id}">
    <h3>${when(session.starts_at)} — ${session.mode_label}</h3>
    <p>Durée prévue : ${session.duration_minutes} min · <span class="badge">${session.status_label}</span>${session.merchant_confirmed_at ? " · confirmée par le commerçant" : ""}</p>
    ${report
      ? html`<p><strong>Compte rendu :</strong> ${report.done} (${report.minutes} min)${report.next_step ? html`<br><strong>Prochaine étape :</strong> ${report.next_step}` : ""}</p>`
      : ""}
    ${student && session.status === "proposed" && session.proposed_by === "merchant"
      ? html`<button class="button button--small" data-action="confirm" data-session="${session.id}">Confirmer ce créneau</button>`
      : ""}
    ${student && session.status === "scheduled" && started && !report
      ? html`<form class="form report" data-session="${session.id}">
          <h4>Compte rendu de la séance</h4>
          <div class="field"><label for="done-${session.id}">Ce qui a été mis en place</label>
            <textarea id="done-${session.id}" name="done" required maxlength="2000"></textarea>
            <p class="hint">Sans nommer le commerçant ni son commerce : ce texte figure sur votre attestation.</p></div>
          <div class="field field--short"><label for="minutes-${session.id}">Temps passé (minutes)</label>
            <input id="minutes-${session.id}" name="minutes" type="number" min="5" max="480" required></div>
          <div class="field"><label for="next-${session.id}">Prochaine étape</label>
            <input id="next-${session.id}" name="next_step" maxlength="1000"></div>
          <button class="button" type="submit">Envoyer le compte rendu</button>
        </form>`
      : ""}
  </li>`;
}

async function showMission(id) {
  const mission = await api("GET", `/missions/${id}/`);
  const student = me.role === "student";
  document.title = `${mission.theme.name} — Espace missions EleaSud`;
  const active = ["matched", "in_progress"].includes(mission.status);
  const contact = mission.merchant_contact;
  mount(
    main,
    html`<section>
      <p><a class="back" href="/espace/" data-link>← Toutes les missions</a></p>
      <h1>${mission.theme.name} — ${mission.trade || "Commerce"}${mission.arrondissement ? `, ${mission.arrondissement}` : ""}</h1>
      <p><span class="badge" id="status">${mission.status_label}</span>${student ? "" : html` · ${mission.student.first_name} ${mission.student.last_name}`}</p>
      <h2>Le besoin</h2>
      <p>${mission.need || "—"}</p>
      <ul class="facts-inline">
        <li>Quand : ${mission.availability || "—"}</li>
        <li>Comment : ${mission.preferred_mode_label}${mission.opening_hours ? ` (ouvert ${mission.opening_hours})` : ""}</li>
        <li>Heures : ${mission.hours.reported_hours} h déclarées, dont ${mission.hours.confirmed_hours} h confirmées par le commerçant${mission.hours_validated_at ? " · validées par le référent" : ""}</li>
        ${mission.satisfaction ? html`<li>Note du commerçant : ${mission.satisfaction}/5</li>` : ""}
      </ul>
      ${contact
        ? html`<div class="contact"><h2>Coordonnées partagées par le commerçant</h2>
            <p>${contact.name || ""} ${contact.phone ? html`· ${contact.phone}` : ""} ${contact.email ? html`· ${contact.email}` : ""}<br>${contact.address || ""}</p>
            <p class="hint">Visibles pendant la mission seulement. Écrivez de préférence par la messagerie ci-dessous.</p></div>`
        : ""}
      <p class="field-error" id="action-error" role="alert" hidden></p>
      <div class="action-bar">
        ${student && mission.status === "proposed"
          ? html`<button class="button" data-action="accept">Accepter la mission</button>
                 <button class="button button--secondary" data-action="decline">Décliner</button>`
          : ""}
        ${student && mission.status === "in_progress" ? html`<button class="button button--done" data-action="done">Marquer la mission comme terminée</button>` : ""}
        ${!student && mission.status === "done" && !mission.hours_validated_at ? html`<button class="button" data-action="validate">Valider les heures</button>` : ""}
        ${mission.status === "done" ? html`<button class="button button--secondary" data-action="certificate">Télécharger l'attestation (PDF)</button>` : ""}
      </div>
      <h2>Séances</h2>
      ${mission.sessions.length ? html`<ul class="mission-list">${mission.sessions.map((s) => sessionView(mission, s))}</ul>` : html`<p class="empty">Aucune séance pour l'instant.</p>`}
      ${student && active
        ? html`<form class="form" id="propose">
            <h3>Proposer une séance</h3>
            <p class="hint">En boutique, pendant les heures d'ouverture du commerce ; sinon par téléphone ou en visio. Le commerçant confirme le créneau.</p>
            <div class="field"><label for="starts_at">Date et heure</label><input id="starts_at" name="starts_at" type="datetime-local" required></div>
            <div class="field"><label for="mode">Modalité</label>
              <select id="mode" name="mode"><option value="in_shop">En boutique</option><option value="phone">Par téléphone</option><option value="video">En visio</option></select></div>
            <div class="field field--short"><label for="duration">Durée (minutes)</label><input id="duration" name="duration_minutes" type="number" min="15" max="240" value="60"></div>
            <button class="button" type="submit">Proposer ce créneau</button>
          </form>`
        : ""}
      <h2>Messages</h2>
      <p class="hint">Lus par le commerçant, la coordination EleaSud et le référent de l'établissement.</p>
      ${mission.messages.length
        ? html`<ul class="thread">${mission.messages.map((m) => html`<li class="${m.mine ? "mine" : ""}"><strong>${m.author}</strong>, ${when(m.sent_at)} : ${m.body}</li>`)}</ul>`
        : html`<p class="empty">Aucun message.</p>`}
      ${mission.status !== "cancelled"
        ? html`<form class="form" id="message"><div class="field"><label for="body">Votre message</label>
            <textarea id="body" name="body" required maxlength="2000"></textarea></div>
            <button class="button button--secondary" type="submit">Envoyer</button></form>`
        : ""}
    </section>`,
  );
  wire(mission);
}

function wire(mission) {
  const error = document.getElementById("action-error");
  const run = async (call, done) => {
    error.hidden = true;
    try {
      const result = await call();
      if (done) await done(result);
      else await showMission(mission.id);
    } catch (failure) {
      error.hidden = false;
      error.textContent = failure.message;
    }
  };
  main.querySelectorAll("[data-action]").forEach((button) =>
    button.addEventListener("click", () => {
      const action = button.dataset.action;
      const session = button.dataset.session;
      if (action === "accept") run(() => api("POST", `/missions/${mission.id}/accept/`), () => { announce("Mission acceptée."); return showMission(mission.id); });
      if (action === "decline") run(() => api("POST", `/missions/${mission.id}/decline/`, {}), () => go("/espace/"));
      if (action === "done") run(() => api("POST", `/missions/${mission.id}/done/`));
      if (action === "validate") run(() => api("POST", `/missions/${mission.id}/validate-hours/`), () => { announce("Heures validées."); return showMission(mission.id); });
      if (action === "confirm") run(() => api("POST", `/missions/${mission.id}/sessions/${session}/confirm/`));
      if (action === "certificate")
        run(
          () => api("GET", `/missions/${mission.id}/certificate/`, undefined, { raw: true }),
          (blob) => {
            const link = document.createElement("a");
            link.href = URL.createObjectURL(blob);
            link.download = `attestation-mission-${mission.id}.pdf`;
            document.body.append(link);
            link.click();
            link.remove();
            announce("Attestation téléchargée.");
          },
        );
    }),
  );
  const propose = document.getElementById("propose");
  propose?.addEventListener("submit", (event) => {
    event.preventDefault();
    const startsAt = new Date(propose.starts_at.value);
    run(() =>
      api("POST", `/missions/${mission.id}/sessions/`, {
        starts_at: startsAt.toISOString(),
        mode: propose.mode.value,
        duration_minutes: Number(propose.duration_minutes.value || 60),
      }),
    );
  });
  main.querySelectorAll("form.report").forEach((form) =>
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      run(() =>
        api("POST", `/missions/${mission.id}/sessions/${form.dataset.session}/report/`, {
          done: form.done.value,
          minutes: Number(form.minutes.value),
          next_step: form.next_step.value,
        }),
      );
    }),
  );
  const message = document.getElementById("message");
  message?.addEventListener("submit", (event) => {
    event.preventDefault();
    run(() => api("POST", `/missions/${mission.id}/messages/`, { body: message.body.value }));
  });
}

async function route() {
  try {
    if (!me) me = await api("GET", "/me/");
  } catch (error) {
    if (error.status === 401 || error.status === 403) return showLogin();
    return mount(main, html`<p class="notice" role="alert">${error.message}</p>`);
  }
  signout.hidden = false;
  const match = location.pathname.match(/^\/espace\/missions\/(\d+)\/?$/);
  try {
    if (match) await showMission(match[1]);
    else await showList();
    main.focus();
  } catch (error) {
    if (error.status === 401) return showLogin("Votre session a expiré : reconnectez-vous.");
    mount(main, html`<p class="notice" role="alert">${error.message}</p>`);
  }
}

route();
