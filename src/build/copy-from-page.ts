/**
 * An Expressive Code plugin that keeps the copy buttons but drops the second copy of every program
 * they carry. Expressive Code puts the whole code of a block into its copy button's `data-code`,
 * so every program is in the page twice; with three languages of each program on a lesson page
 * that was about a sixth of its compressed weight. This plugin removes the attribute, and its
 * script fills it from the rendered lines just before Expressive Code's own copy handler reads it
 * (a capture listener on the document runs before the button's own click listeners).
 *
 * What is copied stays the same: the block's lines, and for terminal blocks without comment lines
 * (Expressive Code's `removeCommentsWhenCopyingTerminalFrames`, on by default).
 */
import { definePlugin } from '@astrojs/starlight/expressive-code';
import { select } from '@astrojs/starlight/expressive-code/hast';

/**
 * Runs in the browser, bundled into Expressive Code's own script file. An empty line is rendered
 * holding a newline (to keep its height): that is not part of the code.
 */
const fillCodeBeforeCopy = `
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element && event.target.closest('.expressive-code .copy button');
  const figure = button && button.closest('figure');
  if (!figure || button.dataset.code) return;
  let code = [...figure.querySelectorAll('pre .ec-line .code')].map((line) => line.textContent.replace(/\\n$/, '')).join('\\n');
  if (figure.classList.contains('is-terminal')) code = code.replace(/(?<=^|\\n)\\s*#.*($|\\n+)/g, '').trim();
  button.dataset.code = code.replace(/\\n/g, '\\x7F');
}, true);
`;

export function copyFromPage() {
  return definePlugin({
    name: 'socketlab:copy-from-page',
    jsModules: [fillCodeBeforeCopy],
    hooks: {
      postprocessRenderedBlock: ({ renderData }) => {
        const button = select('.copy button', renderData.blockAst);
        if (button) delete button.properties.dataCode;
      },
    },
  });
}
