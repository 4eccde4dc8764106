// binaryen (13 MB of JavaScript) imported through tsx's loader costs ~30 CPU seconds per
// process (tsx reads it, attaches a source map, V8 compiles the result); every process that
// loads an image needs it (verify-image.ts). Loaded under a tsx namespace nobody registered,
// it reaches Node untouched in about a second, as compile.ts does for asc.
const loaded = await import(`${import.meta.resolve("binaryen")}?tsx-namespace=native`);
const binaryen = loaded.default;
export default binaryen;
