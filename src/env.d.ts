/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** The server's classroom (server/main.ts passes it to Astro); absent under `astro dev`. */
    classroom?: import('../server/classroom/classroom.ts').Classroom;
    /** Set by the server from PUBLIC_URL; otherwise cookies are Secure when the request is https. */
    secureCookies?: boolean;
    /** PUBLIC_URL's origin (https://class.example.org): join and reset links point there (server/classroom/links.ts). */
    publicOrigin?: string;
    /** The client's address, from X-Forwarded-For when the connection is from one of TRUSTED_PROXIES (per-address limits, links). */
    clientAddress?: string;
    /** Session length, for the cookie's Max-Age. */
    sessionDays?: number;
    /** Filled by src/middleware.ts on on-demand pages. */
    user?: import('../server/classroom/store/types.ts').User;
    session?: import('../server/classroom/store/types.ts').Session;
  }
}
