// Showing the API's field errors next to the fields: {"error": {"fields": {"postcode": ["…"]}}}.
// A form marks where each field's message goes with data-error-for="<field name>".

import { ApiError } from "./api.js";

export function clearErrors(form) {
  form.querySelectorAll("[data-error-for]").forEach((slot) => {
    slot.textContent = "";
    slot.hidden = true;
  });
  form.querySelectorAll("[aria-invalid]").forEach((input) => input.removeAttribute("aria-invalid"));
  const summary = form.querySelector(".form-summary");
  if (summary) summary.hidden = true;
}

/** Puts each message under its field, marks the inputs invalid, focuses the first one. */
export function showErrors(form, error, { one = "Un champ est à corriger.", many = "champs sont à corriger." } = {}) {
  clearErrors(form);
  const fields = error instanceof ApiError ? error.fields : {};
  let first = null;
  const unplaced = [];
  for (const [name, messages] of Object.entries(fields)) {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
    const text = [].concat(messages).join(" ");
    if (!slot) {
      unplaced.push(text);
      continue;
    }
    slot.textContent = text;
    slot.hidden = false;
    const inputs = form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
    inputs.forEach((input) => input.setAttribute("aria-invalid", "true"));
    first ??= inputs[0] || slot;
  }
  const summary = form.querySelector(".form-summary");
  if (summary) {
    const count = Object.keys(fields).length - unplaced.length;
    const lead = count === 0 ? error.message : count === 1 ? one : `${count} ${many}`;
    summary.textContent = [lead, ...unplaced].join(" ");
    summary.hidden = false;
  }
  const target = first || summary;
  target?.scrollIntoView?.({ block: "center" });
  target?.focus?.({ preventScroll: true });
}

export function busy(button, isBusy, label) {
  button.disabled = isBusy;
  if (isBusy) {
    button.dataset.label = button.textContent;
    button.textContent = label;
  } else if (button.dataset.label) {
    button.textContent = button.dataset.label;
  }
}
