// The installable app: the service worker (/app/sw.js, scope /app/), the browser's install prompt where it
// offers one (beforeinstallprompt: Chromium on Android and desktop), and the offline banner that says what
// will be sent later.

import { isOffline, pendingEvents } from "./api.js";

let deferredPrompt = null;

export const canInstall = () => Boolean(deferredPrompt);

export async function promptInstall() {
  if (!deferredPrompt) return false;
  deferredPrompt.prompt();
  const { outcome } = await deferredPrompt.userChoice;
  deferredPrompt = null;
  document.getElementById("install")?.setAttribute("hidden", "");
  return outcome === "accepted";
}

export async function updateOfflineBanner() {
  const banner = document.getElementById("offline-banner");
  if (!banner) return;
  const pending = await pendingEvents().catch(() => 0);
  const offline = isOffline();
  if (!offline && !pending) {
    banner.hidden = true;
    banner.textContent = "";
    return;
  }
  const queued = pending
    ? ` ${pending} action${pending > 1 ? "s" : ""} (étapes, notes…) ${pending > 1 ? "seront envoyées" : "sera envoyée"} au retour du réseau.`
    : "";
  banner.textContent = offline
    ? `Vous êtes hors connexion. Les fiches déjà ouvertes restent lisibles.${queued}`
    : `Envoi en attente :${queued}`;
  banner.hidden = false;
}

export function setUpPwa() {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch(() => {});
  }
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault(); // shown from our own button instead of the mini-infobar
    deferredPrompt = event;
    document.getElementById("install")?.removeAttribute("hidden");
    document.querySelector("[data-install-ready]")?.removeAttribute("hidden");
  });
  window.addEventListener("appinstalled", () => {
    deferredPrompt = null;
    document.getElementById("install")?.setAttribute("hidden", "");
  });
  document.getElementById("install")?.addEventListener("click", () => promptInstall());
  window.addEventListener("online", updateOfflineBanner);
  window.addEventListener("offline", updateOfflineBanner);
  window.addEventListener("eleasud:outbox", updateOfflineBanner);
  window.addEventListener("eleasud:connection", updateOfflineBanner);
  updateOfflineBanner();
}
