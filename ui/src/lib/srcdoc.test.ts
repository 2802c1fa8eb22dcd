import { describe, expect, it } from 'vitest';
import { FRAME_CSP, FRAME_CSP_REMOTE, buildSrcdoc } from './srcdoc';

describe('buildSrcdoc', () => {
  it('puts the CSP meta first in <head>', () => {
    const doc = buildSrcdoc('<p>Hello</p>', 'en');
    const head = doc.slice(doc.indexOf('<head>') + '<head>'.length);
    expect(head.startsWith(`<meta http-equiv="Content-Security-Policy" content="${FRAME_CSP}">`)).toBe(true);
    expect(FRAME_CSP).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(doc.indexOf('Content-Security-Policy')).toBeLessThan(doc.indexOf('<p>Hello</p>'));
  });

  it('returns a full document with the body, and no <base>', () => {
    const doc = buildSrcdoc('<p>Hello</p>', 'ms');
    expect(doc.startsWith('<!doctype html><html lang="ms">')).toBe(true);
    expect(doc).toContain('<body><p>Hello</p></body></html>');
    expect(doc).not.toContain('<base');
  });

  it('leaves escaping to the attribute binding: the frame holds hostile markup inert', () => {
    const hostile = '</iframe><script>parent.alert(1)</script><img src=x onerror=alert(1)>';
    const doc = buildSrcdoc(hostile, 'en');
    expect(typeof doc).toBe('string');
    expect(doc).toContain(hostile);

    // As Svelte sets it: a property/attribute value, never parsed as the parent's markup.
    const frame = document.createElement('iframe');
    frame.setAttribute('sandbox', '');
    frame.setAttribute('srcdoc', doc);
    const host = document.createElement('div');
    host.append(frame);
    expect(host.querySelectorAll('iframe')).toHaveLength(1);
    expect(host.querySelector('script')).toBeNull();
    expect(frame.getAttribute('srcdoc')).toBe(doc);
  });

  it('sanitizes the language tag', () => {
    expect(buildSrcdoc('', 'en"><script>')).toContain('<html lang="enscript">');
  });

  it('allows remote images only when asked to', () => {
    expect(buildSrcdoc('', 'en')).toContain(FRAME_CSP);
    expect(buildSrcdoc('', 'en', true)).toContain(FRAME_CSP_REMOTE);
    expect(FRAME_CSP_REMOTE).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data: https: http:");
  });
});
