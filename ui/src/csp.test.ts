// Guards for the window's Content-Security-Policy (tauri.conf.json). Tauri adds nonces to the CSP,
// which makes WebKit ignore 'unsafe-inline': inline style attributes and scripts would be blocked.
import { describe, expect, it } from 'vitest';
import indexHtml from '../index.html?raw';

const components = import.meta.glob<string>('./**/*.svelte', { query: '?raw', import: 'default', eager: true });

/** The markup of a component, without its <script> and <style> blocks. */
function markup(source: string): string {
  return source.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<style[\s\S]*?<\/style>/g, '');
}

describe('CSP-safe markup', () => {
  it('has components to check', () => {
    expect(Object.keys(components).length).toBeGreaterThan(5);
  });

  it.each(Object.entries(components))('%s has no style attributes, string event handlers or form actions', (_, source) => {
    const html = markup(source);
    expect(html).not.toMatch(/\sstyle\s*=/); // style:prop={…} directives are fine
    expect(html).not.toMatch(/<form[^>]*\saction\s*=/);
    expect(html).not.toMatch(/\son[a-z]+\s*=\s*["']/); // handlers are {…} expressions, never strings
  });

  it('index.html has only the module entry script', () => {
    const scripts = indexHtml.match(/<script[^>]*>[\s\S]*?<\/script>/g) ?? [];
    expect(scripts).toEqual(['<script type="module" src="/src/main.ts"></script>']);
    expect(indexHtml).not.toMatch(/\sstyle\s*=|<style|https?:\/\//);
  });
});
