// My account: consent on/off (PATCH /me/profile/), password change (POST /auth/password/), my data as a
// file (GET /me/export/), sign out of every device (POST /auth/logout/ {everywhere}), and erasure
// (DELETE /me/ with the password asked again).

import { changePassword, deleteAccount, logout, me } from "../api.js";
import { announce, html, mount } from "../dom.js";
import { busy, clearErrors, showErrors } from "../forms.js";
import { navigate } from "../app.js";

const field = (name, label, autocomplete, hint) => html`<div class="field">
  <label for="${name}">${label}</label>
  ${hint ? html`<p class="hint" id="${name}-hint">${hint}</p>` : ""}
  <input id="${name}" name="${name}" type="password" autocomplete="${autocomplete}" required
    aria-describedby="${hint ? `${name}-hint ` : ""}${name}-error">
  <p class="field-error" id="${name}-error" data-error-for="${name}" hidden></p>
</div>`;

function onSubmit(form, label, action) {
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

export async function render(main) {
  const [account, profile] = await Promise.all([me("GET", "/me/"), me("GET", "/me/profile/")]);
  mount(
    main,
    html`<header class="page-header"><h1>Mon compte</h1>
        <p class="lead">Connecté avec <strong>${account.email}</strong>.</p></header>
      <div class="stack">
        <section class="card" aria-labelledby="shop-title">
          <h2 id="shop-title">Mon commerce</h2>
          <p>Secteur, taille, outils déjà en place : ce qui sert à choisir vos prochaines étapes.</p>
          <p class="link-row"><a class="button button--secondary" href="/app/profil/" data-link>Modifier mon profil</a>
            <a href="/app/diagnostic/" data-link>Refaire le diagnostic</a></p>
        </section>

        <section class="card" aria-labelledby="consent-title">
          <h2 id="consent-title">Personnalisation</h2>
          <label class="consent">
            <input type="checkbox" name="consent" ${profile.personalisation_consent ? "checked" : ""} aria-describedby="consent-explained">
            <span><strong>Personnaliser mes suggestions</strong>
              <span class="hint" id="consent-explained">Avec votre accord, nous utilisons les fiches que vous ouvrez,
                terminez ou écartez pour mieux choisir les suivantes. Sans accord, vous voyez les fiches les plus
                suivies par les commerçants. Vous pouvez changer d'avis à tout moment : cela prend effet tout de suite.</span></span>
          </label>
          <p class="saved" data-consent-status aria-hidden="true"></p>
        </section>

        <section class="card" aria-labelledby="password-title">
          <h2 id="password-title">Mot de passe</h2>
          <form class="form" novalidate data-password>
            <p class="form-summary" role="alert" tabindex="-1" hidden></p>
            ${field("current_password", "Mot de passe actuel", "current-password")}
            ${field("new_password", "Nouveau mot de passe", "new-password", "10 caractères au moins, pas uniquement des chiffres. Vos autres appareils seront déconnectés.")}
            <button class="button" type="submit">Changer mon mot de passe</button>
          </form>
        </section>

        <section class="card" aria-labelledby="data-title">
          <h2 id="data-title">Mes données</h2>
          <p>Tout ce que nous gardons sur vous, dans un fichier (format JSON) : compte, profil, diagnostics,
            activité, demandes d'aide.</p>
          <button type="button" class="button button--secondary" data-action="export">Télécharger mes données</button>
        </section>

        <section class="card" aria-labelledby="devices-title">
          <h2 id="devices-title">Mes appareils</h2>
          <p>Un téléphone perdu, une tablette partagée ? Déconnectez tous les appareils, celui-ci compris.</p>
          <button type="button" class="button button--secondary" data-action="everywhere">Me déconnecter de tous les appareils</button>
        </section>

        <section class="card danger" aria-labelledby="delete-title">
          <h2 id="delete-title">Supprimer mon compte</h2>
          <p>Votre compte, votre profil, vos diagnostics et vos demandes d'aide seront effacés
            <strong>définitivement</strong>. Votre activité sur les fiches est gardée sans aucun lien avec vous,
            pour les statistiques. Pensez à télécharger vos données avant.</p>
          <form class="form" novalidate data-delete>
            <p class="form-summary" role="alert" tabindex="-1" hidden></p>
            ${field("password", "Confirmez avec votre mot de passe", "current-password")}
            <button class="button button--danger" type="submit">Supprimer définitivement mon compte</button>
          </form>
        </section>
      </div>`,
  );

  main.querySelector("[name=consent]").addEventListener("change", async (event) => {
    const box = event.target;
    box.disabled = true;
    try {
      await me("PATCH", "/me/profile/", { personalisation_consent: box.checked });
      const text = box.checked ? "Personnalisation activée." : "Personnalisation désactivée.";
      main.querySelector("[data-consent-status]").textContent = `✓ ${text}`;
      announce(text);
    } catch {
      box.checked = !box.checked;
      announce("Impossible d'enregistrer ce choix pour l'instant. Réessayez.");
    } finally {
      box.disabled = false;
    }
  });

  const passwordForm = main.querySelector("[data-password]");
  onSubmit(passwordForm, "Enregistrement…", async (data) => {
    await changePassword(data.get("current_password"), data.get("new_password"));
    passwordForm.reset();
    announce("Mot de passe changé. Vos autres appareils sont déconnectés.");
    passwordForm.querySelector(".form-summary").hidden = true;
    passwordForm.insertAdjacentHTML("beforeend", '<p class="saved" role="status">✓ Mot de passe changé. Vos autres appareils sont déconnectés.</p>');
  });

  main.querySelector("[data-action=export]").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    busy(button, true, "Préparation…");
    try {
      const data = await me("GET", "/me/export/");
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
      const link = Object.assign(document.createElement("a"), { href: url, download: "eleasud-mes-donnees.json" });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      announce("Fichier téléchargé.");
    } finally {
      busy(button, false);
    }
  });

  main.querySelector("[data-action=everywhere]").addEventListener("click", async () => {
    await logout({ everywhere: true });
    navigate("/app/connexion/?deconnecte=partout");
  });

  onSubmit(main.querySelector("[data-delete]"), "Suppression…", async (data) => {
    await deleteAccount(data.get("password"));
    navigate("/app/?compte=supprime");
  });
  return "Mon compte";
}
