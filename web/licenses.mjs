// Writes the licence of every npm package that esbuild put into the bundle (read from its metafile) to one text
// file served beside the bundle, as their MIT/Apache/MPL licences ask.
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const [metafile, output] = process.argv.slice(2);
const inputs = Object.keys(JSON.parse(readFileSync(metafile, 'utf8')).inputs);
const packages = new Set();
for (const input of inputs) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match) packages.add(match[1]);
}

const sections = [...packages].sort().map((name) => {
  const dir = join('node_modules', name);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const licenseFile = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  const text = licenseFile && existsSync(join(dir, licenseFile)) ? readFileSync(join(dir, licenseFile), 'utf8').trim() : '(no licence file in the package)';
  return `${name} ${manifest.version} (${manifest.license ?? 'see below'})\n${'-'.repeat(60)}\n${text}\n`;
});
writeFileSync(output, `Libraries bundled into app.js, with their licences.\n\n${sections.join('\n')}`);
console.log(`${output}: ${packages.size} packages`);
