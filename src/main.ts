import { mount } from 'svelte';
import App from './ui/App.svelte';
import { ensureIsolation } from './isolation';
import './ui/theme.css';

if (!(await ensureIsolation())) mount(App, { target: document.getElementById('app')! });
