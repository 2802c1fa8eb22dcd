import { mount } from 'svelte';
import App from './App.svelte';
import { pickBackend } from './backend';
import './app.css';
import './forms.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

pickBackend().then((backend) => mount(App, { target, props: { backend } }));
