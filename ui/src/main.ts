import { mount } from 'svelte';
import App from './App.svelte';
import { pickBackend } from './backend';
import './app.css';
import './forms.css';
import './pane.css';

// A file dropped anywhere but on Compose does nothing (the page would otherwise try to open
// it; the app stops such navigations, but the drop should not even be offered).
for (const type of ['dragover', 'drop'] as const) {
  window.addEventListener(type, (event) => {
    if (event.defaultPrevented || !Array.from(event.dataTransfer?.types ?? []).includes('Files')) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'none';
  });
}

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

pickBackend().then(
  (backend) => mount(App, { target, props: { backend } }),
  (error: unknown) => {
    // Only in development (a browser without its core): say what to do instead of a blank page.
    const message = document.createElement('p');
    message.setAttribute('role', 'alert');
    message.style.margin = '2rem';
    message.textContent = error instanceof Error ? error.message : String(error);
    target.replaceChildren(message);
  },
);
