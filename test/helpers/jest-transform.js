// Jest runs the JavaScript that `npm run typecheck` emitted, with its source maps: the sources'
// from dist/ (tsconfig.build.json, the same build `npm start` runs), the tests' from dist-test/
// (tsconfig.test.json). The project is compiled once, by the compiler run that checked it, instead
// of again in every jest worker. Files under test stay where they are (their __dirname too); only
// the code jest runs for them comes from the build.
//
// A file is transpiled here instead, to CommonJS (TypeScript's transpileModule, as ts-jest did),
// when it has no output there or changed since it was compiled (jest run by hand after an edit),
// and when its output is not plain CommonJS: an ES module (web/ is one, for Vite), or a module
// that keeps a dynamic import() (the Prisma client's, src/db/embedded.ts), which jest's sandbox
// cannot run without --experimental-vm-modules; transpiled to CommonJS it is a require().
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, statSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const sourceDir = path.join(root, 'src');

/** Where tsc wrote the JavaScript of `file`: src/ into dist/, everything else into dist-test/. */
function outputOf(file) {
  const inSources = path.relative(sourceDir, file);
  if (!inSources.startsWith('..') && !path.isAbsolute(inSources)) return path.join(root, 'dist', inSources.replace(/\.ts$/, '.js'));
  return path.join(root, 'dist-test', path.relative(root, file).replace(/\.ts$/, '.js'));
}

const DYNAMIC_IMPORT = /\bimport\(/;

/** The compiled code and source map for `file`, when they are at least as new as it and plain CommonJS. */
function compiledFor(file) {
  const relative = path.relative(root, file);
  if (relative.startsWith('..') || path.isAbsolute(relative) || /^dist(-test)?[\\/]/.test(relative)) return undefined;
  if (inModulePackage(file)) return undefined;
  const js = outputOf(file);
  let code;
  try {
    if (statSync(js).mtimeMs < statSync(file).mtimeMs) return undefined;
    code = readFileSync(js, 'utf8');
  } catch {
    return undefined;
  }
  if (DYNAMIC_IMPORT.test(code) || !existsSync(`${js}.map`)) return undefined;
  return { code, map: readFileSync(`${js}.map`, 'utf8') };
}

const packageTypes = new Map();
/** Whether Node takes `file` for an ES module: the "type" of the package.json nearest to it. */
function inModulePackage(file) {
  const dir = path.dirname(file);
  if (!packageTypes.has(dir)) {
    const manifest = path.join(dir, 'package.json');
    packageTypes.set(
      dir,
      existsSync(manifest)
        ? JSON.parse(readFileSync(manifest, 'utf8')).type === 'module'
        : dir === path.dirname(dir)
          ? false
          : inModulePackage(dir),
    );
  }
  return packageTypes.get(dir);
}

let typescript;
let transpileOptions;
function transpile(source, file) {
  if (!typescript) {
    typescript = require('typescript');
    const configFile = path.join(root, 'tsconfig.json');
    const { config } = typescript.readConfigFile(configFile, typescript.sys.readFile);
    const { options } = typescript.parseJsonConfigFileContent(config, typescript.sys, root, undefined, configFile);
    transpileOptions = {
      ...options,
      module: typescript.ModuleKind.CommonJS,
      moduleResolution: undefined,
      sourceMap: true,
      inlineSourceMap: false,
      declaration: false,
    };
  }
  const { outputText, sourceMapText } = typescript.transpileModule(source, { fileName: file, compilerOptions: transpileOptions });
  return { code: outputText, map: JSON.parse(sourceMapText) };
}

const SOURCE_MAP_COMMENT = /\n\/\/# sourceMappingURL=\S+\s*$/;

module.exports = {
  getCacheKey(source, file) {
    const hash = createHash('sha256').update(file).update('\0');
    const compiled = compiledFor(file);
    if (compiled) hash.update('compiled\0').update(compiled.code).update('\0').update(compiled.map);
    else
      hash
        .update('transpiled\0')
        .update(source)
        .update('\0')
        .update(readFileSync(path.join(root, 'tsconfig.json')))
        .update(require('typescript/package.json').version);
    return hash.digest('hex');
  },

  process(source, file) {
    const compiled = compiledFor(file);
    const { code, map } = compiled ? { code: compiled.code, map: JSON.parse(compiled.map) } : transpile(source, file);
    // The map names its source relative to where it was written; stack traces want the file itself.
    map.sources = [file];
    delete map.sourceRoot;
    return { code: code.replace(SOURCE_MAP_COMMENT, '\n'), map };
  },
};
