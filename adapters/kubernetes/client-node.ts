// The one door to @kubernetes/client-node: every module of this project imports it from here.
//
// From the sources (tsx, the tests) this is the package itself. `npm run build` replaces the built module
// (dist/adapters/kubernetes/client-node.js) with the package bundled into one file (scripts/
// bundle-client-node.mjs): the package is ~970 ES modules, whose loading cost ~0.6 s of CPU in every
// process that talks to a cluster (the CLI's preflight, each parallel worker, the reference controller);
// the one file loads in ~0.13 s. One door also means one copy of its classes (ApiException) in a process.
export * from '@kubernetes/client-node';
