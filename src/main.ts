// Entry point of the app: the <reranker-app> element in index.html upgrades once this module has run.
import './theme.css';
import './ui/app/reranker-app.ts';
import { trustSameOriginScripts } from './worker/trusted-types.ts';

trustSameOriginScripts();
