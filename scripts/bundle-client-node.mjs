// `npm run build`'s last step: @kubernetes/client-node bundled into the one module the built code imports
// it through (adapters/kubernetes/client-node.ts explains why). Node's built-in modules stay imports; the
// package's CommonJS dependencies get a `require` of their own. Licence comments are kept, at the end.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

/** Writes the bundle to `outfile` (default: where tsc put the one-line re-export it replaces). */
export async function bundleClientNode(outfile = fileURLToPath(new URL('../dist/adapters/kubernetes/client-node.js', import.meta.url))) {
  await build({
    stdin: { contents: "export * from '@kubernetes/client-node';", resolveDir: fileURLToPath(new URL('..', import.meta.url)), loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    // whitespace and syntax only: names stay as they are, for stack traces and error messages
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'eof',
    banner: { js: "import { createRequire as __clientNodeRequire } from 'node:module'; const require = __clientNodeRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleClientNode();
