/** The Content-Security-Policy's text (scripts/csp.ts): its sources, the host's additions, and the <meta> it writes. */
import { describe, expect, it } from 'vitest';
import { HUB_SOURCES, contentSecurityPolicy, metaPolicy, withMetaPolicy } from '../../scripts/csp.ts';

const directives = (policy: string) => new Map(policy.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));

describe('contentSecurityPolicy', () => {
  it('allows the site itself, the hub for hub ids, wasm compilation and nothing inline', () => {
    const policy = directives(contentSecurityPolicy());
    expect(policy.get('default-src')).toEqual(["'none'"]);
    expect(policy.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(policy.get('style-src')).toEqual(["'self'"]);
    expect(policy.get('connect-src')).toEqual(["'self'", ...HUB_SOURCES]);
    expect(policy.get('worker-src')).toEqual(["'self'"]);
    expect(policy.get('require-trusted-types-for')).toEqual(["'script'"]);
    for (const [name, value] of [['object-src', "'none'"], ['base-uri', "'self'"], ['form-action', "'none'"]]) {
      expect(policy.get(name)).toEqual([value]);
    }
  });

  it('adds a host\'s model origin to connect-src, and a dev nonce to style-src only', () => {
    const policy = directives(contentSecurityPolicy({ connect: ['https://models.example.org'], styleNonce: 'abc' }));
    expect(policy.get('connect-src')).toEqual(["'self'", ...HUB_SOURCES, 'https://models.example.org']);
    expect(policy.get('style-src')).toEqual(["'self'", "'nonce-abc'"]);
    expect(policy.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
  });

  it('refuses a source that would end the directive or the <meta> it is written into', () => {
    for (const bad of ['https://a.org; script-src *', 'https://a.org https://b.org', 'x"><script>', '']) {
      expect(() => contentSecurityPolicy({ connect: [bad] }), bad).toThrow(/not a CSP source/);
    }
  });
});

describe('withMetaPolicy', () => {
  const page = '<!doctype html>\n<html>\n  <head>\n    <meta charset="UTF-8" />\n    <script type="module" src="./a.js"></script>\n  </head>\n</html>\n';

  it('writes the <meta> right after <meta charset>, before any script, readable back', () => {
    const html = withMetaPolicy(page, contentSecurityPolicy());
    expect(html).toContain(`    <meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy()}" />\n    <script`);
    expect(metaPolicy(html)).toBe(contentSecurityPolicy());
  });

  it('without <meta charset>, writes it first in <head>; a page with a policy already, or no <head>, is an error', () => {
    expect(withMetaPolicy('<html><head><title>t</title></head></html>', "default-src 'none'"))
      .toBe(`<html><head>\n<meta http-equiv="Content-Security-Policy" content="default-src 'none'" /><title>t</title></head></html>`);
    expect(() => withMetaPolicy(withMetaPolicy(page, "default-src 'none'"), "default-src 'none'")).toThrow(/already/);
    expect(() => withMetaPolicy('<p>no head</p>', "default-src 'none'")).toThrow(/no <head>/);
  });

  it('reads a policy written with entities, and null where there is none', () => {
    expect(metaPolicy(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;">`)).toBe("default-src 'none'");
    expect(metaPolicy(page)).toBeNull();
  });
});
