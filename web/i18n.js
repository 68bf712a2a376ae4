// The product's words, from the same locale files the server uses (`/locales/nl.json`,
// `/locales/en.json`). Dutch first; the choice: ?lang=, then what the user picked
// before, then the page's language, then the browser's.

let messages = {};
export let lang = 'nl';

const SUPPORTED = ['nl', 'en'];
const STORAGE_KEY = 'heisessie.lang';

function primary(code) {
  return String(code || '').toLowerCase().split(/[-_]/)[0];
}

export function pickLang(pageLang) {
  const fromQuery = primary(new URLSearchParams(location.search).get('lang'));
  if (SUPPORTED.includes(fromQuery)) return fromQuery;
  const stored = primary(localStorage.getItem(STORAGE_KEY));
  if (SUPPORTED.includes(stored)) return stored;
  if (SUPPORTED.includes(primary(pageLang))) return primary(pageLang);
  for (const code of navigator.languages || [navigator.language]) {
    if (SUPPORTED.includes(primary(code))) return primary(code);
  }
  return 'nl';
}

export async function loadLocale(code) {
  lang = SUPPORTED.includes(code) ? code : 'nl';
  const response = await fetch(`/locales/${lang}.json`);
  messages = await response.json();
  document.documentElement.lang = lang;
  return lang;
}

/** The message for `key` with `{name}` placeholders filled; a missing key shows itself. */
export function t(key, args = {}) {
  let message = messages[key] ?? key;
  for (const [name, value] of Object.entries(args)) {
    message = message.replaceAll(`{${name}}`, String(value));
  }
  return message;
}

/** Switches to the other language and reloads, remembering the choice. */
export function switchLang() {
  const next = lang === 'nl' ? 'en' : 'nl';
  localStorage.setItem(STORAGE_KEY, next);
  const url = new URL(location.href);
  url.searchParams.set('lang', next);
  location.href = url.toString();
}
