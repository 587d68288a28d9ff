// Sign in / sign up: POST /auth/login/ or /auth/register/, then on to the profile (new account) or to
// where the merchant was going.

import { login, register } from "../api.js";
import { html, mount } from "../dom.js";
import { busy, clearErrors, showErrors } from "../forms.js";
import { navigate } from "../app.js";

export async function render(main, { mode, query }) {
  const signUp = mode === "register";
  const next = query.get("suite");
  const safeNext = next && next.startsWith("/app/") ? next : "/app/etapes/";
  mount(
    main,
    html`<div class="auth">
      <section class="hero">
        <p class="eyebrow">Marseille · commerçants, artisans, restaurateurs</p>
        <h1>${signUp ? "Créez votre espace" : "Le numérique, pas à pas"}</h1>
        <p class="lead">Des fiches courtes et concrètes pour faire avancer votre commerce : être trouvé sur
          internet, faire revenir vos clients, vendre en ligne, vous protéger.</p>
      </section>
      <form class="card form" novalidate>
        <h2>${signUp ? "Créer un compte" : "Se connecter"}</h2>
        ${query.get("deconnecte") === "partout" ? html`<p class="notice notice--success" role="status">Vous êtes déconnecté de tous vos appareils.</p>` : ""}
        <p class="form-summary" role="alert" tabindex="-1" hidden></p>
        <div class="field">
          <label for="email">Adresse e-mail</label>
          <input id="email" name="email" type="email" autocomplete="email" required aria-describedby="email-error">
          <p class="field-error" id="email-error" data-error-for="email" hidden></p>
        </div>
        <div class="field">
          <label for="password">Mot de passe</label>
          ${signUp ? html`<p class="hint" id="password-hint">10 caractères au moins, pas uniquement des chiffres.</p>` : ""}
          <input id="password" name="password" type="password" required
            autocomplete="${signUp ? "new-password" : "current-password"}"
            aria-describedby="${signUp ? "password-hint " : ""}password-error">
          <p class="field-error" id="password-error" data-error-for="password" hidden></p>
        </div>
        ${signUp ? "" : html`<p class="forgot"><a href="/app/mot-de-passe/oublie/" data-link>Mot de passe oublié ?</a></p>`}
        <button class="button button--block" type="submit">${signUp ? "Créer mon compte" : "Me connecter"}</button>
        <p class="switch">${
          signUp
            ? html`Déjà un compte ? <a href="/app/connexion/" data-link>Se connecter</a>`
            : html`Première visite ? <a href="/app/inscription/" data-link>Créer un compte</a>`
        }</p>
      </form>
    </div>`,
  );
  const form = main.querySelector("form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const button = form.querySelector("[type=submit]");
    busy(button, true, signUp ? "Création…" : "Connexion…");
    try {
      if (signUp) {
        await register(form.email.value.trim(), form.password.value);
        navigate("/app/profil/?bienvenue=1");
      } else {
        await login(form.email.value.trim(), form.password.value);
        navigate(safeNext);
      }
    } catch (error) {
      busy(button, false);
      showErrors(form, error);
    }
  });
  return signUp ? "Créer un compte" : "Connexion";
}
