import { ANONYMOUS, type MatchingEngine, type OrderBook } from '../../src/engine/index.js'

/**
 * Checks a book's internal consistency (exchange-core's validateInternalState):
 * linked lists, level totals (of visible lots), indexes, no empty levels, best-level cache, not crossed,
 * untriggered stops open but on no level, OCO peers mutual.
 * Returns a list of problems; empty means consistent.
 */
export function bookProblems (book: OrderBook): string[] {
  const problems: string[] = []
  let indexed = 0
  for (const side of [book.bids, book.asks]) {
    let previous: number | undefined
    let first = true
    for (const level of side.bestFirst()) {
      if (first && side.best() !== level) problems.push(`${side.side}: best-level cache is stale`)
      first = false
      if (previous !== undefined && !side.isBetter(previous, level.priceTicks)) problems.push(`${side.side}: levels out of order at ${level.priceTicks}`)
      previous = level.priceTicks
      if (level.head === null) problems.push(`${side.side}: empty level ${level.priceTicks} left in the tree`)
      let total = 0
      let count = 0
      let prev = null
      for (let o = level.head; o !== null; o = o.next) {
        if (o.prev !== prev) problems.push(`order ${o.id}: broken prev link`)
        if (o.priceTicks !== level.priceTicks || o.side !== side.side) problems.push(`order ${o.id}: in the wrong level`)
        if (!o.isOpen || o.status === 'untriggered' || o.remainingLots <= 0) problems.push(`order ${o.id}: resting but ${o.status} with ${o.remainingLots} left`)
        if (book.openOrder(o.id) !== o) problems.push(`order ${o.id}: resting but not indexed`)
        // An iceberg shows min(display, remaining) at most and something while it rests; any other order all it has.
        if (o.displayLots > 0 ? o.visibleLots <= 0 || o.visibleLots > Math.min(o.displayLots, o.remainingLots) : o.visibleLots !== o.remainingLots) {
          problems.push(`order ${o.id}: shows ${o.visibleLots} of ${o.remainingLots} left (display ${o.displayLots})`)
        }
        total += o.visibleLots
        count++
        prev = o
      }
      if (level.tail !== prev) problems.push(`level ${level.priceTicks}: tail is not the last order`)
      if (total !== level.totalLots) problems.push(`level ${level.priceTicks}: total ${level.totalLots} != sum ${total}`)
      if (count !== level.count) problems.push(`level ${level.priceTicks}: count ${level.count} != ${count}`)
      indexed += count
    }
    if (first && side.best() !== undefined) problems.push(`${side.side}: best cache set on an empty side`)
  }
  // Untriggered stops are open (indexed, counted) but on no level.
  let stops = 0
  for (const order of book.openOrders()) {
    if (order.status !== 'untriggered') continue
    stops++
    if (!order.isStop || order.level !== null || order.filledLots !== 0) problems.push(`order ${order.id}: untriggered but a ${order.type} on a level or filled`)
  }
  if (indexed + stops !== book.openCount) problems.push(`open count is ${book.openCount}, levels hold ${indexed} and ${stops} stops wait`)
  let open = 0
  for (const order of book.openOrders()) {
    open++
    if (!order.isOpen) problems.push(`order ${order.id}: indexed as open but ${order.status}`)
    if (order.status !== 'untriggered' && order.level === null) problems.push(`order ${order.id}: ${order.status} but on no level`)
    const peer = order.ocoPeer
    if (peer !== null && (peer.ocoPeer !== order || !peer.isOpen || peer.listSeq !== order.listSeq || peer.listSeq === 0)) problems.push(`order ${order.id}: OCO peer ${peer.id} is not its live peer`)
  }
  if (open !== book.openCount) problems.push(`open index holds ${open} orders of the book, its open count is ${book.openCount}`)
  for (const [cid, order] of book.openByClientId) {
    if (book.openOrder(order.id) !== order || `${order.accountId} ${order.clientOrderId ?? ''}` !== cid) problems.push(`client id ${cid}: stale index entry`)
  }
  let withClientId = 0
  for (const order of book.openOrders()) if (order.clientOrderId !== null) withClientId++
  if (withClientId !== book.openByClientId.size) problems.push(`client id index has ${book.openByClientId.size} entries, ${withClientId} open orders have a client id`)
  const bid = book.bids.best()
  const ask = book.asks.best()
  if (bid !== undefined && ask !== undefined && bid.priceTicks >= ask.priceTicks) problems.push('book is crossed')
  return problems
}

export function engineProblems (engine: MatchingEngine): string[] {
  return [
    ...[...engine.allBooks()].flatMap((book) => bookProblems(book).map((p) => `${book.symbol}: ${p}`)),
    ...accountProblems(engine)
  ]
}

/** Each account's open-order list holds exactly its open orders (untriggered stops included), oldest (lowest id) first, with consistent links and count. */
export function accountProblems (engine: MatchingEngine): string[] {
  const problems: string[] = []
  const byAccount = new Map<string, number>()
  for (const book of engine.allBooks()) for (const order of book.openOrders()) byAccount.set(order.accountId, (byAccount.get(order.accountId) ?? 0) + 1)
  for (const [accountId, expected] of byAccount) {
    const list = engine.accounts.ordersOf(accountId)
    let count = 0
    let prev = null
    for (let o = list.head; o !== null; o = o.accountNext) {
      if (o.accountPrev !== prev) problems.push(`account ${accountId}: broken link at order ${o.id}`)
      if (o.accountId !== accountId || engine.book(o.symbol)?.openOrder(o.id) !== o) problems.push(`account ${accountId}: order ${o.id} listed but not open for it`)
      if (prev !== null && Number(prev.id) >= Number(o.id)) problems.push(`account ${accountId}: order ${o.id} out of age order`)
      prev = o
      count++
    }
    if (list.tail !== prev) problems.push(`account ${accountId}: tail is not the last order`)
    if (count !== expected || list.count !== expected) problems.push(`account ${accountId}: lists ${count} (count ${list.count}), books hold ${expected}`)
  }
  // An account without resting orders lists none (a stale list would count against its cap).
  for (const accountId of [ANONYMOUS, ...[...engine.accounts.values()].map((a) => a.id)]) {
    if (byAccount.has(accountId)) continue
    const list = engine.accounts.ordersOf(accountId)
    if (list.count !== 0 || list.head !== null || list.tail !== null) problems.push(`account ${accountId}: lists ${list.count} open orders, the books hold none`)
  }
  return problems
}
