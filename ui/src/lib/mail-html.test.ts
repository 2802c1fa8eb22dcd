import { describe, expect, it } from 'vitest';
import { prepareMailHtml } from './mail-html';

const HTML =
  '<p>Hi</p><img src="https://tracker.example/p.gif" width="1"><img src="cid:logo@x">' +
  '<img src="data:image/png;base64,iVBO" srcset="https://cdn.example/a.png 2x">' +
  '<a href="https://example.com/page">page</a><a>no href</a>';

describe('prepareMailHtml', () => {
  it('makes remote images inert until loaded and counts them', () => {
    const { html, remote } = prepareMailHtml(HTML, false);
    expect(remote).toBe(1);
    expect(html).not.toMatch(/\ssrc="https?:/);
    expect(html).not.toContain('srcset');
    expect(html).toContain('data-satu-src="https://tracker.example/p.gif"');
    expect(html).toContain('src="cid:logo@x"');
    expect(html).toContain('src="data:image/png;base64,iVBO"');
  });

  it('restores them when the user loads remote content', () => {
    const { html, remote } = prepareMailHtml(HTML, true);
    expect(remote).toBe(1);
    expect(html).toContain('src="https://tracker.example/p.gif"');
    expect(html).not.toContain('data-satu-src');
    expect(html).not.toContain('srcset');
  });

  it('sends links out of the frame', () => {
    const doc = new DOMParser().parseFromString(prepareMailHtml(HTML, false).html, 'text/html');
    const [link, plain] = Array.from(doc.querySelectorAll('a'));
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(link.getAttribute('title')).toBe(link.getAttribute('href'));
    expect(plain.hasAttribute('target')).toBe(false);
  });

  it('shows where a link really goes, whatever title the sender gave it', () => {
    const { html } = prepareMailHtml('<a href="https://evil.example/x" title="https://bank.example">Bank</a>', false);
    const link = new DOMParser().parseFromString(html, 'text/html').querySelector('a');
    expect(link?.getAttribute('title')).toBe('https://evil.example/x');
  });

  it('runs and loads nothing while preparing', () => {
    (window as unknown as { canary?: string }).canary = undefined;
    const { html } = prepareMailHtml('<img src=x onerror="window.canary=1"><script>window.canary=2</script>', false);
    expect((window as unknown as { canary?: string }).canary).toBeUndefined();
    expect(typeof html).toBe('string');
  });
});
