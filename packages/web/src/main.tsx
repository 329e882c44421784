// The page's entry: the styles and the app, mounted on #app with the state of the URL's hash.
import './ui/styles.css';
import { mountApp } from './ui/app.js';

mountApp(document.getElementById('app')!);
