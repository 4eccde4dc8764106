// Large JavaScript packages imported through tsx's loader are slow: tsx reads each file,
// attaches a source map, and V8 compiles the result (binaryen: ~30 CPU s instead of ~1 s;
// asc ~20 s; jco ~1 s). Imported under a tsx namespace nobody registered, a package and what
// it imports reach Node untouched. Use for node_modules JavaScript only, never for our .ts.
export function importNative<T = any>(specifier: string): Promise<T> {
  return import(`${import.meta.resolve(specifier)}?tsx-namespace=native`);
}
