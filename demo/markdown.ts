/**
 * Markdown → HTML for the demo report: the subset GitHub job summaries and issue bodies use here
 * (headings, paragraphs, lists, tables, fenced code, block quotes, rules, inline code/bold/italic/links,
 * and the few HTML tags the summaries write: details, summary, sub, br). Everything else is escaped,
 * so text from a job summary cannot inject markup into the page.
 */

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Inline HTML the summaries use, passed through (attributes dropped except `id` on `a`). */
const INLINE_TAG = /^<(\/?)(sub|sup|br|b|i|em|strong|kbd|code|details|summary)\s*\/?>|^<a id="([\w-]+)"><\/a>/i;

function safeUrl(url: string): string | undefined {
  const u = url.trim();
  return /^(https?:\/\/|#|\.{0,2}\/|[\w-]+\.(md|html)\b)/i.test(u) ? u : undefined;
}

export function inline(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const c = text[i]!;
    if (c === '`') {
      const m = /^(`+)([\s\S]*?[^`])\1(?!`)/.exec(rest);
      if (m) {
        out += `<code>${esc(m[2]!.trim() === '' ? m[2]! : m[2]!.replace(/^ (.*) $/, '$1'))}</code>`;
        i += m[0].length;
        continue;
      }
    }
    if (c === '<') {
      const m = INLINE_TAG.exec(rest);
      if (m) {
        out += m[3] ? `<a id="${m[3]}"></a>` : `<${m[1]}${m[2]!.toLowerCase()}>`;
        i += m[0].length;
        continue;
      }
    }
    if (c === '[') {
      const m = /^\[([^\]]+)\]\(([^)\s]+)\)/.exec(rest);
      if (m) {
        const url = safeUrl(m[2]!);
        out += url ? `<a href="${esc(url)}">${inline(m[1]!)}</a>` : inline(m[1]!);
        i += m[0].length;
        continue;
      }
    }
    if (c === '*' && rest.startsWith('**')) {
      const m = /^\*\*(?=\S)([\s\S]*?\S)\*\*/.exec(rest);
      if (m) {
        out += `<strong>${inline(m[1]!)}</strong>`;
        i += m[0].length;
        continue;
      }
    }
    if ((c === '*' || c === '_') && !/\w/.test(text[i - 1] ?? '')) {
      const m = c === '*' ? /^\*(?=\S)([^*]*?\S)\*(?!\w)/.exec(rest) : /^_(?=\S)([^_]*?\S)_(?!\w)/.exec(rest);
      if (m) {
        out += `<em>${inline(m[1]!)}</em>`;
        i += m[0].length;
        continue;
      }
    }
    if (c === '\\' && /^\\[\\`*_{}[\]()#+\-.!|<>]/.test(rest)) {
      out += esc(rest[1]!);
      i += 2;
      continue;
    }
    out += esc(c);
    i++;
  }
  return out;
}

const cells = (row: string) =>
  row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));

const LIST_ITEM = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/;
const BLOCK_TAG = /^\s*(<\/?(details|summary)\b[^>]*>\s*)+/i;

