/**
 * Where the project's own lavapipe lives: scripts/webgpu/fetch-lavapipe.sh unpacks Mesa 25's Vulkan driver (and the
 * runtime libraries the system lacks, such as the Vulkan loader) into .cache/lavapipe instead of installing it, and
 * writes lavapipe.json there. The Vulkan loader and the driver's libraries are found through LD_LIBRARY_PATH, which the
 * dynamic linker reads only when a process starts: so a process that uses them gets `lavapipeEnvironment()` in its
 * environment from whoever starts it (vitest.config.ts for the WebGPU tier, scripts/webgpu/with-lavapipe.sh for others).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_LAVAPIPE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../.cache/lavapipe');

/** What fetch-lavapipe.sh wrote: the driver manifest (ICD), the driver, the folder of its libraries, the Mesa version. */
export interface ProjectLavapipe {
  version: string;
  icd: string;
  library: string;
  libraryDir: string;
}

export function readProjectLavapipe(dir = PROJECT_LAVAPIPE_DIR): ProjectLavapipe | undefined {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'lavapipe.json'), 'utf8')) as ProjectLavapipe;
    return fs.existsSync(manifest.icd) && fs.existsSync(manifest.library) ? manifest : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The variables a process needs at its start to use the project's lavapipe: empty when there is none, or when the
 * environment already names a Vulkan driver (a GPU machine: VK_ICD_FILENAMES / VK_DRIVER_FILES).
 */
export function lavapipeEnvironment(env: NodeJS.ProcessEnv = process.env, dir = PROJECT_LAVAPIPE_DIR): Record<string, string> {
  const lavapipe = readProjectLavapipe(dir);
  if (!lavapipe || env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES) return {};
  const libraryPath = env.LD_LIBRARY_PATH ? `${lavapipe.libraryDir}:${env.LD_LIBRARY_PATH}` : lavapipe.libraryDir;
  return { VK_ICD_FILENAMES: lavapipe.icd, LD_LIBRARY_PATH: libraryPath };
}

/** Whether this process started with the project's lavapipe libraries on its library path. */
export function startedWithLavapipeLibraries(lavapipe: ProjectLavapipe, env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.LD_LIBRARY_PATH ?? '').split(':').includes(lavapipe.libraryDir);
}
