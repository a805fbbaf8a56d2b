/**
 * Per-route flags that cross-cutting plugins key on, instead of lists of URL
 * strings: a route says what it is, and lifecycle, load shedding, metrics and
 * errors act on that. Declared once here for every plugin.
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** Order entry: refusals are counted per order type in the metrics. */
    orderEntry?: boolean
    /** New work that can wait: refused with 503 OVERLOADED while the process is under pressure. */
    sheddable?: boolean
    /** Still answered while the server drains (liveness); every other route gets 503 SHUTTING_DOWN. */
    answeredWhileDraining?: boolean
    /**
     * A private route: the caller must sign the request with an API key holding this permission
     * (plugins/auth.ts), which gives the handler request.caller. With AUTH=off every caller is the
     * anonymous account.
     */
    auth?: 'read' | 'trade'
    /** An operator route: needs the admin token (Authorization: Bearer). */
    admin?: boolean
  }
}

export {}
