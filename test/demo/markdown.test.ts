import { describe, expect, it } from 'vitest';
import { markdownToHtml } from '../../demo/markdown';

describe('the demo report’s Markdown → HTML', () => {
  it('renders what job summaries write: headings, tables, lists, code, details, sub, links', () => {
    const html = markdownToHtml(
      [
        '### 🔴 Health: unhealthy',
        '',
        'Critical target **storefront** failed, in `94ms`.',
        '',
        '| | target | error |',
        '| --- | --- | ---: |',
        '| ❌ | storefront | expected 200 \\| 204, got 503 |',
        '',
        '1. **trigger**: schedule',
        '2. **breaker**: closed',
        '   - nested',
        '',
        '<details><summary>Last events</summary>',
        '',
        '- a',
        '',
        '</details>',
        '',
        '```mermaid',
        'timeline',
        '    detected : health unhealthy',
        '```',
        '',
        '> quoted _text_',
        '',
        '---',
        '<sub>📊 KPIs</sub> see [#1](http://127.0.0.1:1/_web/acme/storefront/issues/1)',
      ].join('\n'),
    );
    expect(html).toContain('<h3>🔴 Health: unhealthy</h3>');
    expect(html).toContain('<p>Critical target <strong>storefront</strong> failed, in <code>94ms</code>.</p>');
    expect(html).toContain('<th style="text-align:right">error</th>');
    expect(html).toContain('<td style="text-align:right">expected 200 | 204, got 503</td>');
    expect(html).toContain('<ol><li><strong>trigger</strong>: schedule</li><li><strong>breaker</strong>: closed<ul><li>nested</li></ul></li></ol>');
    expect(html).toContain('<details><summary>');
    expect(html).toContain('</details>');
    expect(html).toContain('<pre class="mermaid">timeline\n    detected : health unhealthy</pre>');
    expect(html).toContain('<blockquote><p>quoted <em>text</em></p></blockquote>');
    expect(html).toContain('<hr>');
    expect(html).toContain('<sub>📊 KPIs</sub> see <a href="http://127.0.0.1:1/_web/acme/storefront/issues/1">#1</a>');
  });

  it('escapes any other markup, drops unsafe links and hides HTML comments', () => {
    const html = markdownToHtml('<!-- recovery:scope=default -->\nA <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) `<b>`\n\n```\n<script>\n```');
    expect(html).not.toMatch(/<script|<img|javascript:|recovery:scope/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<code>&lt;b&gt;</code>');
    expect(html).toContain('<pre><code>&lt;script&gt;</code></pre>');
  });
});
