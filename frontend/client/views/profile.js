// The profile in two minutes: a form built from GET /taxonomy/ (slugs are checked by the API against the
// live CMS, so a sector editors add appears here without a client release), saved with PUT /me/profile/.

import { get, me } from "../api.js";
import { announce, html, mount } from "../dom.js";
import { busy, clearErrors, showErrors } from "../forms.js";
import { navigate } from "../app.js";

const errorSlot = (name) => html`<p class="field-error" id="${name}-error" data-error-for="${name}" hidden></p>`;

function checkboxes(name, terms, selected) {
  return terms.map(
    (term) => html`<label class="pill"><input type="checkbox" name="${name}" value="${term.slug}"
      ${selected.includes(term.slug) ? "checked" : ""}><span>${term.name}</span></label>`,
  );
}

export async function render(main, { query }) {
  const [taxonomy, profile] = await Promise.all([get("/taxonomy/"), me("GET", "/me/profile/")]);
  const welcome = query.get("bienvenue") === "1";
  const themes = [...taxonomy.themes, { slug: null, name: "Autres outils" }];
  const byTheme = themes
    .map((theme) => ({ theme, capabilities: taxonomy.capabilities.filter((c) => c.theme === theme.slug) }))
    .filter((group) => group.capabilities.length);

  mount(
    main,
    html`<header class="page-header">
        ${welcome ? html`<p class="eyebrow">Bienvenue !</p>` : ""}
        <h1>${welcome ? "Parlez-nous de votre commerce" : "Mon profil"}</h1>
        <p class="lead">Deux minutes suffisent. Ces réponses servent à vous proposer les étapes qui vous
          conviennent ; vous pourrez les changer à tout moment.</p>
      </header>
      <form class="form stack" novalidate>
        <p class="form-summary" role="alert" tabindex="-1" hidden></p>
        <section class="card stack">
          <h2>Votre commerce</h2>
          <div class="field">
            <label for="business_name">Nom du commerce <span class="optional">(facultatif)</span></label>
            <input id="business_name" name="business_name" maxlength="160" autocomplete="organization"
              value="${profile.business_name}" aria-describedby="business_name-error">
            ${errorSlot("business_name")}
          </div>
          <div class="field">
            <label for="sector">Secteur d'activité</label>
            <select id="sector" name="sector" aria-describedby="sector-error">
              <option value="">— Choisissez —</option>
              ${taxonomy.sectors.map(
                (s) => html`<option value="${s.slug}" ${s.slug === profile.sector ? "selected" : ""}>${s.name}</option>`,
              )}
            </select>
            ${errorSlot("sector")}
          </div>
          <fieldset class="field" aria-describedby="size_band-error">
            <legend>Combien de personnes travaillent dans le commerce, vous compris ?</legend>
            <div class="segmented">
              ${taxonomy.size_bands.map(
                (band) => html`<label><input type="radio" name="size_band" value="${band.slug}"
                  ${band.slug === profile.size_band ? "checked" : ""}><span>${band.name}</span></label>`,
              )}
            </div>
            ${errorSlot("size_band")}
          </fieldset>
          <div class="field field--short">
            <label for="postcode">Code postal du commerce</label>
            <input id="postcode" name="postcode" inputmode="numeric" autocomplete="postal-code" maxlength="5"
              value="${profile.postcode}" placeholder="13001" aria-describedby="postcode-error">
            ${errorSlot("postcode")}
          </div>
        </section>

        <section class="card stack">
          <h2>Ce que vous avez déjà</h2>
          <p class="hint">Cochez les outils que votre commerce utilise aujourd'hui.</p>
          ${byTheme.map(
            ({ theme, capabilities }) => html`<fieldset class="field">
              <legend class="legend-small">${theme.name}</legend>
              <div class="pills">${checkboxes("capabilities", capabilities, profile.capabilities)}</div>
            </fieldset>`,
          )}
          ${errorSlot("capabilities")}
        </section>

        <section class="card stack">
          <h2>Ce que vous voulez</h2>
          <fieldset class="field">
            <legend class="visually-hidden">Vos objectifs</legend>
            <div class="pills">${checkboxes("goals", taxonomy.goals, profile.goals)}</div>
          </fieldset>
          ${errorSlot("goals")}
        </section>

        <section class="card">
          <label class="consent">
            <input type="checkbox" name="personalisation_consent" ${profile.personalisation_consent ? "checked" : ""}
              aria-describedby="consent-help personalisation_consent-error">
            <span><strong>Personnaliser mes suggestions</strong>
              <span class="hint" id="consent-help">Nous utilisons les fiches que vous ouvrez, terminez ou écartez
                pour mieux choisir les suivantes. Sans votre accord, vous voyez les fiches les plus suivies.</span></span>
          </label>
          ${errorSlot("personalisation_consent")}
          <p class="hint" id="statistics-notice">Statistiques de l'agence : avec ou sans cet accord, votre secteur,
            votre code postal, votre taille, vos autodiagnostics et les fiches suivies entrent, sans votre nom, dans
            des chiffres d'ensemble (par secteur et par quartier) ; aucun chiffre portant sur moins de 10 commerces
            n'est publié. Si vous supprimez votre compte, ces données restent comptées, anonymisées.</p>
        </section>

        <div class="form-actions">
          <button class="button" type="submit">${welcome ? "Voir mes prochaines étapes" : "Enregistrer"}</button>
        </div>
      </form>`,
  );

  const form = main.querySelector("form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const data = new FormData(form);
    const body = {
      business_name: data.get("business_name").trim(),
      sector: data.get("sector") || null,
      size_band: data.get("size_band") || "",
      postcode: data.get("postcode").trim(),
      capabilities: data.getAll("capabilities"),
      goals: data.getAll("goals"),
      personalisation_consent: data.has("personalisation_consent"),
    };
    const button = form.querySelector("[type=submit]");
    busy(button, true, "Enregistrement…");
    try {
      await me("PUT", "/me/profile/", body);
      busy(button, false);
      if (welcome) return navigate("/app/etapes/");
      announce("Profil enregistré.");
      button.insertAdjacentHTML("afterend", '<span class="saved" aria-hidden="true">✓ Enregistré</span>');
      setTimeout(() => form.querySelector(".saved")?.remove(), 2500);
    } catch (error) {
      busy(button, false);
      showErrors(form, error);
    }
  });
  return welcome ? "Votre commerce" : "Mon profil";
}
