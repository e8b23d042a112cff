// Path routing with the History API. The node answers index.html for every path outside /api, /hls
// and /ws, so /watch/r1 can be loaded, reloaded and shared directly.

/** A page renders into `main` and returns what to run when the user leaves it (timers, sockets). */
export type Page = (main: HTMLElement, params: Record<string, string>, query: URLSearchParams) => () => void;

interface Route {
  pattern: RegExp;
  keys: string[];
  nav: string;
  page: Page;
}

const routes: Route[] = [];
let leave: (() => void) | null = null;

/** Registers `path` ("/watch/:id") for `page`; `nav` names the menu entry to mark current. */
export function route(path: string, nav: string, page: Page): void {
  const keys: string[] = [];
  const source = path.replace(/:([a-z]+)/g, (_, k: string) => {
    keys.push(k);
    return "([^/]+)";
  });
  routes.push({ pattern: new RegExp(`^${source}/?$`), keys, nav, page });
}

export function navigate(url: string, replace = false): void {
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  render();
}

function render(): void {
  const main = document.getElementById("main");
  if (!main) return;
  if (leave) {
    leave();
    leave = null;
  }
  const path = location.pathname;
  const query = new URLSearchParams(location.search);
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    r.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1] ?? "")));
    markNav(r.nav);
    main.textContent = "";
    leave = r.page(main, params, query);
    return;
  }
  markNav("");
  main.textContent = "";
  const h1 = document.createElement("h1");
  h1.textContent = "Page not found";
  const p = document.createElement("p");
  p.textContent = "There is nothing at this address. ";
  const a = document.createElement("a");
  a.href = "/";
  a.dataset["link"] = "";
  a.textContent = "See who is live";
  p.appendChild(a);
  main.append(h1, p);
  document.title = "Not found · onair";
}

function markNav(nav: string): void {
  document.querySelectorAll<HTMLAnchorElement>("a[data-nav]").forEach((a) => {
    if (a.dataset["nav"] === nav) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
}

/** Moves focus to the page's heading after a navigation, so screen readers announce the new page. */
export function focusHeading(main: HTMLElement): void {
  const h1 = main.querySelector("h1");
  if (!h1) return;
  h1.setAttribute("tabindex", "-1");
  h1.focus({ preventScroll: true });
}

export function start(): void {
  document.addEventListener("click", (ev) => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = (ev.target as Element | null)?.closest?.("a[data-link]") as HTMLAnchorElement | null;
    if (!a || a.target || a.origin !== location.origin) return;
    ev.preventDefault();
    const wasElsewhere = a.pathname + a.search !== location.pathname + location.search;
    if (wasElsewhere) navigate(a.pathname + a.search);
    const main = document.getElementById("main");
    if (main) focusHeading(main);
  });
  window.addEventListener("popstate", render);
  render();
}
