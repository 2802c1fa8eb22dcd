import { mount } from 'svelte';
import App from './App.svelte';
import { pickBackend } from './backend';
import './app.css';
import './forms.css';
import './pane.css';

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
