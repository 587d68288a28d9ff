// Forgotten password: ask for a link (POST /auth/password-reset/, the same answer whether or not the address
// has an account), then choose a new password from the e-mailed link (/app/mot-de-passe/nouveau/#uid=…&token=…,
// POST /auth/password-reset/confirm/: every session ends and this device is signed in). uid and token travel in
// the fragment: never sent to the server with the page, never in a Referer.

import { api, resetPassword } from "../api.js";
import { announce, html, mount } from "../dom.js";
import { busy, clearErrors, showErrors } from "../forms.js";
import { navigate } from "../app.js";

function handle(form, label, action) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const button = form.querySelector("[type=submit]");
    busy(button, true, label);
    try {
      await action(new FormData(form));
    } catch (error) {
      showErrors(form, error);
    } finally {
      busy(button, false);
    }
  });
}

function forgotScreen(main) {
  mount(
    main,
    html`<div class="narrow"><h1>Mot de passe oublié</h1>
      <p class="lead">Indiquez l'adresse de votre compte : nous vous envoyons un lien pour choisir un nouveau mot de passe.</p>
      <form class="card form" novalidate>
        <p class="form-summary" role="alert" tabindex="-1" hidden></p>
        <div class="field">
          <label for="email">Adresse e-mail</label>
          <input id="email" name="email" type="email" autocomplete="email" required aria-describedby="email-error">
          <p class="field-error" id="email-error" data-error-for="email" hidden></p>
        </div>
        <button class="button button--block" type="submit">Recevoir le lien</button>
        <p class="switch"><a href="/app/connexion/" data-link>Retour à la connexion</a></p>
      </form></div>`,
  );
  const form = main.querySelector("form");
  handle(form, "Envoi…", async (data) => {
    const answer = await api("POST", "/auth/password-reset/", { body: { email: String(data.get("email")).trim() } });
    mount(
      form,
      html`<h2 tabindex="-1">Regardez vos e-mails</h2><p>${answer.detail}</p>
        <p>Le lien est valable une heure et ne sert qu'une fois.</p>
        <p><a href="/app/connexion/" data-link>Retour à la connexion</a></p>`,
    );
    form.querySelector("h2").focus();
  });
}

function resetScreen(main) {
  const params = new URLSearchParams(location.hash.slice(1));
  const uid = params.get("uid");
  const token = params.get("token");
  if (!uid || !token) {
    mount(main, html`<div class="narrow card"><h1>Lien incomplet</h1>
      <p>Ouvrez le lien tel qu'il figure dans l'e-mail, ou <a href="/app/mot-de-passe/oublie/" data-link>demandez-en un nouveau</a>.</p></div>`);
    return;
  }
  mount(
    main,
    html`<div class="narrow"><h1>Choisissez un nouveau mot de passe</h1>
      <form class="card form" novalidate>
        <p class="form-summary" role="alert" tabindex="-1" hidden></p>
        <div class="field">
          <label for="new_password">Nouveau mot de passe</label>
          <p class="hint" id="new_password-hint">10 caractères au moins, pas uniquement des chiffres. Tous vos appareils seront déconnectés.</p>
          <input id="new_password" name="new_password" type="password" autocomplete="new-password" required
            aria-describedby="new_password-hint new_password-error">
          <p class="field-error" id="new_password-error" data-error-for="new_password" hidden></p>
        </div>
        <button class="button button--block" type="submit">Enregistrer et me connecter</button>
      </form>
      <p class="hint"><a href="/app/mot-de-passe/oublie/" data-link>Demander un nouveau lien</a></p></div>`,
  );
  handle(main.querySelector("form"), "Enregistrement…", async (data) => {
    await resetPassword(uid, token, data.get("new_password"));
    history.replaceState(null, "", location.pathname); // the spent token leaves the address bar
    await navigate("/app/etapes/");
    announce("Mot de passe changé : vous êtes connecté.");
  });
}

export async function render(main, { mode }) {
  if (mode === "forgot") {
    forgotScreen(main);
    return "Mot de passe oublié";
  }
  resetScreen(main);
  return "Nouveau mot de passe";
}
