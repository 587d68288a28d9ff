// Installing the app: the browser's own prompt where it offers one (Chrome, Edge, Samsung Internet on
// Android; Chrome and Edge on a computer), and the steps for an iPhone or iPad, where Safari has no prompt.

import { html, mount } from "../dom.js";
import { canInstall, promptInstall } from "../pwa.js";

export async function render(main) {
  mount(
    main,
    html`<header class="page-header"><h1>Installer l'application</h1>
        <p class="lead">EleaSud s'installe sur l'écran d'accueil comme une application : elle s'ouvre en plein écran,
          et les fiches déjà ouvertes restent lisibles sans connexion.</p></header>
      <div class="stack">
        <section class="card" aria-labelledby="android-title">
          <h2 id="android-title">Sur Android ou sur un ordinateur</h2>
          <p data-install-ready ${canInstall() ? "" : "hidden"}>
            <button type="button" class="button" data-action="install">Installer l'application</button></p>
          <p>Sinon, ouvrez le menu du navigateur (⋮) et choisissez « Installer l'application » ou « Ajouter à l'écran d'accueil ».</p>
        </section>
        <section class="card" aria-labelledby="iphone-title">
          <h2 id="iphone-title">Sur iPhone ou iPad (Safari)</h2>
          <ol class="steps-list">
            <li>Ouvrez EleaSud dans <strong>Safari</strong>.</li>
            <li>Touchez le bouton <strong>Partager</strong> (le carré avec une flèche vers le haut), en bas de l'écran.</li>
            <li>Faites défiler et touchez <strong>Sur l'écran d'accueil</strong>.</li>
            <li>Touchez <strong>Ajouter</strong> : l'icône EleaSud apparaît avec vos autres applications.</li>
          </ol>
        </section>
      </div>`,
  );
  main.querySelector("[data-action=install]").addEventListener("click", () => promptInstall());
  return "Installer l'application";
}
