// Module resolution for running the bench's TypeScript on Node's built-in type stripping:
// relative `.js` imports name the `.ts` sources (NodeNext style), and the workspace libs
// resolve to their sources, so the bench needs no build step.
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

const repoRoot = new URL('../../', import.meta.url);
const workspaceLibs = {
  '@shardcast/contracts': new URL('libs/contracts/src/index.ts', repoRoot).href,
  '@shardcast/platform': new URL('libs/platform/src/index.ts', repoRoot).href,
};

registerHooks({
  resolve(specifier, context, nextResolve) {
    const lib = workspaceLibs[specifier];
    if (lib !== undefined) return nextResolve(lib, context);
    if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
      const source = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
      if (existsSync(fileURLToPath(source))) return nextResolve(source.href, context);
    }
    return nextResolve(specifier, context);
  },
});
