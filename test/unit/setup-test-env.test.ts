/**
 * scripts/setup-test-env.sh leaves the system's graphics drivers and /etc/apt as they were: Mesa 25's lavapipe is
 * unpacked into .cache/lavapipe (scripts/webgpu/fetch-lavapipe.sh), and only Debian's chromium is installed with apt.
 * Two checks: what the scripts say they do (no write under /etc, no install but chromium's), and what the last set-up
 * run recorded of the system before and after itself (.cache/setup-test-env), which CI must have.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SETUP = fs.readFileSync('scripts/setup-test-env.sh', 'utf8');
const FETCH = fs.readFileSync('scripts/webgpu/fetch-lavapipe.sh', 'utf8');
const RECORD_DIR = '.cache/setup-test-env';
const RECORD = ['before', 'after-chromium', 'after'].map((name) => path.join(RECORD_DIR, `${name}.txt`));
const hasRecord = RECORD.every((file) => fs.existsSync(file));

/** The script's commands, comments dropped. */
function commands(script: string): string[] {
  return script.split('\n').map((line) => line.replace(/(^|\s)#.*$/, '').trim()).filter(Boolean);
}

/** The lines of a recorded state that match a prefix, as a set. */
function stateLines(file: string, pattern: RegExp): Set<string> {
  return new Set(fs.readFileSync(file, 'utf8').split('\n').filter((line) => pattern.test(line)));
}
function difference(a: Set<string>, b: Set<string>): string[] {
  return [...a].filter((line) => !b.has(line)).map((line) => `- ${line}`)
    .concat([...b].filter((line) => !a.has(line)).map((line) => `+ ${line}`));
}
const ETC_APT = /^file \/etc\/apt\//;
const PACKAGE = /^package /;
const GRAPHICS_PACKAGE = /^package (mesa-|libvulkan|libdrm|libgl|libegl|libgbm|libllvm)/;

describe('the set-up scripts, as written', () => {
  it.each([['setup-test-env.sh', SETUP], ['fetch-lavapipe.sh', FETCH]])('%s writes nothing under /etc', (_name, script) => {
    const writesToEtc = commands(script).filter((line) =>
      /(>>?|\btee\b(\s+-a)?)\s*["']?\/etc\//.test(line) || /\b(cp|mv|ln|install|rm|sed -i)\b[^|;]*\s["']?\/etc\//.test(line));
    expect(writesToEtc).toEqual([]);
  });

  it('installs only chromium with apt, and unpacks lavapipe into the project cache', () => {
    const installs = commands(SETUP + '\n' + FETCH).filter((line) => /apt-get\b.*\binstall\b|\bdpkg\s+(-i|--install|-x)\b|apt\s+install/.test(line));
    expect(installs).toEqual([expect.stringMatching(/apt-get install -y --no-install-recommends chromium$/)]);
    const unpacks = commands(FETCH).filter((line) => /dpkg-deb\b/.test(line));
    expect(unpacks).toEqual([expect.stringMatching(/dpkg-deb -x "\$deb" "\$cache\/root"/)]);
    expect(commands(FETCH).some((line) => /\bsudo\b|mesa-vulkan-drivers.*-t |apt-get .*upgrade/.test(line))).toBe(false);
  });
});

describe.skipIf(!hasRecord && process.env.CI !== 'true')('the last set-up run, as recorded', () => {
  it('left /etc/apt as it was, changed no graphics driver package, and changed no package after chromium', () => {
    expect(hasRecord, `run scripts/setup-test-env.sh first: no ${RECORD_DIR}`).toBe(true);
    const [before, afterChromium, after] = RECORD;
    expect(stateLines(before, ETC_APT).size).toBeGreaterThan(0);
    expect(difference(stateLines(before, ETC_APT), stateLines(after, ETC_APT))).toEqual([]);
    expect(difference(stateLines(before, GRAPHICS_PACKAGE), stateLines(afterChromium, GRAPHICS_PACKAGE))).toEqual([]);
    expect(stateLines(afterChromium, PACKAGE).size).toBeGreaterThan(0);
    expect(difference(stateLines(afterChromium, PACKAGE), stateLines(after, PACKAGE))).toEqual([]);
  });
});
