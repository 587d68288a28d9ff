// EleaSud reference client: a small single-page app over /api/v1/, no build step, no framework.
//
//   api.js            fetch wrapper: tokens, one refresh on 401, the error shape, the events outbox
//   dom.js            html`` templates that escape by default, announcements for screen readers
//   render-blocks.js  a module's typed JSON blocks → HTML (module page and editors' preview)
//   views/*.js        one file per screen; each exports `render(main, params)` and returns a title
//
// Routes (Django serves index.html for each of them, see config/urls.py):
//   /app/                    → next steps when signed in, the sign-in screen otherwise
//   /app/connexion/, /app/inscription/, /app/profil/, /app/etapes/, /app/progression/, /app/diagnostic/
//   /app/modules/<slug>/     → a module (public; signed-in merchants get the buttons that post events)
//   /preview/?content_type=&token=   → an editor's draft, from the Wagtail admin's "Aperçu"

import { ApiError, flushEvents, isSignedIn, logout } from "./api.js";
import { html, mount } from "./dom.js";
import { setUpPwa } from "./pwa.js";

const routes = [
  { path: /^\/app\/?$/, view: () => (isSignedIn() ? "next-steps" : "explore"), nav: "etapes", public: true },
  { path: /^\/app\/decouvrir\/?$/, view: "explore", public: true, nav: "decouvrir" },
  { path: /^\/app\/themes\/([\w-]+)\/?$/, view: "theme", public: true, keys: ["slug"], nav: "decouvrir" },
  { path: /^\/app\/installer\/?$/, view: "install", public: true },
  { path: /^\/app\/mot-de-passe\/oublie\/?$/, view: "password", public: true, params: { mode: "forgot" } },
  { path: /^\/app\/mot-de-passe\/nouveau\/?$/, view: "password", public: true, params: { mode: "reset" } },
  { path: /^\/app\/compte\/?$/, view: "account", nav: "compte" },
  { path: /^\/app\/aide\/?$/, view: "help", nav: "aide" },
  { path: /^\/app\/aide\/nouvelle\/?$/, view: "help", nav: "aide", params: { mode: "new" } },
  { path: /^\/app\/aide\/(\d+)\/?$/, view: "help", nav: "aide", keys: ["id"], params: { mode: "detail" } },
  { path: /^\/app\/connexion\/?$/, view: "auth", public: true },
  { path: /^\/app\/inscription\/?$/, view: "auth", public: true, params: { mode: "register" } },
  { path: /^\/app\/etapes\/?$/, view: "next-steps", nav: "etapes" },
  { path: /^\/app\/profil\/?$/, view: "profile", nav: "compte" },
  { path: /^\/app\/progression\/?$/, view: "progress", nav: "progression" },
  { path: /^\/app\/diagnostic\/?$/, view: "diagnostic", nav: "progression" },
  { path: /^\/app\/modules\/([\w-]+)\/?$/, view: "module", public: true, keys: ["slug"] },
  { path: /^\/preview\/?$/, view: "preview", public: true },
];

const main = document.getElementById("main");
let firstRender = true;

export function navigate(url, { replace = false } = {}) {
  history[replace ? "replaceState" : "pushState"](null, "", url);
  return render();
}

async function render() {
  const { pathname, search } = window.location;
  const route = routes.find((r) => r.path.test(pathname));
  if (!route) return mount(main, html`<h1>Page introuvable</h1><p><a href="/app/" data-link>Retour à l'accueil</a></p>`);
  const name = typeof route.view === "function" ? route.view() : route.view;
  if (!route.public && name !== "auth" && !isSignedIn()) {
    return navigate(`/app/connexion/?suite=${encodeURIComponent(pathname + search)}`, { replace: true });
  }
  const match = pathname.match(route.path);
  const params = { ...route.params, query: new URLSearchParams(search) };
  (route.keys || []).forEach((key, i) => {
    params[key] = decodeURIComponent(match[i + 1]);
  });
  updateChrome(route.nav, name);
  main.setAttribute("aria-busy", "true");
  try {
    const module = await import(`./views/${name}.js`);
    // A fresh container per screen: the listeners a view adds go away with it.
    const container = document.createElement("div");
    container.className = `view view--${name}`;
    const title = await module.render(container, params);
    main.replaceChildren(container);
    document.title = `${title ? title + " — " : ""}EleaSud`;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      return navigate(`/app/connexion/?suite=${encodeURIComponent(pathname + search)}`, { replace: true });
    }
    showError(error);
  } finally {
    main.removeAttribute("aria-busy");
  }
  // Focus the new content (not on the first load), so keyboard and screen-reader users start there.
  if (!firstRender) main.focus({ preventScroll: true });
  if (!firstRender) window.scrollTo(0, 0);
  firstRender = false;
}

function showError(error) {
  console.error(error);
  const message = error instanceof ApiError ? error.message : "Une erreur inattendue est survenue.";
  mount(main, html`<div class="panel panel--error" role="alert"><h1>Oups</h1><p>${message}</p>
    <p><button type="button" class="button" data-action="reload">Réessayer</button></p></div>`);
}

function updateChrome(active, name) {
  const signedIn = isSignedIn() && name !== "preview";
  document.getElementById("main-nav").hidden = !signedIn;
  document.getElementById("signout").hidden = !signedIn;
  document.getElementById("signin").hidden = isSignedIn() || name === "auth" || name === "preview";
  document.body.classList.toggle("has-tabbar", signedIn);
  document.querySelectorAll("[data-nav]").forEach((link) => {
    if (link.dataset.nav === active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  });
}

// In-app links: <a href="/app/…" data-link> changes the view without reloading the page.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-link]");
  if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey && event.button === 0) {
    event.preventDefault();
    navigate(link.getAttribute("href"));
  }
  if (event.target.closest("[data-action=reload]")) render();
});

document.getElementById("signout").addEventListener("click", async () => {
  await logout();
  navigate("/app/connexion/");
});

window.addEventListener("popstate", render);
render();
setUpPwa();
if (isSignedIn()) flushEvents().catch(() => {}); // events left over from a previous visit
