/**
 * Chromium under the dev server beside the hub-like server, for the download tests: the hub serves the demo model
 * folder as `repo`, and the dev server's Content-Security-Policy lets the page and its worker reach it (the mirror in
 * connect-src, as the README tells a site that uses one).
 */
import { openBrowserEnv, type BrowserEnv, type DevServerOptions } from '../../tools/browser/harness.ts';
import { serveHub, type HubServer } from '../../tools/hub-server.ts';
import { DEMO_MODEL_DIR } from './models.ts';

export interface HubBrowser {
  env: BrowserEnv;
  hub: HubServer;
  close(): Promise<void>;
}

export async function openHubBrowser(repo: string, options: DevServerOptions = {}): Promise<HubBrowser> {
  const hub = await serveHub({ repos: { [repo]: DEMO_MODEL_DIR } });
  // vite.config.ts reads CSP_CONNECT_SRC when the dev server starts; it is put back as it was right after.
  const saved = process.env.CSP_CONNECT_SRC;
  process.env.CSP_CONNECT_SRC = 'http://127.0.0.1:*';
  try {
    const env = await openBrowserEnv(options);
    return { env, hub, close: async () => {
      await env.close();
      await hub.close();
    } };
  } catch (error) {
    await hub.close();
    throw error;
  } finally {
    if (saved === undefined) delete process.env.CSP_CONNECT_SRC;
    else process.env.CSP_CONNECT_SRC = saved;
  }
}
