// Message text with its http(s) links clickable. Built from text nodes and <a> elements only:
// nothing in a message is ever interpreted as HTML.
const URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi;
// Punctuation that usually ends a sentence rather than a link.
const TRAILING = /[.,;:!?)\]}'"]+$/;

export function splitLinks(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(URL_RE)) {
    let url = match[0];
    const trail = url.match(TRAILING);
    if (trail) url = url.slice(0, -trail[0].length);
    const start = match.index;
    if (start > last) parts.push({ text: text.slice(last, start) });
    let safe = null;
    try {
      const u = new URL(url);
      if (u.protocol === 'http:' || u.protocol === 'https:') safe = u.href;
    } catch {
      /* not a URL after all */
    }
    parts.push(safe ? { text: url, href: safe } : { text: url });
    last = start + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

export default function Linkified({ text }) {
  return splitLinks(text).map((p, i) =>
    p.href ? (
      <a key={i} href={p.href} target="_blank" rel="noopener noreferrer" data-testid="message-link">
        {p.text}
      </a>
    ) : (
      p.text
    ),
  );
}
