/**
 * The admin API (/admin/...): accounts, API keys and the symbols' trading
 * status, for operators (and
 * `npm run admin`). Every route is flagged `admin: true`: plugins/auth.ts
 * then asks for `Authorization: Bearer <admin token>` (checked in constant
 * time before the body is read) and answers with Cache-Control: no-store.
 * A key's secret is derived here from the master secret
 * (plugins/auth.ts adminAuth.issueKey) and appears in exactly one answer, the
 * one that created the key; the exchange records only its fingerprint.
 * Registered only with AUTH=required.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorResponse } from '../schemas/errors.js'
import {
  AccountParams, AccountStatusChanged, AccountView, AccountsPage, ApiKeyCreated, ApiKeyParams, ApiKeyView,
  CreateAccountBody, CreateApiKeyBody, PageQuery
} from '../schemas/identity.js'
import { SymbolParams, TradingStatusBody, TradingStatusResponse } from '../schemas/market.js'
import { answer } from './http-errors.js'
import { pageLimit } from './private-routes.js'
import './route-flags.js'

const errors = { '4xx': ErrorResponse, '5xx': ErrorResponse }

const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const exchange = app.exchange
  const adminAuth = app.adminAuth
  /* c8 ignore next -- routes.ts registers this plugin only when adminAuth exists (AUTH=required) */
  if (adminAuth === null) throw new Error('the admin API needs AUTH=required')
  const config = { admin: true, rateLimit: app.readRateLimit } as const

  app.post('/admin/accounts', {
    schema: { summary: 'Create an account', tags: ['admin'], body: CreateAccountBody, response: { 201: AccountView, ...errors } },
    config
  }, async (request, reply) => {
    const view = answer(await exchange.createAccount(request.body.account_id))
    return reply.code(201).send(view)
  })

  app.get('/admin/accounts', {
    schema: { summary: 'List accounts', tags: ['admin'], querystring: PageQuery, response: { 200: AccountsPage, ...errors } },
    config
  }, async (request) => answer(await exchange.accounts(pageLimit(request.query.limit), request.query.cursor)))

  app.get('/admin/accounts/:account_id', {
    schema: { summary: 'One account and its API keys', tags: ['admin'], params: AccountParams, response: { 200: AccountView, ...errors } },
    config
  }, async (request) => answer(await exchange.account(request.params.account_id)))

  app.post('/admin/accounts/:account_id/disable', {
    schema: { summary: 'Disable an account: cancels its open orders, refuses its keys', tags: ['admin'], params: AccountParams, response: { 200: AccountStatusChanged, ...errors } },
    config
  }, async (request) => answer(await exchange.setAccountStatus(request.params.account_id, 'disabled')))

  app.post('/admin/accounts/:account_id/enable', {
    schema: { summary: 'Enable a disabled account', tags: ['admin'], params: AccountParams, response: { 200: AccountStatusChanged, ...errors } },
    config
  }, async (request) => answer(await exchange.setAccountStatus(request.params.account_id, 'active')))

  app.post('/admin/accounts/:account_id/keys', {
    schema: { summary: 'Create an API key (its secret is in this answer only)', tags: ['admin'], params: AccountParams, body: CreateApiKeyBody, response: { 201: ApiKeyCreated, ...errors } },
    config
  }, async (request, reply) => {
    const issued = adminAuth.issueKey()
    const view = answer(await exchange.createApiKey(request.params.account_id, issued.keyId, request.body.permissions, issued.fingerprint))
    const created: ApiKeyCreated = { ...view, secret: issued.secret }
    return reply.code(201).send(created)
  })

  app.post('/admin/keys/:key_id/revoke', {
    schema: { summary: 'Revoke an API key', tags: ['admin'], params: ApiKeyParams, response: { 200: ApiKeyView, ...errors } },
    config
  }, async (request) => answer(await exchange.revokeApiKey(request.params.key_id)))

  app.post('/admin/symbols/:symbol/trading_status', {
    schema: {
      summary: 'Set a symbol\'s trading status: trading, halted (no new orders or amends; cancels work) or cancel_only',
      tags: ['admin'],
      params: SymbolParams,
      body: TradingStatusBody,
      response: { 200: TradingStatusResponse, ...errors }
    },
    config
  }, async (request) => answer(await exchange.setTradingStatus(request.params.symbol, request.body.status)))
}

export default adminRoutes
