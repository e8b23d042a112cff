// Tiny DOM helpers. Text from the network (titles, chat) only ever goes through textContent, never
// innerHTML, so a room title or chat message cannot inject markup.

type Child = Node | string | number | null | undefined | false;
type AttrValue = string | number | boolean | null | undefined | ((ev: Event) => void);

/** Creates an element; `on*` attributes become listeners, `true` a bare attribute, false/null nothing. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, AttrValue> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "class") {
      el.className = String(value);
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, ...children);
  return el;
}

/** Appends children, skipping null/false (handy for conditional parts). */
export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.textContent = "";
  append(parent, ...children);
}

/** Says `message` to screen readers through the page's polite live region. */
export function announce(message: string): void {
  const region = document.getElementById("announcer");
  if (!region) return;
  // Clearing first makes a repeated message be read again.
  region.textContent = "";
  window.setTimeout(() => (region.textContent = message), 50);
}

/** A labelled form field: <label for=id>text</label> + control. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const parts: Child[] = [h("label", { for: id }, label), control];
  if (hint) {
    const hintId = `${id}-hint`;
    control.setAttribute("aria-describedby", hintId);
    parts.push(h("small", { id: hintId, class: "hint" }, hint));
  }
  return h("div", { class: "field" }, ...parts);
}

/** A status badge for a room status. */
export function statusBadge(status: string): HTMLElement {
  const label = status === "live" ? "Live" : status === "ready" ? "Offline" : status === "ended" ? "Ended" : status;
  return h("span", { class: `badge badge-${status}` }, label);
}

/** "3 watching" with the right plural. */
export function viewersText(n: number): string {
  return `${n} ${n === 1 ? "viewer" : "viewers"}`;
}

/** Copies text and tells the user (and screen readers) it worked. */
export async function copyText(text: string, button: HTMLButtonElement): Promise<void> {
  const original = button.textContent ?? "Copy";
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
    announce("Copied to the clipboard");
  } catch {
    // Clipboard access needs a secure context (https or localhost): select the text instead.
    button.textContent = "Select and copy";
    announce("Copy is not allowed here; select the text and copy it");
  }
  window.setTimeout(() => (button.textContent = original), 1500);
}
