// The one door to /api/v1/ (same origin): JSON in and out, the bearer token, one automatic refresh on
// a 401, and the API's single error shape turned into an ApiError.
//
// Where the tokens live — a trade-off, stated:
// - the ACCESS token (15 minutes) is kept in localStorage with its expiry, so a page load costs no refresh
//   while it is valid (twenty reloads in a row never reach the refresh throttle);
// - the REFRESH token (30 days, rotated at each use) is kept in localStorage so that a merchant stays
//   signed in between visits. Any script running on this origin can read localStorage, so an XSS would
//   leak it: that is why this client loads no third-party script, escapes what it inserts (dom.js) and is
//   served with a strict Content-Security-Policy. The API also detects a stolen refresh token: one
//   presented twice ends the session. The stronger alternative, an HttpOnly cookie set by the server
//   (with CSRF protection), needs an endpoint the API does not offer today.

import * as outbox from "./outbox.js";

const BASE = "/api/v1";
const REFRESH_KEY = "eleasud.refresh";
const ACCESS_KEY = "eleasud.access"; // {token, expires}: reused until a minute before it expires
const LEGACY_OUTBOX_KEY = "eleasud.outbox"; // before IndexedDB: moved over once, then removed
// Whose activity the outbox holds. On a shared tablet merchant A may never sign out (or A's session may
// simply lapse) before merchant B signs in: A's queued events must never be sent with B's token.
const OUTBOX_OWNER_KEY = "eleasud.outbox.owner";

let accessToken = storedAccess();

// Whether the server answered lately. navigator.onLine is only a hint (a phone on a Wi-Fi without internet
// says "online"), so a failed request counts too; while it lasts, the outbox is retried every few seconds.
let reachable = true;
let retryTimer = null;

export const isOffline = () => !navigator.onLine || !reachable;

function setReachable(value) {
  if (reachable === value) return;
  reachable = value;
  window.dispatchEvent(new Event("eleasud:connection"));
  if (!value && !retryTimer) {
    retryTimer = setInterval(() => {
      fetch(`${BASE}/themes/`, { method: "HEAD", cache: "no-store", credentials: "omit" })
        .then((r) => {
          if (r.headers.get("X-From-Offline-Copy")) return;
          setReachable(true);
          flushEvents().catch(() => {});
        })
        .catch(() => {});
    }, 5000);
  }
  if (value && retryTimer) {
    clearInterval(retryTimer);
    retryTimer = null;
  }
}
let refreshing = null; // one refresh at a time: a rotated refresh token must never be sent twice

export class ApiError extends Error {
  constructor(status, body) {
    const error = body?.error ?? {};
    super(error.message || "Le service ne répond pas comme prévu. Réessayez dans un instant.");
    this.status = status;
    this.code = error.code || (status ? "http_" + status : "network");
    this.fields = error.fields || {};
  }
}

export function isSignedIn() {
  return Boolean(accessToken || localStorage.getItem(REFRESH_KEY));
}

function storedAccess() {
  try {
    const { token, expires } = JSON.parse(localStorage.getItem(ACCESS_KEY) || "{}");
    return token && Date.parse(expires) - Date.now() > 60_000 ? token : null;
  } catch {
    return null;
  }
}

function keepTokens(pair) {
  accessToken = pair.access;
  localStorage.setItem(ACCESS_KEY, JSON.stringify({ token: pair.access, expires: pair.access_expires_at }));
  localStorage.setItem(REFRESH_KEY, pair.refresh);
}

function forgetTokens() {
  accessToken = null;
  localStorage.removeItem(ACCESS_KEY);
  localStorage.removeItem(REFRESH_KEY);
  localStorage.removeItem(OUTBOX_OWNER_KEY);
  outbox.clear().catch(() => {}); // the queue holds this merchant's activity
  // the merchant's cached reads (progress, recommendations) leave the device with the session
  navigator.serviceWorker?.controller?.postMessage("signed-out");
}

// Called when an account signs in (login or register): the outbox is kept only if it was filled by this
// same account, otherwise — another account, or events tracked while nobody was signed in — it is dropped.
async function claimOutbox(email) {
  const account = email.trim().toLowerCase(); // the API's own normalisation of the address
  if (localStorage.getItem(OUTBOX_OWNER_KEY) !== account) await outbox.clear().catch(() => {});
  localStorage.setItem(OUTBOX_OWNER_KEY, account);
}

async function send(method, path, body, token) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path.startsWith("/api/") ? path : BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit", // bearer tokens only: no cookie, so no CSRF to worry about
    });
  } catch {
    setReachable(false);
    throw new ApiError(0, { error: { code: "network", message: "Pas de connexion. Vérifiez votre réseau." } });
  }
  // the service worker marks the copies it serves because the network failed: those prove nothing
  if (!response.headers.get("X-From-Offline-Copy")) setReachable(true);
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

