// Pagefind's UI ships no types; src/client/search-on-demand.ts uses only its constructor.
declare module '@pagefind/default-ui/npm_dist/mjs/ui-core.mjs' {
  export class PagefindUI {
    constructor(options: object);
  }
}
