// Safe HTML building. Every value interpolated into `html`...`` is escaped, unless it is wrapped in
// `raw()`. Only two things are ever wrapped in raw(): templates built by `html` itself, and the rich-text
// HTML fields of the API (text, tip, warning, step.text), which the server sanitises: Wagtail's rich-text
// editor keeps an allow-list of tags and attributes, and load_content checks the tags and links of content
// files. The page's Content-Security-Policy (scripts from this origin only, set in config/urls.py) is the
// second line of defence: an inline handler slipped into rich text would not run.

const RAW = Symbol("raw");

export function raw(value) {
  return { [RAW]: String(value ?? "") };
}

export function esc(value) {
  return String(value ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );
}

function toHtml(value) {
  if (value === null || value === undefined || value === false) return "";
  if (Array.isArray(value)) return value.map(toHtml).join("");
  if (typeof value === "object" && RAW in value) return value[RAW];
  return esc(value);
}

export function html(strings, ...values) {
  let out = strings[0];
  values.forEach((value, i) => {
    out += toHtml(value) + strings[i + 1];
  });
  return raw(out);
}

/** Only web, mail and phone links, or paths on this site: never `javascript:` or `data:`. */
export function safeUrl(url) {
  const value = String(url ?? "").trim();
  if (value.startsWith("/") && !value.startsWith("//")) return value;
  try {
    const parsed = new URL(value);
    return ["https:", "http:", "mailto:", "tel:"].includes(parsed.protocol) ? parsed.href : "#";
  } catch {
    return "#";
  }
}

export function mount(element, template) {
  element.innerHTML = toHtml(template);
  return element;
}

export function announce(message) {
  const region = document.getElementById("announcer");
  region.textContent = "";
  // a fresh text node after a tick, so the same message twice is read twice
  setTimeout(() => {
    region.textContent = message;
  }, 50);
}

export function minutes(value) {
  if (!value) return "";
  if (value < 60) return `${value} min`;
  const hours = Math.floor(value / 60);
  const rest = value % 60;
  return rest ? `${hours} h ${String(rest).padStart(2, "0")}` : `${hours} h`;
}

export function plural(count, one, many) {
  return `${count} ${count > 1 ? many : one}`;
}

// Small inline icons (SVG, drawn with the text colour): emoji are not on every phone or kiosk.
const ICONS = {
  clock: '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>',
  bulb: '<path d="M9 18h6M10 21h4M12 3a6 6 0 0 0-3.5 10.9c.6.4 1 1.1 1 1.8V16h5v-.3c0-.7.4-1.4 1-1.8A6 6 0 0 0 12 3z"/>',
  alert: '<path d="M12 3 2 20h20L12 3z"/><path d="M12 10v4M12 17h.01"/>',
  link: '<path d="M14 4h6v6M20 4l-9 9M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5"/>',
  play: '<circle cx="12" cy="12" r="9"/><path d="m10 8 6 4-6 4V8z"/>',
};

export function icon(name) {
  return raw(
    `<svg class="icon" aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="18" height="18" fill="none" ` +
      `stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${ICONS[name]}</svg>`,
  );
}
