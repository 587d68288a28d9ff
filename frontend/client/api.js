// The one door to /api/v1/ (same origin): JSON in and out, the bearer token, one automatic refresh on
// a 401, and the API's single error shape turned into an ApiError.
//
// Where the tokens live — a trade-off, stated:
// - the ACCESS token (15 minutes) stays in memory only: a reload loses it, and a refresh brings it back;
// - the REFRESH token (30 days, rotated at each use) is kept in localStorage so that a merchant stays
//   signed in between visits. Any script running on this origin can read localStorage, so an XSS would
//   leak it: that is why this client loads no third-party script, escapes what it inserts (dom.js) and is
//   served with a strict Content-Security-Policy. The API also detects a stolen refresh token: one
//   presented twice ends the session. The stronger alternative, an HttpOnly cookie set by the server
//   (with CSRF protection), needs an endpoint the API does not offer today.

const BASE = "/api/v1";
const REFRESH_KEY = "eleasud.refresh";
const OUTBOX_KEY = "eleasud.outbox";
// Whose activity the outbox holds. On a shared tablet merchant A may never sign out (or A's session may
// simply lapse) before merchant B signs in: A's queued events must never be sent with B's token.
const OUTBOX_OWNER_KEY = "eleasud.outbox.owner";

let accessToken = null;
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

function keepTokens(pair) {
  accessToken = pair.access;
  localStorage.setItem(REFRESH_KEY, pair.refresh);
}

function forgetTokens() {
  accessToken = null;
  localStorage.removeItem(REFRESH_KEY);
  localStorage.removeItem(OUTBOX_KEY); // the queue holds this merchant's activity
  localStorage.removeItem(OUTBOX_OWNER_KEY);
}

// Called when an account signs in (login or register): the outbox is kept only if it was filled by this
// same account, otherwise — another account, or events tracked while nobody was signed in — it is dropped.
function claimOutbox(email) {
  const account = email.trim().toLowerCase(); // the API's own normalisation of the address
  if (localStorage.getItem(OUTBOX_OWNER_KEY) !== account) localStorage.removeItem(OUTBOX_KEY);
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
    throw new ApiError(0, { error: { code: "network", message: "Pas de connexion. Vérifiez votre réseau." } });
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

async function refreshTokens() {
  const run = async () => {
    // Read the token inside the lock: another tab may have rotated it a moment ago.
    const refresh = localStorage.getItem(REFRESH_KEY);
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
  claimOutbox(email);
}

export async function login(email, password) {
  keepTokens(await send("POST", "/auth/login/", { email, password }));
  claimOutbox(email);
}

export async function logout() {
  try {
    if (isSignedIn()) await me("POST", "/auth/logout/", { everywhere: false });
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

const readOutbox = () => JSON.parse(localStorage.getItem(OUTBOX_KEY) || "[]");
const writeOutbox = (events) => localStorage.setItem(OUTBOX_KEY, JSON.stringify(events));

/**
 * Records one event ({module, kind, value?, recommendation_id?}) and sends the outbox.
 * Resolves to the server's status for this event ("created", "duplicate", "invalid", "conflict"),
 * or "queued" when the network or the server failed (it will be sent again with the same id).
 */
export async function track(event) {
  const stored = { event_id: uuid(), occurred_at: new Date().toISOString(), ...event };
  if (stored.value === undefined) delete stored.value;
  if (!stored.recommendation_id) delete stored.recommendation_id;
  writeOutbox([...readOutbox(), stored]);
  const results = await flushEvents();
  return results[stored.event_id] ?? "queued";
}

export async function flushEvents() {
  const batch = readOutbox().slice(0, 500);
  if (!batch.length || !isSignedIn()) return {};
  let answer;
  try {
    answer = await me("POST", "/me/events/", batch);
  } catch (error) {
    if (error.status === 0 || error.status >= 500) return {}; // kept for the next try
    throw error;
  }
  const statuses = Object.fromEntries(answer.results.map((r) => [r.event_id, r.status]));
  // created, duplicate, invalid and conflict are final: only what the server did not answer stays queued
  writeOutbox(readOutbox().filter((e) => !(e.event_id in statuses)));
  return statuses;
}

window.addEventListener("online", () => flushEvents().catch(() => {}));
