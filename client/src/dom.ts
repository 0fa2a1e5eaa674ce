// The few DOM helpers the pages need: build elements, swap the screen, show a toast.
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | EventListener> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false) element.setAttribute(name, value);
  }
  for (const child of children) if (child) element.append(child);
  return element;
}

/** Replaces the page's content; `screen` is also set on <body data-screen> (styling, tests). */
export function show(screen: string, ...content: Node[]): void {
  document.body.dataset.screen = screen;
  document.getElementById('app')!.replaceChildren(...content);
}

export function toast(text: string, kind: 'info' | 'warning' = 'info', ms = 8000): void {
  const container = document.getElementById('toasts') ?? document.body.appendChild(h('div', { id: 'toasts', role: 'status', 'aria-live': 'polite' }));
  const item = h('div', { class: `toast ${kind}` }, text);
  container.append(item);
  setTimeout(() => item.remove(), ms);
}