/** Renders a Markdown document. */
export function markdownToHtml(md: string): string {
  // HTML comments (the issues' hidden markers) are not shown, as on GitHub.
  const lines = md.replace(/\r\n?/g, '\n').replace(/<!--[\s\S]*?-->/g, '').split('\n');
  const out: string[] = [];
  let i = 0;

  const isBlank = (l: string | undefined) => l === undefined || l.trim() === '';
  const startsBlock = (l: string) => /^\s*(#{1,6}\s|```|>|\||(-{3,}|\*{3,}|_{3,})\s*$)/.test(l) || LIST_ITEM.test(l) || BLOCK_TAG.test(l);

  function list(indent: number): string {
    const first = LIST_ITEM.exec(lines[i]!)!;
    const ordered = /\d/.test(first[2]!);
    const items: string[] = [];
    while (i < lines.length) {
      const m = LIST_ITEM.exec(lines[i]!);
      if (!m || m[1]!.length < indent) break;
      if (m[1]!.length > indent) {
        // A nested list belongs to the previous item.
        items[items.length - 1] += list(m[1]!.length);
        continue;
      }
      let text = m[3]!;
      i++;
      while (i < lines.length && !isBlank(lines[i]) && !LIST_ITEM.test(lines[i]!) && /^\s+\S/.test(lines[i]!)) text += ` ${lines[i++]!.trim()}`;
      items.push(inline(text));
      if (isBlank(lines[i]) && LIST_ITEM.exec(lines[i + 1] ?? '')?.[1]?.length === indent) i++;
    }
    const tag = ordered ? 'ol' : 'ul';
    return `<${tag}>${items.map((t) => `<li>${t}</li>`).join('')}</${tag}>`;
  }

  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = /^(\s*)(`{3,})\s*([\w-]*)/.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trim().startsWith(fence[2]!)) body.push(lines[i++]!);
      i++;
      const lang = fence[3] ?? '';
      const text = esc(body.join('\n'));
      out.push(lang === 'mermaid' ? `<pre class="mermaid">${text}</pre>` : `<pre${lang ? ` data-lang="${lang}"` : ''}><code>${text}</code></pre>`);
      continue;
    }
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      out.push(`<h${h[1]!.length}>${inline(h[2]!)}</h${h[1]!.length}>`);
      i++;
      continue;
    }
    if (/^\s*(-{3,}|\*{3,}|_{3,})\s*$/.test(line)) {
      out.push('<hr>');
      i++;
      continue;
    }
    const tag = BLOCK_TAG.exec(line);
    if (tag) {
      // <details><summary>…</summary> on a line of their own (the rest of the line is inline text).
      const tags = tag[0].match(/<\/?(details|summary)\b[^>]*>/gi) ?? [];
      out.push(tags.map((t) => t.replace(/^<(\/?)(\w+).*$/, (_m, slash: string, name: string) => `<${slash}${name.toLowerCase()}>`)).join(''));
      const rest = line.slice(tag[0].length);
      if (rest.trim()) out.push(inline(rest));
      i++;
      continue;
    }
    if (line.trimStart().startsWith('>')) {
      const body: string[] = [];
      while (i < lines.length && lines[i]!.trimStart().startsWith('>')) body.push(lines[i++]!.trimStart().replace(/^>\s?/, ''));
      out.push(`<blockquote>${markdownToHtml(body.join('\n'))}</blockquote>`);
      continue;
    }
    if (line.trimStart().startsWith('|') && /^\s*\|?\s*:?-{3,}/.test(lines[i + 1] ?? '')) {
      const head = cells(line);
      const align = cells(lines[i + 1]!).map((c) => (c.startsWith(':') && c.endsWith(':') ? 'center' : c.endsWith(':') ? 'right' : ''));
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && lines[i]!.trimStart().startsWith('|')) rows.push(cells(lines[i++]!));
      const td = (t: string, k: number, el: 'td' | 'th') => `<${el}${align[k] ? ` style="text-align:${align[k]}"` : ''}>${inline(t)}</${el}>`;
      out.push(`<table><thead><tr>${head.map((c, k) => td(c, k, 'th')).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${head.map((_, k) => td(r[k] ?? '', k, 'td')).join('')}</tr>`).join('')}</tbody></table>`);
      continue;
    }
    if (LIST_ITEM.test(line)) {
      out.push(list(LIST_ITEM.exec(line)![1]!.length));
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && !isBlank(lines[i]) && (para.length === 0 || !startsBlock(lines[i]!))) para.push(lines[i++]!.trim());
    out.push(`<p>${inline(para.join('\n')).replace(/\n/g, ' ')}</p>`);
  }
  return out.join('\n');
}
