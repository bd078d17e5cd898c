// Runs before `npm start`, `npm run build`, `npm run serve` and `npm run dev`. Plain JavaScript,
// so that an old Node can run it: the server is TypeScript that only Node >= 22.18 runs directly,
// and Astro's own check names a lower version that is not enough for us.
// The minimum is read from package.json's engines, the one place it is written.
import { readFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const wanted = /^>=\s*(\d+)\.(\d+)/.exec(manifest.engines.node);
if (!wanted) throw new Error(`package.json engines.node is not of the form ">=MAJOR.MINOR": ${manifest.engines.node}`);
const [major, minor] = process.versions.node.split('.').map(Number);
const [wantedMajor, wantedMinor] = [Number(wanted[1]), Number(wanted[2])];

if (major < wantedMajor || (major === wantedMajor && minor < wantedMinor)) {
  console.error(`Pixpress needs Node ${wantedMajor}.${wantedMinor} or later (Node 24 recommended); this is Node ${process.versions.node}.`);
  process.exit(1);
}
