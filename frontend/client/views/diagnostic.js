// The self-diagnostic: the questionnaire from GET /diagnostic/ (authored in the CMS), answers sent with
// POST /me/diagnostic/, scores per theme and the maturity band shown back. Answer scores stay on the server.

import { get, me } from "../api.js";
import { html, mount } from "../dom.js";
import { busy, clearErrors, showErrors } from "../forms.js";

function question(q, number) {
  const type = q.kind === "multiple" ? "checkbox" : "radio";
  const field = `answers.${q.slug}`; // the key the API uses in error.fields
  return html`<fieldset class="question" aria-describedby="${q.help_text ? `help-${q.slug} ` : ""}err-${q.slug}">
    <legend><span class="question__number">${number}.</span> ${q.text}</legend>
    ${q.help_text ? html`<p class="hint" id="help-${q.slug}">${q.help_text}</p>` : ""}
    ${q.kind === "multiple" ? html`<p class="hint">Plusieurs réponses possibles.</p>` : ""}
    <div class="choices">${q.answers.map(
      (a) => html`<label class="choice"><input type="${type}" name="${field}" value="${a.slug}"><span>${a.label}</span></label>`,
    )}</div>
    <p class="field-error" id="err-${q.slug}" data-error-for="${field}" hidden></p>
  </fieldset>`;
}

function results(result, questionnaire, themes) {
  const band = questionnaire.bands.find((b) => b.slug === result.band.slug);
  return html`<section class="card result" aria-labelledby="result-title">
    <p class="eyebrow">Votre résultat</p>
    <h2 id="result-title">${result.band.label} · ${result.overall_score}/100</h2>
    ${band?.message ? html`<p>${band.message}</p>` : ""}
    ${(result.warnings || []).map(
      (w) => html`<aside class="callout callout--warning" role="note"><p class="callout__title">${w.title}</p>
        <p>${w.message}</p>
        ${w.module ? html`<p><a href="/app/modules/${encodeURIComponent(w.module)}/" data-link>Ce qu'il faut faire</a></p>` : ""}</aside>`,
    )}
    <ul class="scores" role="list">${Object.entries(result.theme_scores).map(
      ([slug, score]) => html`<li class="meter-row">
        <label for="score-${slug}">${themes[slug] || slug} <strong>${score}/100</strong></label>
        <meter id="score-${slug}" min="0" max="100" low="35" high="65" optimum="100" value="${score}">${score}/100</meter></li>`,
    )}</ul>
    <p><a class="button" href="/app/etapes/" data-link>Voir mes prochaines étapes</a></p>
  </section>`;
}

export async function render(main) {
  const [questionnaire, taxonomy] = await Promise.all([get("/diagnostic/"), get("/taxonomy/")]);
  const themes = Object.fromEntries(taxonomy.themes.map((t) => [t.slug, t.name]));
  const groups = taxonomy.themes
    .map((t) => ({ theme: t, questions: questionnaire.questions.filter((q) => q.theme === t.slug) }))
    .filter((g) => g.questions.length);
  const known = new Set(taxonomy.themes.map((t) => t.slug));
  const others = questionnaire.questions.filter((q) => !known.has(q.theme));
  if (others.length) groups.push({ theme: { name: "Autres questions" }, questions: others });
  let number = 0;
  mount(
    main,
    html`<header class="page-header">
        <h1>${questionnaire.title}</h1>
        ${questionnaire.intro ? html`<p class="lead">${questionnaire.intro}</p>` : ""}
      </header>
      <div data-result></div>
      <form class="form stack" novalidate>
        <p class="form-summary" role="alert" tabindex="-1" hidden></p>
        ${groups.map(
          (g) => html`<section class="card stack"><h2>${g.theme.name}</h2>
            ${g.questions.map((q) => question(q, ++number))}</section>`,
        )}
        <div class="form-actions"><button class="button" type="submit">Voir mon résultat</button></div>
      </form>`,
  );
  const form = main.querySelector("form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const data = new FormData(form);
    const answers = Object.fromEntries(questionnaire.questions.map((q) => [q.slug, data.getAll(`answers.${q.slug}`)]));
    const button = form.querySelector("[type=submit]");
    busy(button, true, "Calcul…");
    try {
      const result = await me("POST", "/me/diagnostic/", { questionnaire: questionnaire.slug, answers });
      const slot = main.querySelector("[data-result]");
      mount(slot, results(result, questionnaire, themes));
      form.hidden = true;
      slot.querySelector("h2").setAttribute("tabindex", "-1");
      slot.querySelector("h2").focus();
      window.scrollTo(0, 0);
    } catch (error) {
      showErrors(form, error, { one: "Une question attend votre réponse.", many: "questions attendent votre réponse." });
    } finally {
      busy(button, false);
    }
  });
  return "Diagnostic";
}