async function refreshTokens() {
  const run = async () => {
    // Read the token inside the lock: another tab may have rotated it a moment ago.
    const refresh = localStorage.getItem(REFRESH_KEY);
    const fresh = storedAccess();
    if (fresh && fresh !== accessToken) {
      accessToken = fresh; // another tab refreshed a moment ago: use its pair
      return;
    }
    if (!refresh) throw new ApiError(401, { error: { code: "not_authenticated", message: "Connectez-vous." } });
    try {
      keepTokens(await send("POST", "/auth/refresh/", { refresh }));
    } catch (error) {
      if (error.status === 401) forgetTokens();
      throw error;
    }
  };
  // Tabs share localStorage: the Web Locks API keeps two tabs from spending the same refresh token.
  refreshing ??= (navigator.locks ? navigator.locks.request("eleasud-refresh", run) : run()).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** Calls the API; with `auth`, sends the access token and, on a 401, refreshes once and retries. */
export async function api(method, path, { body, auth = false } = {}) {
  if (!auth) return send(method, path, body);
  if (!accessToken) await refreshTokens();
  try {
    return await send(method, path, body, accessToken);
  } catch (error) {
    if (error.status !== 401) throw error;
    await refreshTokens(); // a 401 here means: sign in again (the caller sends the merchant to the form)
    return send(method, path, body, accessToken);
  }
}

export const get = (path, options) => api("GET", path, options);
export const me = (method, path, body) => api(method, path, { body, auth: true });

export async function register(email, password) {
  keepTokens(await send("POST", "/auth/register/", { email, password }));
  await claimOutbox(email);
}

export async function login(email, password) {
  keepTokens(await send("POST", "/auth/login/", { email, password }));
  await claimOutbox(email);
}

/** Changes the password: the server ends every other session and returns a fresh pair for this device. */
export async function changePassword(current_password, new_password) {
  keepTokens(await me("POST", "/auth/password/", { current_password, new_password }));
}

/** Sets a new password from an e-mailed link; signs this device in. */
export async function resetPassword(uid, token, new_password) {
  forgetTokens();
  keepTokens(await send("POST", "/auth/password-reset/confirm/", { uid, token, new_password }));
  await claimOutbox((await me("GET", "/me/")).email);
}

/** Erases the account (the password is asked again); this device is signed out. */
export async function deleteAccount(password) {
  await me("DELETE", "/me/", { password });
  forgetTokens();
}

export async function logout({ everywhere = false } = {}) {
  try {
    if (isSignedIn()) await me("POST", "/auth/logout/", { everywhere });
  } catch {
    // signed out on this device whatever the server said
  } finally {
    forgetTokens();
  }
}

// --- Engagement events -----------------------------------------------------------------------------
// Each event gets its UUID once, when it happens, and keeps it in a small outbox until the server has
// answered for it: a retry after a network error sends the same id, and the server stores it once.

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // crypto.randomUUID needs a secure context (https or localhost); same RFC 4122 v4 otherwise
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Records one event ({module, kind, value?, recommendation_id?}) in the outbox and sends the outbox.
 * Resolves to the server's status for this event ("created", "duplicate", "invalid", "conflict"),
 * or "queued" when offline or the server failed (it will be sent again, with the same id, later).
 */
export async function track(event) {
  const stored = { event_id: uuid(), occurred_at: new Date().toISOString(), ...event };
  if (stored.value === undefined) delete stored.value;
  if (!stored.recommendation_id) delete stored.recommendation_id;
  await outbox.add(stored);
  const results = await flushEvents();
  return results[stored.event_id] ?? "queued";
}

export const pendingEvents = () => outbox.count();

let flushing = null;

/** Sends the outbox in batches of 500 (the API's idempotency makes a resend harmless). */
export function flushEvents() {
  const run = async () => {
    const statuses = {};
    if (!isSignedIn() || isOffline()) return statuses;
    for (;;) {
      const batch = (await outbox.all()).slice(0, 500);
      if (!batch.length) return statuses;
      let answer;
      try {
        answer = await me("POST", "/me/events/", batch);
      } catch (error) {
        if (error.status === 0 || error.status >= 500) return statuses; // kept for the next try
        throw error;
      }
      // created, duplicate, invalid and conflict are final: only what the server did not answer stays queued
      answer.results.forEach((r) => {
        statuses[r.event_id] = r.status;
      });
      await outbox.remove(answer.results.map((r) => r.event_id));
      if (batch.length < 500) return statuses;
    }
  };
  flushing ??= (navigator.locks ? navigator.locks.request("eleasud-outbox", run) : run()).finally(() => {
    flushing = null;
  });
  return flushing;
}

/** Fetches modules (and their images) so the service worker keeps a copy for offline reading. */
export async function keepForOffline(slugs) {
  if (!navigator.serviceWorker?.controller) return;
  for (const slug of slugs) {
    try {
      const module = await get(`/modules/${encodeURIComponent(slug)}/`);
      const images = (module.body || [])
        .filter((block) => block.type === "image")
        .map((block) => block.value?.renditions?.medium?.url || block.value?.renditions?.small?.url)
        .filter(Boolean);
      await Promise.all(images.map((url) => fetch(url, { credentials: "omit" }).catch(() => null)));
    } catch {
      // best effort: offline copies are a convenience
    }
  }
}

// Events queued by the localStorage outbox of earlier versions move to IndexedDB once.
(async () => {
  const legacy = JSON.parse(localStorage.getItem(LEGACY_OUTBOX_KEY) || "[]");
  if (!legacy.length) return;
  for (const event of legacy) await outbox.add(event);
  localStorage.removeItem(LEGACY_OUTBOX_KEY);
})().catch(() => {});

window.addEventListener("online", () => {
  setReachable(true);
  flushEvents().catch(() => {});
});
