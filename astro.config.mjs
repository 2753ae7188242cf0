// @ts-check
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import node from '@astrojs/node';
import { fileURLToPath } from 'node:url';
import { exerciseSidebar } from './src/catalog/sidebar.ts';
import { precompress } from './src/build/precompress.ts';

const repoUrl = process.env.SOCKETLAB_REPO_URL ?? 'https://github.com/socket-lab/socket-lab';

export default defineConfig({
  // Pages are prerendered; the adapter's middleware lets server/main.ts serve them (and any
  // on-demand page) from the same process and port as the lab API and WebSocket bridge.
  // Classroom forms are small: a bigger body is refused (413) before it is read.
  adapter: node({ mode: 'middleware', bodySizeLimit: 64 * 1024 }),
  // Every classroom form and mutation carries a CSRF token (src/classroom/pages.ts). Astro's own
  // Origin check is off because behind a TLS proxy the server sees http:// while browsers send an
  // https:// Origin, and every form would be refused.
  security: { checkOrigin: false },
  // Starlight turns on prefetching of every link, which puts Astro's prefetch script on every page:
  // the classroom pages would carry JavaScript they do not need and prefetch on-demand pages (a
  // render on the server each) on hover. Lesson pages are static files and load fast without it.
  prefetch: false,
  site: process.env.SOCKETLAB_SITE_URL ?? 'http://localhost:4321',
  // Astro inlines small scripts into the page; ours all stay files of their own, so the
  // Content-Security-Policy (server/security-headers.ts) can allow scripts from this origin and the
  // hashes of the few inline scripts Starlight writes into the built pages, and nothing else inline.
  vite: {
    build: { assetsInlineLimit: (file) => (file.endsWith('.js') ? false : undefined) },
    // Starlight's search box loads Pagefind's UI on every page; this stand-in loads it when the
    // learner reaches for search (see the file).
    resolve: { alias: [{ find: /^@pagefind\/default-ui$/, replacement: fileURLToPath(new URL('./src/client/search-on-demand.ts', import.meta.url)) }] },
  },
  integrations: [
    starlight({
      title: 'Socket Lab',
      description: 'Learn TCP, UDP and Unix domain sockets in C, Go and TypeScript, with live terminals.',
      social: [{ icon: 'github', label: 'Source code', href: repoUrl }],
      editLink: { baseUrl: `${repoUrl}/edit/main/` },
      // Lessons live in the top-level content/ folder (see src/content.config.ts). Their order comes
      // from each lesson's `order` field, which the schema copies into Starlight's sidebar order.
      sidebar: [
        { label: 'Course', items: [{ autogenerate: { directory: 'content/lessons' } }] },
        exerciseSidebar(process.env.SOCKETLAB_EXERCISES_DIR ?? './content/exercises'),
        {
          label: 'Classroom',
          items: [
            { label: 'Join a class', link: '/join/' },
            { label: 'My classes', link: '/my/' },
            { label: 'For instructors', link: '/classes/' },
          ],
        },
      ],
      customCss: ['./src/styles/course.css'],
      components: {
        PageTitle: './src/components/LessonHeader.astro',
        MarkdownContent: './src/components/LessonContent.astro',
        ThemeSelect: './src/components/ThemeSelect.astro',
      },
      // Expressive Code (code blocks) is set up in ec.config.mjs: its <Code> component needs it there.
      lastUpdated: false,
    }),
    // Last, so that it compresses what every other integration wrote (Pagefind's files too).
    precompress(),
  ],
});
