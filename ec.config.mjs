// @ts-check
// Expressive Code's settings (code blocks in lessons, and the <Code> component), read by Starlight.
// They live here rather than in astro.config.mjs because a plugin is not JSON, and <Code> needs
// the settings from a file of their own.
import { defineEcConfig } from '@astrojs/starlight/expressive-code';
import { copyFromPage } from './src/build/copy-from-page.ts';

export default defineEcConfig({
  themes: ['github-dark', 'github-light'],
  defaultProps: { wrap: false },
  // Copy buttons read the code from the page instead of carrying a second copy of it.
  plugins: [copyFromPage()],
});
